"""The W3C SPARQL 1.1 Protocol test suite, driven against a real ogtgraph server over HTTP.

The manifest (w3c/rdf-tests ``sparql/sparql11/protocol/manifest.ttl``, read from ../shared/data; see its
SOURCE.md) lists each test as HTTP requests (method, path, headers, body) with the expected status, result
format and boolean. This module parses it with pyoxigraph, builds the dataset the tests name (data1.nt ..
data3.nt as named graphs, in a store of their own made with pyoxigraph directly: they are plain N-Triples,
not contributions), and replays every request that applies to a read-only query endpoint, unchanged except
for the path prefix ``/sparql/`` which becomes our endpoint ``/sparql`` (as the manifest says to do).

Tests that need write access (an update that must succeed) cannot pass on a read-only endpoint: they are
listed in NEEDS_WRITE and skipped with that reason, and their update request is replayed instead to check
that it is refused (4xx) and changes nothing. The bad_update_* tests expect a 4xx, which a read-only
endpoint gives too, so they run as written.
"""

from __future__ import annotations

import csv
import gc
import http.client
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from http_server import LiveServer, running_server, store_quads

from ogtgraph.config import Settings

SUITE = Path(__file__).resolve().parents[2] / "shared" / "data" / "w3c-sparql-protocol-tests"
MANIFEST = SUITE / "manifest.ttl"
if not MANIFEST.exists():
    pytest.skip(f"the W3C SPARQL Protocol manifest is not at {MANIFEST}", allow_module_level=True)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
MANIFEST_PREFIX = "/sparql/"
ENDPOINT = "/sparql"

NEEDS_WRITE = {
    name: "needs write access: the update must succeed, and this endpoint is read-only (updates are refused)"
    for name in ("update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
                 "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri")
}

FAILING: dict[str, str] = {}  # manifest entries the endpoint is known to fail, with the reason

BOOLEAN_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                 "application/sparql-results+xml": ox.QueryResultsFormat.XML}
TABULAR_TYPES = {**BOOLEAN_TYPES, "text/tab-separated-values": ox.QueryResultsFormat.TSV, "text/csv": None}
RDF_TYPES = {"application/rdf+xml": ox.RdfFormat.RDF_XML, "text/turtle": ox.RdfFormat.TURTLE,
             "application/n-triples": ox.RdfFormat.N_TRIPLES}


# ---------------------------------------------------------------- reading the manifest


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx", ...
    result_format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")

    @property
    def is_update(self) -> bool:
        """An update operation: a SPARQL Update body, or an update (or USING dataset) parameter."""
        text = self.path + "&" + (self.body or b"").decode("utf-8", errors="replace")
        return (self.content_type.startswith("application/sparql-update")
                or any(f"{sep}{key}=" in text for sep in "?&" for key in ("update", "using-graph-uri",
                                                                          "using-named-graph-uri")))


@dataclass(frozen=True)
class Case:
    name: str  # the entry's local name, e.g. query_post_form
    title: str  # its mf:name
    requests: tuple[Request, ...]
    graphs: tuple[tuple[str, str], ...]  # (graph IRI, data file name) the test loads

    @property
    def about_updates(self) -> bool:
        return any(r.is_update for r in self.requests)


