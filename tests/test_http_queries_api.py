"""``/api/queries`` over real HTTP: the named queries listed and run, parameters bound as values, never as text.

Also the OpenAPI schema and the docs page at FastAPI's usual paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_server import LiveServer, store_quads

QUERIES = Path(__file__).resolve().parents[1] / "queries"
UTILITIES = {"Northern Powergrid", "Yorkshire Water"}
PARAM_LINE = re.compile(r"^#\+ param:\s*(\w+)\s+(\w+)(\??)", re.MULTILINE)


def declared_queries() -> dict[str, list[tuple[str, str, bool]]]:
    """name -> [(param, type, required)] read straight from queries/*.rq, independently of ogtgraph."""
    return {path.stem: [(m[1], m[2], m[3] != "?") for m in PARAM_LINE.finditer(path.read_text(encoding="utf-8"))]
            for path in sorted(QUERIES.glob("*.rq"))}


def names_in(answer: dict[str, Any]) -> list[str]:
    return [b["name"]["value"] for b in answer["results"]["bindings"]]


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "code", "status"} and body["status"] == status, body
    assert body["error"] and "Traceback" not in body["error"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def http(data_server: LiveServer) -> Iterator[httpx.Client]:
    with data_server.client() as client:
        yield client


# ---------------------------------------------------------------- listing


def test_every_query_file_is_listed_with_its_summary_and_params(http: httpx.Client) -> None:
    response = http.get("/api/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    declared = declared_queries()
    assert declared and set(listed) == set(declared)
    for name, params in declared.items():
        entry = listed[name]
        summary = re.search(r"^#\+ summary:\s*(.+)$", (QUERIES / f"{name}.rq").read_text(encoding="utf-8"), re.M)
        assert summary is not None and entry["summary"] == summary[1].strip()
        assert [(p["name"], p["type"], p["required"]) for p in entry["params"]] == params
        assert all(p["description"] for p in entry["params"]), name
        assert entry["url"] == f"/api/queries/{name}"


def test_every_listed_query_without_required_params_runs(http: httpx.Client) -> None:
    for entry in http.get("/api/queries").json()["queries"]:
        if any(p["required"] for p in entry["params"]):
            continue
        response = http.get(entry["url"])
        assert response.status_code == 200, (entry["name"], response.text)
        assert "results" in response.json()


# ---------------------------------------------------------------- running


@pytest.mark.parametrize("sector", ["utility", "https://w3id.org/ogtgraph/id/sector/utility"])
def test_organisations_by_sector_finds_the_utilities(http: httpx.Client, sector: str) -> None:
    response = http.get("/api/queries/organisations_by_sector", params={"sector": sector})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    answer = response.json()
    assert set(names_in(answer)) == UTILITIES
    assert {b["sector"]["value"] for b in answer["results"]["bindings"]} == {
        "https://w3id.org/ogtgraph/id/sector/utility"}


def test_a_named_query_follows_the_accept_header(http: httpx.Client) -> None:
    response = http.get("/api/queries/organisations_by_sector", params={"sector": "utility"},
                        headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert all(name in response.text for name in UTILITIES)


def test_another_sector_gives_other_organisations(http: httpx.Client) -> None:
    answer = http.get("/api/queries/organisations_by_sector", params={"sector": "local-government"}).json()
    names = set(names_in(answer))
    assert "Leeds City Council" in names and not names & UTILITIES


def test_a_missing_required_parameter_is_400(http: httpx.Client) -> None:
    body = assert_error(http.get("/api/queries/organisations_by_sector"), 400)
    assert "sector" in body["error"]


def test_an_unknown_parameter_is_400(http: httpx.Client) -> None:
    body = assert_error(http.get("/api/queries/organisations_by_sector",
                                 params={"sector": "utility", "colour": "blue"}), 400)
    assert "colour" in body["error"]


def test_an_unknown_query_is_404(http: httpx.Client) -> None:
    body = assert_error(http.get("/api/queries/no_such_query"), 404, "not-found")
    assert "organisations_by_sector" in body["error"]  # says which queries there are


# ---------------------------------------------------------------- injection attempts stay values


INJECTIONS = [
    "} ; DROP ALL ; SELECT * {",
    "utility> } ; DROP ALL ; SELECT * { <x:y",
    'utility" } ; DROP ALL ; #',
    "utility'} DROP ALL",
    "{}",
    "<https://w3id.org/ogtgraph/id/sector/utility>",
    "utility\n} ; CLEAR ALL",
    "x:y#DROP-ALL",  # a well-formed IRI that names nothing: a value, so zero rows
    "?sector",
]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(("query", "param"), [("organisations_by_sector", "sector"), ("projects_by_topic", "topic"),
                                              ("partners_of_organisation", "organisation")])
def test_an_injection_attempt_stays_a_value(http: httpx.Client, data_server: LiveServer,
                                            query: str, param: str,
                                            value: str) -> None:
    before = store_quads(data_server.settings.store)
    response = http.get(f"/api/queries/{query}", params={param: value})
    if response.status_code == 200:
        assert response.json()["results"]["bindings"] == []
    else:
        assert_error(response, 400, "bad-query")
    assert store_quads(data_server.settings.store) == before
    utilities = http.get("/api/queries/organisations_by_sector", params={"sector": "utility"}).json()
    assert set(names_in(utilities)) == UTILITIES


# ---------------------------------------------------------------- OpenAPI and docs


def test_the_openapi_schema_lists_the_endpoint_and_the_queries(http: httpx.Client) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])
    assert "get" in paths["/api/queries"]
    assert "get" in paths["/api/queries/{name}"]


def test_the_docs_page_is_html(http: httpx.Client) -> None:
    response = http.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger" in response.text.lower() and "/openapi.json" in response.text


def test_an_unknown_path_is_404_in_the_json_error_shape(http: httpx.Client) -> None:
    assert_error(http.get("/api/no-such-thing"), 404)
