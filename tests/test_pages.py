"""The SPARQL query page in a real headless Chromium, against a real server holding the bundled data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from browser import Browser, headless_browser
from http_server import LiveServer

from ogtgraph import queries

ORGANISATIONS = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX schema: <https://schema.org/> "
                 "SELECT ?org ?name WHERE { ?org a org:Organization ; schema:name ?name } ORDER BY ?name")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with headless_browser() as opened:
        yield opened


@pytest.fixture
def page(browser: Browser, data_server: LiveServer) -> Browser:
    browser.open(data_server.sparql)
    return browser


def run(page: Browser, query: str, fmt: str) -> str:
    """Type ``query``, choose ``fmt``, press Run; the status line once the answer is shown."""
    page.evaluate(f"document.getElementById('query').value = {query!r}")
    page.evaluate(f"document.getElementById('format').value = {fmt!r}")
    page.evaluate("document.getElementById('status').textContent = ''")
    page.evaluate("document.getElementById('run').click()")
    return str(page.wait_for("(t => t && t !== 'Running…' ? t : null)(document.getElementById('status').textContent)"))


def test_a_browser_gets_the_page_with_every_named_query_as_an_example(page: Browser) -> None:
    assert page.evaluate("document.title") == "ogtgraph — SPARQL"
    shown = page.evaluate("[...document.querySelectorAll('a.example')].map(a => a.textContent.trim())")
    assert sorted(shown) == sorted(queries.catalogue())


def test_clicking_an_example_puts_its_text_in_the_editor(page: Browser) -> None:
    name = "organisations_per_sector"
    page.evaluate(f"document.getElementById('example-{name}').click()")
    assert page.evaluate("document.getElementById('query').value") == queries.get(name).text


def test_a_select_is_shown_as_a_table_with_the_rows_the_endpoint_returns(page: Browser,
                                                                         data_server: LiveServer) -> None:
    with data_server.client() as client:
        expected = client.get("/sparql", params={"query": ORGANISATIONS},
                              headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    status = run(page, ORGANISATIONS, "table")
    assert status == f"{len(expected)} rows."
    header = page.evaluate("[...document.querySelectorAll('#results th')].map(th => th.textContent)")
    assert header == ["org", "name"]
    names = page.evaluate("[...document.querySelectorAll('#results tbody tr')].map(r => r.cells[1].textContent)")
    assert names == [row["name"]["value"] for row in expected]
    links = page.evaluate("[...document.querySelectorAll('#results tbody tr')]"
                          ".map(r => r.cells[0].querySelector('a').href)")
    assert links == [row["org"]["value"] for row in expected]
    assert "Leeds City Council" in names


def test_an_ask_is_shown_as_an_answer(page: Browser) -> None:
    assert run(page, 'ASK { ?o <https://schema.org/name> "Leeds City Council" }', "table") == "Done."
    assert page.evaluate("document.getElementById('results').textContent") == "Answer: yes (true)"


def test_csv_is_shown_as_text(page: Browser) -> None:
    assert run(page, ORGANISATIONS, "text/csv").startswith("Done (text/csv)")
    rows = list(csv.reader(io.StringIO(page.evaluate("document.querySelector('#results pre').textContent"))))
    assert rows[0] == ["org", "name"] and len(rows) > 2


def test_a_malformed_query_shows_the_parsers_message(page: Browser) -> None:
    status = run(page, "SELECT ?x WHERE { ?x ", "table")
    assert status.startswith("Error 400: the query is not valid SPARQL")
    assert page.evaluate("document.getElementById('status').className") == "error"
    assert page.evaluate("document.getElementById('results').children.length") == 0