class Manifest:
    def __init__(self, path: Path):
        self.store = ox.Store()
        self.store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
        self.base = path.as_uri()

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.Term]:
        return [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None)]

    def one(self, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> ox.Term | None:
        found = self.objects(subject, predicate)
        assert len(found) <= 1, f"{subject} has {len(found)} values for {predicate}"
        return found[0] if found else None

    def items(self, node: ox.Term | None) -> list[ox.Term]:
        out: list[ox.Term] = []
        while node is not None and node != ox.NamedNode(RDF + "nil"):
            assert isinstance(node, ox.NamedNode | ox.BlankNode)
            first = self.one(node, RDF + "first")
            assert first is not None
            out.append(first)
            node = self.one(node, RDF + "rest")
        return out

    def cases(self) -> list[Case]:
        (root,) = [q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(MF + "entries"), None, None)]
        return [self.case(entry) for entry in self.items(self.one(root, MF + "entries"))]

    def case(self, entry: ox.Term) -> Case:
        assert isinstance(entry, ox.NamedNode)
        action = self.one(entry, MF + "action")
        assert isinstance(action, ox.BlankNode)
        graphs = []
        for data in self.objects(entry, UT + "graphData"):
            assert isinstance(data, ox.BlankNode)
            graph_file, label = self.one(data, UT + "graph"), self.one(data, RDFS + "label")
            assert graph_file is not None and label is not None
            graphs.append((label.value, Path(graph_file.value.removeprefix("file://")).name))
        requests = tuple(self.request(r) for r in self.items(self.one(action, HT + "requests")))
        title = self.one(entry, MF + "name")
        return Case(entry.value.rpartition("#")[2], title.value if title else "", requests, tuple(sorted(graphs)))

    def request(self, node: ox.Term) -> Request:
        assert isinstance(node, ox.BlankNode)
        headers = []
        for header in self.items(self.one(node, HT + "headers")):
            assert isinstance(header, ox.BlankNode)
            name, value = self.one(header, HT + "fieldName"), self.one(header, HT + "fieldValue")
            assert name is not None and value is not None
            headers.append((name.value, value.value))
        body = self.one(node, HT + "body")
        data = None
        if isinstance(body, ox.BlankNode):
            chars, encoding = self.one(body, CNT + "chars"), self.one(body, CNT + "characterEncoding")
            assert chars is not None
            data = chars.value.encode(encoding.value if encoding else "utf-8")
        response = self.one(node, HT + "resp")
        assert isinstance(response, ox.BlankNode)
        statuses = frozenset(s.value.removeprefix(HTS + "StatusCode")
                             for s in self.objects(response, MF + "expectedStatus"))
        result_format, boolean = self.one(response, MF + "expectedFormat"), self.one(response, MF + "expectedBoolean")
        method, path = self.one(node, HT + "methodName"), self.one(node, HT + "absolutePath")
        assert method is not None and path is not None
        return Request(method.value, path.value, tuple(headers), data, statuses,
                       result_format.value if result_format else None,
                       None if boolean is None else boolean.value == "true")


CASES = {case.name: case for case in Manifest(MANIFEST).cases()}
RUN = sorted(name for name in CASES if name not in NEEDS_WRITE)


# ---------------------------------------------------------------- the server over the suite's dataset


def build_dataset(path: Path) -> Path:
    """data1.nt .. data3.nt, each in the named graph the manifest gives it, in a store made with pyoxigraph."""
    graphs = {graph for case in CASES.values() for graph in case.graphs}
    assert {label for label, _ in graphs} == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
    store = ox.Store(str(path))
    for label, file in sorted(graphs):
        store.load(path=str(SUITE / file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(label))
    store.flush()
    del store
    gc.collect()
    return path


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = build_dataset(tmp_path_factory.mktemp("w3c") / "store")
    with running_server(Settings(store=path, query_timeout=10.0, workers=2)) as server:
        yield server


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def send(server: LiveServer, request: Request) -> Response:
    """The manifest's request as written (method, headers, body bytes), at our endpoint's path."""
    assert request.path.startswith(MANIFEST_PREFIX), request.path
    path = ENDPOINT + request.path.removeprefix(MANIFEST_PREFIX).removeprefix("/")
    host, _, port = server.url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=dict(request.headers))
        answer = connection.getresponse()
        return Response(answer.status, (answer.getheader("content-type") or "").split(";")[0].strip(), answer.read())
    finally:
        connection.close()


