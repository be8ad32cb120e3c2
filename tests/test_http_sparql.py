"""``/sparql`` over real HTTP: a uvicorn server on a loopback port, called by SPARQLWrapper and by raw requests.

One server per module (``data_server`` in conftest: the bundled data, two query workers, a 2 s limit), one more
with a small row cap, and ``ogtgraph serve`` once as a real subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from http_server import LiveServer, copy_store, free_port, running_server, store_quads, wait_until_answering
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from ogtgraph.config import Settings

ORG = "https://w3id.org/ogtgraph/id/org/"
LEEDS = ORG + "leeds-city-council"
LEEDS_GRAPH = "https://w3id.org/ogtgraph/graph/leeds-city-council"
ODI_LEEDS_GRAPH = "https://w3id.org/ogtgraph/graph/odi-leeds"
SCHEMA_NAME = "https://schema.org/name"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QUERIES = Path(__file__).resolve().parents[1] / "queries"

COUNT_ORGANISATIONS = ("PREFIX org: <http://www.w3.org/ns/org#> "
                       "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:Organization }")
FIND_LEEDS = 'SELECT ?org WHERE { ?org <https://schema.org/name> "Leeds City Council" }'
CONSTRUCT_LEEDS = f"CONSTRUCT {{ <{LEEDS}> ?p ?o }} WHERE {{ <{LEEDS}> ?p ?o }}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def wrapper(server: LiveServer, query: str, fmt: str = JSON, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


def triples_of(body: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [quad.triple for quad in ox.parse(body, format=fmt)]


def json_count(answer: dict[str, Any]) -> int:
    return int(answer["results"]["bindings"][0]["n"]["value"])


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the one JSON error shape, with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "code", "status"}, body
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    if code is not None:
        assert body["code"] == code, body
    assert "Traceback" not in body["error"]
    return body


@pytest.fixture
def http(data_server: LiveServer) -> Iterator[httpx.Client]:
    with data_server.client() as client:
        yield client


# ---------------------------------------------------------------- SPARQLWrapper: query forms and data


@pytest.mark.parametrize("method", [GET, POST])
def test_select_counts_the_organisations_of_the_bundled_data(data_server: LiveServer, method: str) -> None:
    answer = wrapper(data_server, COUNT_ORGANISATIONS, JSON, method).query().convert()
    assert json_count(answer) >= 25


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_finds_leeds_city_council_by_name_in_every_results_format(data_server: LiveServer, fmt: str,
                                                                        method: str) -> None:
    result = wrapper(data_server, FIND_LEEDS, fmt, method).query()
    converted = result.convert()
    media = result.response.headers["content-type"]
    if fmt == JSON:
        assert media.startswith("application/sparql-results+json")
        assert [b["org"]["value"] for b in converted["results"]["bindings"]] == [LEEDS]
    elif fmt == XML:
        assert media.startswith("application/sparql-results+xml")
        assert isinstance(converted, Document)
        assert [u.firstChild.data for u in converted.getElementsByTagName("uri")] == [LEEDS]
    elif fmt == CSV:
        assert media.startswith("text/csv")
        assert list(csv.reader(io.StringIO(converted.decode("utf-8")))) == [["org"], [LEEDS]]
    else:
        assert media.startswith("text/tab-separated-values")
        rows = [line.split("\t") for line in converted.decode("utf-8").splitlines()]
        assert rows == [["?org"], [f"<{LEEDS}>"]]


@pytest.mark.parametrize(("query", "expected"), [
    (f"ASK {{ <{LEEDS}> <{SCHEMA_NAME}> ?name }}", True),
    (f"ASK {{ <{LEEDS}> <{SCHEMA_NAME}> \"Not Leeds\" }}", False),
])
@pytest.mark.parametrize("method", [GET, POST])
def test_ask_answers_true_and_false(data_server: LiveServer, query: str, expected: bool, method: str) -> None:
    assert wrapper(data_server, query, JSON, method).query().convert()["boolean"] is expected
    document = wrapper(data_server, query, XML, method).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()


def leeds_name_in(graph: rdflib.Graph) -> bool:
    return (rdflib.URIRef(LEEDS), rdflib.URIRef(SCHEMA_NAME), rdflib.Literal("Leeds City Council")) in graph


@pytest.mark.parametrize("method", [GET, POST])
def test_construct_as_turtle_holds_the_organisation_s_statements(data_server: LiveServer, method: str) -> None:
    result = wrapper(data_server, CONSTRUCT_LEEDS, TURTLE, method).query()
    assert result.response.headers["content-type"].startswith("text/turtle")
    triples = triples_of(result.convert(), ox.RdfFormat.TURTLE)
    assert ox.Triple(ox.NamedNode(LEEDS), ox.NamedNode(SCHEMA_NAME), ox.Literal("Leeds City Council")) in triples
    assert all(t.subject == ox.NamedNode(LEEDS) for t in triples) and len(triples) >= 4


@pytest.mark.parametrize(("fmt", "media"), [(JSONLD, "application/ld+json"), (RDFXML, "application/rdf+xml")])
def test_construct_as_json_ld_and_rdf_xml_parses_to_the_same_statements(data_server: LiveServer, fmt: str,
                                                                       media: str) -> None:
    turtle = rdflib.Graph().parse(data=wrapper(data_server, CONSTRUCT_LEEDS, TURTLE).query().convert(),
                                  format="turtle")
    result = wrapper(data_server, CONSTRUCT_LEEDS, fmt).query()
    assert result.response.headers["content-type"].startswith(media)
    graph = result.convert()
    assert leeds_name_in(graph)
    assert set(graph) == set(turtle)


def test_describe_gives_the_statements_about_the_resource(data_server: LiveServer) -> None:
    result = wrapper(data_server, f"DESCRIBE <{LEEDS}>", TURTLE).query()
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    assert leeds_name_in(graph)
    assert (rdflib.URIRef(LEEDS), rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in graph


def test_a_malformed_query_is_refused_as_badly_formed(data_server: LiveServer) -> None:
    with pytest.raises(QueryBadFormed):
        wrapper(data_server, "SELECT * WHERE { ?s ?p }").query()


# ---------------------------------------------------------------- the dataset: default-graph-uri, named-graph-uri


def test_default_graph_uri_limits_the_default_graph_to_that_graph(data_server: LiveServer) -> None:
    union = json_count(wrapper(data_server, COUNT_ORGANISATIONS).query().convert())
    client = wrapper(data_server, COUNT_ORGANISATIONS)
    client.addDefaultGraph(LEEDS_GRAPH)
    only_leeds = json_count(client.query().convert())
    assert 0 < only_leeds < union
    client.addDefaultGraph(ODI_LEEDS_GRAPH)
    both = json_count(client.query().convert())
    assert only_leeds < both < union


def test_default_graph_uri_in_a_post_form_body_is_honoured(http: httpx.Client) -> None:
    response = http.post("/sparql", data={"query": COUNT_ORGANISATIONS, "default-graph-uri": LEEDS_GRAPH})
    assert response.status_code == 200, response.text
    union = http.post("/sparql", data={"query": COUNT_ORGANISATIONS}).json()
    assert 0 < json_count(response.json()) < json_count(union)


def test_named_graph_uri_limits_what_graph_sees(data_server: LiveServer) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = {b["g"]["value"] for b in wrapper(data_server, query).query().convert()["results"]["bindings"]}
    assert {LEEDS_GRAPH, ODI_LEEDS_GRAPH} < everything
    client = wrapper(data_server, query)
    client.addNamedGraph(LEEDS_GRAPH)
    client.addNamedGraph(ODI_LEEDS_GRAPH)
    named = {b["g"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert named == {LEEDS_GRAPH, ODI_LEEDS_GRAPH}


def test_an_unknown_default_graph_is_an_empty_default_graph(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": COUNT_ORGANISATIONS,
                                           "default-graph-uri": "http://example.org/no-such-graph"})
    assert response.status_code == 200
    assert json_count(response.json()) == 0


@pytest.mark.parametrize("field", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("value", ["not an iri", "relative/graph", ""])
def test_a_graph_uri_that_is_not_an_iri_is_400(http: httpx.Client, field: str, value: str) -> None:
    assert_error(http.get("/sparql", params={"query": "ASK {}", field: value}), 400)


# ---------------------------------------------------------------- content negotiation with raw Accept headers


def parse_solutions(media: str, body: bytes) -> list[dict[str, str]]:
    """Rows of a SELECT result in any of the four W3C formats, as {variable: lexical value}."""
    if media == "text/csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media]
    solutions = ox.parse_query_results(body, format=fmt)
    names = [v.value for v in solutions.variables]
    return [{name: solution[name].value for name in names} for solution in solutions]


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/csv;q=0, */*", "application/sparql-results+json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
    (None, "application/sparql-results+json"),
])
def test_select_results_follow_the_accept_header(http: httpx.Client, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = http.get("/sparql", params={"query": COUNT_ORGANISATIONS}, headers=headers)
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    assert media == expected
    assert "accept" in response.headers["vary"].lower()
    rows = parse_solutions("application/sparql-results+xml" if media == "application/xml" else media,
                           response.content)
    assert len(rows) == 1 and int(rows[0]["n"]) >= 25


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv, application/sparql-results+xml;q=0.1", "application/sparql-results+xml"),
    ("application/sparql-results+json", "application/sparql-results+json"),
])
def test_ask_results_follow_the_accept_header(http: httpx.Client, accept: str, expected: str) -> None:
    response = http.get("/sparql", params={"query": f"ASK {{ <{LEEDS}> ?p ?o }}"}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    fmt = ox.QueryResultsFormat.XML if expected.endswith("xml") else ox.QueryResultsFormat.JSON
    assert bool(ox.parse_query_results(response.content, format=fmt)) is True


@pytest.mark.parametrize(("accept", "expected", "rdf_format"), [
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("text/turtle;q=0.1, application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("text/*", "text/turtle", ox.RdfFormat.TURTLE),
    (None, "text/turtle", ox.RdfFormat.TURTLE),
])
def test_construct_results_follow_the_accept_header(http: httpx.Client, accept: str | None, expected: str,
                                                    rdf_format: ox.RdfFormat) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = http.post("/sparql", content=CONSTRUCT_LEEDS, headers={"Content-Type": "application/sparql-query",
                                                                      **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected
    if expected == "application/ld+json":
        assert json.loads(response.content)  # plain JSON a JSON tool can read
    triples = triples_of(response.content, rdf_format)
    assert ox.Triple(ox.NamedNode(LEEDS), ox.NamedNode(SCHEMA_NAME), ox.Literal("Leeds City Council")) in triples


@pytest.mark.parametrize(("query", "accept"), [
    (COUNT_ORGANISATIONS, "image/png"),
    (COUNT_ORGANISATIONS, "text/turtle"),
    (f"ASK {{ <{LEEDS}> ?p ?o }}", "text/csv"),
    (CONSTRUCT_LEEDS, "application/sparql-results+json"),
])
def test_nothing_acceptable_is_406_in_the_json_error_shape(http: httpx.Client, query: str, accept: str) -> None:
    response = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert_error(response, 406, "not-acceptable")


# ---------------------------------------------------------------- the protocol: POST forms, errors, read-only


def test_post_form_and_post_direct_give_the_same_answer_as_get(http: httpx.Client) -> None:
    by_get = http.get("/sparql", params={"query": COUNT_ORGANISATIONS})
    by_form = http.post("/sparql", data={"query": COUNT_ORGANISATIONS})
    by_direct = http.post("/sparql", content=COUNT_ORGANISATIONS.encode("utf-8"),
                          headers={"Content-Type": "application/sparql-query; charset=UTF-8"})
    assert [r.status_code for r in (by_get, by_form, by_direct)] == [200, 200, 200]
    assert by_get.json() == by_form.json() == by_direct.json()


def test_a_malformed_query_is_400_with_the_parser_s_message(http: httpx.Client) -> None:
    bad = "SELECT * WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(bad)
    body = assert_error(http.get("/sparql", params={"query": bad}), 400, "bad-query")
    assert str(parser.value) in body["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", "application/sparql-results+json", None])
def test_a_post_with_an_unsupported_content_type_is_415(http: httpx.Client, content_type: str | None) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_error(http.post("/sparql", content=b"ASK {}", headers=headers), 415, "unsupported-media-type")


def test_more_than_one_query_is_400(http: httpx.Client) -> None:
    response = http.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert_error(response, 400)


def test_other_methods_are_refused_in_the_json_error_shape(http: httpx.Client) -> None:
    assert_error(http.put("/sparql", params={"query": "ASK {}"}), 405)
    assert_error(http.delete("/sparql"), 405)


UPDATE = f'INSERT DATA {{ GRAPH <{LEEDS_GRAPH}> {{ <{LEEDS}> <{SCHEMA_NAME}> "Hijacked" }} }}'
REFUSED_UPDATES: dict[str, Callable[[httpx.Client], httpx.Response]] = {
    "form update=": lambda c: c.post("/sparql", data={"update": "DROP ALL"}),
    "form update= with a query": lambda c: c.post("/sparql", data={"update": "DROP ALL", "query": "ASK {}"}),
    "GET ?update=": lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}),
    "application/sparql-update": lambda c: c.post("/sparql", content=UPDATE,
                                                  headers={"Content-Type": "application/sparql-update"}),
    "update text as a query": lambda c: c.post("/sparql", content="DROP ALL",
                                               headers={"Content-Type": "application/sparql-query"}),
    "update text as query=": lambda c: c.get("/sparql", params={"query": UPDATE}),
}


@pytest.mark.parametrize("how", list(REFUSED_UPDATES))
def test_an_update_is_refused_with_4xx_and_changes_nothing(http: httpx.Client, data_server: LiveServer,
                                                           how: str) -> None:
    before = store_quads(data_server.settings.store)
    response = REFUSED_UPDATES[how](http)
    assert 400 <= response.status_code < 500, response.text
    assert_error(response, response.status_code)
    assert store_quads(data_server.settings.store) == before
    assert json_count(http.get("/sparql", params={"query": COUNT_ORGANISATIONS}).json()) >= 25


@pytest.mark.parametrize("how", ["GET ?update=", "application/sparql-update"])
def test_an_update_is_refused_as_read_only_with_403(http: httpx.Client, how: str) -> None:
    body = assert_error(REFUSED_UPDATES[how](http), 403, "read-only")
    assert "read-only" in body["error"]


def test_a_form_update_is_refused_as_read_only_with_403(http: httpx.Client) -> None:
    assert_error(REFUSED_UPDATES["form update="](http), 403, "read-only")


def test_sparqlwrapper_s_update_request_is_refused_and_changes_nothing(data_server: LiveServer) -> None:
    before = store_quads(data_server.settings.store)
    client = wrapper(data_server, UPDATE, JSON, POST)
    assert client.isSparqlUpdateRequest()
    with pytest.raises((QueryBadFormed, urllib.error.HTTPError)) as refused:  # 400 -> QueryBadFormed, else HTTPError
        client.query()
    if isinstance(refused.value, urllib.error.HTTPError):
        assert 400 <= refused.value.code < 500
    assert store_quads(data_server.settings.store) == before


# ---------------------------------------------------------------- without a query: service description, page, CORS


def test_get_without_a_query_asking_for_turtle_is_the_service_description(http: httpx.Client,
                                                                         data_server: LiveServer) -> None:
    response = http.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = triples_of(response.content, ox.RdfFormat.TURTLE)
    services = [t.subject for t in triples if t.predicate == ox.NamedNode(RDF_TYPE)
                and t.object == ox.NamedNode(SD + "Service")]
    assert len(services) == 1
    endpoints = [t.object for t in triples if t.subject == services[0] and t.predicate == ox.NamedNode(SD + "endpoint")]
    assert endpoints == [ox.NamedNode(data_server.sparql)]
    languages = {t.object for t in triples if t.predicate == ox.NamedNode(SD + "supportedLanguage")}
    assert ox.NamedNode(SD + "SPARQL11Query") in languages
    assert ox.NamedNode(SD + "SPARQL11Update") not in languages


@pytest.mark.parametrize(("accept", "rdf_format"), [("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                                    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                                    ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_the_service_description_follows_the_accept_header(http: httpx.Client, accept: str,
                                                            rdf_format: ox.RdfFormat) -> None:
    response = http.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    triples = triples_of(response.content, rdf_format)
    assert any(t.object == ox.NamedNode(SD + "Service") for t in triples)


def test_a_browser_gets_the_query_page_with_the_example_queries(http: httpx.Client) -> None:
    response = http.get("/sparql", headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<form" in page and "<textarea" in page
    names = sorted(p.stem for p in QUERIES.glob("*.rq"))
    assert names
    for name in names:
        assert name in page, f"the query page does not show the example query {name}"


def test_the_query_page_is_chosen_whatever_the_case_of_the_accept_header(http: httpx.Client) -> None:
    response = http.get("/sparql", headers={"Accept": "Text/HTML,*/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/html")


def test_cors_allows_any_origin_to_read(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "https://example.org")
    preflight = http.options("/sparql", headers={"Origin": "https://example.org",
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# ---------------------------------------------------------------- the wall-clock limit


def query_workers() -> set[int]:
    """The live query worker processes of the servers in this process."""
    return {p.pid for p in multiprocessing.active_children() if p.name == "ogtgraph-query" and p.pid is not None}


def test_a_slow_query_is_stopped_at_the_limit_while_another_is_served(data_server: LiveServer) -> None:
    limit = data_server.settings.query_timeout
    workers_before = query_workers()
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.monotonic()
        with data_server.client(timeout=60) as client:
            response = client.get("/sparql", params={"query": SLOW})
        slow.update(response=response, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)  # let the slow query reach a worker
    with data_server.client(timeout=30) as client:
        started = time.monotonic()
        quick = client.get("/sparql", params={"query": COUNT_ORGANISATIONS})
        quick_seconds = time.monotonic() - started
    slow_still_running = thread.is_alive()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the slow query was not stopped within a minute"

    assert quick.status_code == 200 and json_count(quick.json()) >= 25
    assert slow_still_running, "the quick query was not answered while the slow one ran"
    assert quick_seconds < limit
    assert_error(slow["response"], 503, "query-timeout")
    assert limit * 0.9 <= slow["seconds"] < limit + 30

    workers_after = query_workers()
    stopped = workers_before - workers_after
    assert len(stopped) == 1, "the worker running the slow query was not stopped (or more than one was)"
    assert len(workers_after) == len(workers_before), "the stopped worker was not replaced"
    with pytest.raises(ProcessLookupError):
        os.kill(stopped.pop(), 0)


def test_after_a_timeout_every_worker_still_answers(data_server: LiveServer) -> None:
    with data_server.client(timeout=30) as client:
        assert_error(client.get("/sparql", params={"query": SLOW}), 503, "query-timeout")
        answers: list[httpx.Response] = []

        def ask() -> None:
            answers.append(client.get("/sparql", params={"query": COUNT_ORGANISATIONS}))

        threads = [threading.Thread(target=ask) for _ in range(2 * data_server.settings.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert [a.status_code for a in answers] == [200] * len(threads)
    assert all(json_count(a.json()) >= 25 for a in answers)


# ---------------------------------------------------------------- the row cap


@pytest.fixture(scope="module")
def capped_server(_data_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = copy_store(_data_store_template, tmp_path_factory.mktemp("capped") / "store")
    with running_server(Settings(store=path, query_timeout=5.0, max_rows=10, workers=1)) as server:
        yield server


def test_a_select_over_the_row_cap_is_413(capped_server: LiveServer) -> None:
    with capped_server.client() as client:
        body = assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}), 413,
                            "too-many-rows")
    assert "10" in body["error"] and "LIMIT" in body["error"]


@pytest.mark.parametrize(("limit", "status"), [(5, 200), (10, 200), (11, 413)])
def test_the_row_cap_counts_rows(capped_server: LiveServer, limit: int, status: int) -> None:
    with capped_server.client() as client:
        response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {limit}"},
                              headers={"Accept": "text/csv"})
    assert response.status_code == status, response.text
    if status == 200:
        assert len(list(csv.reader(io.StringIO(response.text)))) == limit + 1


# ---------------------------------------------------------------- `ogtgraph serve` as a real process


def child_pids(pid: int) -> set[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: set[int] = set()
    for task in tasks.iterdir() if tasks.exists() else []:
        try:
            found |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" in status.read_text()


def test_ogtgraph_serve_loads_the_bundled_data_into_an_empty_store_and_answers(tmp_path: Path) -> None:
    store, port = tmp_path / "serve-store", free_port()
    process = subprocess.Popen([sys.executable, "-m", "ogtgraph", "serve", "--store", str(store), "--port", str(port),
                                "--query-timeout", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "OGTGRAPH_WORKERS": "1"})
    workers: set[int] = set()
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/openapi.json", alive=lambda: process.poll() is None)
        server = LiveServer(f"http://127.0.0.1:{port}", Settings(store=store))
        assert json_count(wrapper(server, COUNT_ORGANISATIONS).query().convert()) >= 25
        assert wrapper(server, FIND_LEEDS).query().convert()["results"]["bindings"][0]["org"]["value"] == LEEDS
        workers = child_pids(process.pid)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    text = stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in text, text
    assert f"http://127.0.0.1:{port}/sparql" in text
    assert (store / "CURRENT").exists()
    deadline = time.monotonic() + 10
    while workers and not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(gone(pid) for pid in workers), "query workers outlived 'ogtgraph serve'"


def test_a_federated_query_is_refused_without_any_outbound_request(http: httpx.Client) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(1.0)
        port = listener.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        response = http.get("/sparql", params={"query": query})
        assert response.status_code == 400
        assert response.json()["code"] == "bad-input" and "SERVICE" in response.json()["error"]
        with pytest.raises(socket.timeout):
            listener.accept()  # nobody called