def check(request: Request, response: Response) -> None:
    """The response meets the manifest's expectations (status class, result format, boolean)."""
    got = f"{response.status // 100}xx"
    assert got in request.statuses, (f"expected {sorted(request.statuses)}, got {response.status}: "
                                     f"{response.body[:300]!r}")
    if response.status >= 400:  # our own rule: every error is the one JSON shape
        error = json.loads(response.body)
        assert set(error) == {"error", "code", "status"} and error["status"] == response.status
    if request.result_format == "boolean":
        assert response.content_type in BOOLEAN_TYPES, response.content_type
        result = ox.parse_query_results(response.body, format=BOOLEAN_TYPES[response.content_type])
        assert isinstance(result, ox.QueryBoolean)
        if request.boolean is not None:
            assert bool(result) is request.boolean
    elif request.result_format == "tabular":
        assert response.content_type in TABULAR_TYPES, response.content_type
        fmt = TABULAR_TYPES[response.content_type]
        if fmt is None:
            rows = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))
            assert rows[0] and len(rows) >= 1
        else:
            assert isinstance(ox.parse_query_results(response.body, format=fmt), ox.QuerySolutions)
    elif request.result_format == "RDF":
        assert response.content_type in RDF_TYPES, response.content_type
        list(ox.parse(response.body, format=RDF_TYPES[response.content_type]))  # well-formed
    else:
        assert request.result_format is None, request.result_format


# ---------------------------------------------------------------- the cases


def test_the_manifest_is_the_protocol_suite() -> None:
    assert len(CASES) == 34
    assert all(case.title and case.requests for case in CASES.values())


def test_every_query_case_of_the_manifest_is_run_and_only_write_cases_are_skipped() -> None:
    about_queries = {name for name, case in CASES.items() if not case.about_updates}
    assert about_queries <= set(RUN), sorted(about_queries - set(RUN))
    assert set(NEEDS_WRITE) <= set(CASES), sorted(set(NEEDS_WRITE) - set(CASES))
    assert set(RUN) | set(NEEDS_WRITE) == set(CASES)
    for name in NEEDS_WRITE:  # skipped only because an update must succeed
        assert any(r.is_update and r.statuses & {"2xx"} for r in CASES[name].requests), name
    for name in set(RUN) - about_queries:  # update cases that run: they only expect refusals
        assert all(r.statuses == {"4xx"} for r in CASES[name].requests if r.is_update), name


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=FAILING[name])) if name in FAILING else name
    for name in sorted(CASES)
])
def test_w3c_protocol_case(name: str, w3c_server: LiveServer) -> None:
    case = CASES[name]
    if name in NEEDS_WRITE:
        pytest.skip(f"{case.title}: {NEEDS_WRITE[name]}")
    before = store_quads(w3c_server.settings.store) if case.about_updates else None
    for request in case.requests:
        check(request, send(w3c_server, request))
    if before is not None:
        assert store_quads(w3c_server.settings.store) == before


@pytest.mark.parametrize("name", sorted(NEEDS_WRITE))
def test_w3c_update_case_is_refused_by_the_read_only_endpoint(name: str, w3c_server: LiveServer) -> None:
    """The update a write case sends is refused (4xx) and changes nothing; a follow-up ASK sees no change."""
    before = store_quads(w3c_server.settings.store)
    for request in CASES[name].requests:
        response = send(w3c_server, request)
        if request.is_update:
            assert 400 <= response.status < 500, (response.status, response.body[:300])
            assert json.loads(response.body)["status"] == response.status
        else:
            assert response.status == 200 and response.content_type in BOOLEAN_TYPES
            answer = ox.parse_query_results(response.body, format=BOOLEAN_TYPES[response.content_type])
            assert bool(answer) is False, "the refused update's effect is visible"
    assert store_quads(w3c_server.settings.store) == before


def test_the_dataset_cases_see_only_the_graphs_they_name(w3c_server: LiveServer) -> None:
    """Control for the dataset cases: without default-graph-uri the default graph is the union, and with
    data3 as the only default graph, data1 is not in it."""
    ask = {"query": "ASK { <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type }"}
    data3 = {"default-graph-uri": "http://kasei.us/2009/09/sparql/data/data3.rdf"}
    for fields, expected in ((ask, True), ({**ask, **data3}, False)):
        request = Request("GET", MANIFEST_PREFIX + "?" + urlencode(fields), (), None, frozenset({"2xx"}), "boolean",
                          expected)
        check(request, send(w3c_server, request))
