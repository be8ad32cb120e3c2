"""Registers: identifiers, the local-authorities import from mySociety's real file (read from ../shared),
and reconciliation: a contribution naming its council by GSS code and the imported council are one node."""

from __future__ import annotations

import csv
import gc
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from http_server import LiveServer, running_server

from ogtgraph import collaborators, identifiers, queries, registers
from ogtgraph.config import Settings
from ogtgraph.errors import InputError
from ogtgraph.namespaces import RECONCILED_GRAPH
from ogtgraph.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
COUNCILS = SHARED / "uk-local-authorities" / "uk_local_authorities.csv"
ORG = "https://w3id.org/ogtgraph/id/org/"
LEEDS = ORG + "gss/E08000035"
LEEDS_OWN = ORG + "leeds-city-council"
NORTHANTS_OWN = ORG + "northamptonshire-county-council"
GRAPH = "https://w3id.org/ogtgraph/graph/register-local-authorities"

pytestmark = pytest.mark.skipif(not COUNCILS.exists(), reason="the shared copy of uk_local_authorities.csv is missing")


def rows() -> list[dict[str, str]]:
    with COUNCILS.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def values(store: GraphStore, sparql: str, var: str) -> list[str]:
    return [row[var].value for row in store.query(sparql)]


def in_graph(store: GraphStore, subject: str, predicate: str) -> set[str]:
    sparql = f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ <{subject}> <{predicate}> ?o }} }}"
    return set(values(store, sparql, "o"))


@pytest.fixture(scope="module")
def councils(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = GraphStore(tmp_path_factory.mktemp("councils") / "store")
    registers.import_file("local-authorities", COUNCILS, store)
    yield store


# ---------------------------------------------------------------- identifiers


def test_identifiers_are_parsed_written_and_read_back() -> None:
    scheme, value = identifiers.parse(" gss:E08000035 ")
    assert (scheme.name, value) == ("gss", "E08000035")
    assert identifiers.iri("gss", value) == "https://w3id.org/ogtgraph/id/identifier/gss/E08000035"
    assert identifiers.from_iri(identifiers.iri("ukprn", "10007795")) == "ukprn:10007795"
    assert identifiers.from_iri("http://www.wikidata.org/entity/Q6515870") == "wikidata:Q6515870"
    assert identifiers.from_iri("https://example.org/x") is None
    assert identifiers.domain("https://www.Leeds.gov.uk/council") == "leeds.gov.uk"
    assert identifiers.merges(identifiers.iri("gss", "E08000035"))
    assert not identifiers.merges(identifiers.iri("domain", "adur-worthing.gov.uk"))  # councils share sites


@pytest.mark.parametrize("text", ["E08000035", "gss:E0800003", "ukprn:123", "nope:1", "wikidata:6515870", ""])
def test_a_malformed_identifier_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(InputError, match="gss:E08000035|looks like"):
        identifiers.parse(text)


def test_the_shape_and_the_scheme_list_agree_with_the_code() -> None:
    shape = (ROOT / "shapes" / "organisation.ttl").read_text(encoding="utf-8")
    pattern = re.search(r'sh:path adms:identifier ;\s+sh:nodeKind sh:IRI ;\s+sh:pattern "([^"]+)"', shape)
    assert pattern is not None
    assert pattern.group(1).replace("\\\\", "\\") == identifiers.IRI_PATTERN
    schemes = {q.subject.value.rsplit("/", 1)[-1]: q for q in ox.parse(
        path=str(ROOT / "ontology" / "identifiers.ttl"), format=ox.RdfFormat.TURTLE)
        if q.predicate.value.endswith("#notation")}
    assert set(schemes) == set(identifiers.SCHEMES)


# ---------------------------------------------------------------- local-authorities


def test_every_council_in_the_file_is_one_organisation_with_its_identifiers(councils: GraphStore) -> None:
    expected = rows()
    orgs = values(councils, f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?o a <http://www.w3.org/ns/org#Organization> }} }}",
                  "o")
    assert len(orgs) == len(set(orgs)) == len(expected)
    closed = values(councils, f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?o <https://w3id.org/ogtgraph/def#status> "
                              "<https://w3id.org/ogtgraph/id/status/closed> } }", "o")
    assert len(closed) == sum(1 for r in expected if r["current-authority"] == "False")
    ids = in_graph(councils, LEEDS, "http://www.w3.org/ns/adms#identifier")
    assert ids == {identifiers.iri("gss", "E08000035"), identifiers.iri("local-authority", "LDS")}
    assert in_graph(councils, LEEDS, "https://schema.org/name") == {"Leeds City Council"}
    assert in_graph(councils, LEEDS, "http://www.w3.org/ns/org#memberOf") == {ORG + "gss/E47000003"}  # WYCA
    notation = in_graph(councils, identifiers.iri("gss", "E08000035"), "http://www.w3.org/2004/02/skos/core#notation")
    assert notation == {"E08000035"}


def test_merged_councils_point_to_their_successors_with_a_dated_change_event(councils: GraphStore) -> None:
    by_code = {r["local-authority-code"]: r for r in rows()}
    cumbria = by_code["CMA"]
    successors = {ORG + "gss/" + by_code[c]["gss-code"] for c in cumbria["replaced-by"].split(",")}
    node = ORG + "gss/" + cumbria["gss-code"]
    assert in_graph(councils, node, "http://purl.org/dc/terms/isReplacedBy") == successors
    event = in_graph(councils, node, "http://www.w3.org/ns/org#changedBy").pop()
    assert in_graph(councils, event, "http://www.w3.org/ns/org#resultingOrganization") == successors
    assert in_graph(councils, event, "http://www.w3.org/ns/prov#atTime") == {cumbria["end-date"]}
    replaced = sum(len(r["replaced-by"].split(",")) for r in rows() if r["replaced-by"])
    found = values(councils, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?a <http://purl.org/dc/terms/"
                             "isReplacedBy> ?b } }", "n")
    assert int(found[0]) == replaced


def test_the_import_records_source_licence_and_attribution(councils: GraphStore) -> None:
    record = next(p for p in councils.provenance() if p.graph == GRAPH)
    assert record.source == COUNCILS.name
    assert record.license == "https://creativecommons.org/licenses/by/4.0/"
    assert record.attribution is not None and "mySociety" in record.attribution
    assert record.derived_from is not None and "mysociety" in record.derived_from
    assert record.triples == councils.triple_count(GRAPH)


def test_importing_again_replaces_the_graph(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("local-authorities", COUNCILS, store)
    first = (store.triple_count(GRAPH), next(p for p in store.provenance() if p.graph == GRAPH))
    registers.import_file("local-authorities", COUNCILS, store)
    records = [p for p in store.provenance() if p.graph == GRAPH]
    assert len(records) == 1 and store.triple_count(GRAPH) == first[0] == records[0].triples
    assert records[0].loaded_at >= first[1].loaded_at


@pytest.mark.parametrize("content", [b"name,code\nLeeds,LDS\n", b"\xff\xfe\x00garbage", b""])
def test_a_file_of_another_shape_is_refused_and_nothing_changes(
        tmp_path: Path, content: bytes, snapshot: Callable[[Path], list[str]]) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("local-authorities", COUNCILS, store)
    store.close()
    before = snapshot(tmp_path / "store")
    bad = tmp_path / "uk_local_authorities.csv"
    bad.write_bytes(content)
    store = GraphStore(tmp_path / "store")
    with pytest.raises(InputError, match="uk_local_authorities.csv"):
        registers.import_file("local-authorities", bad, store)
    store.close()
    del store
    gc.collect()
    assert snapshot(tmp_path / "store") == before


def test_an_unknown_kind_names_the_kinds() -> None:
    with pytest.raises(InputError, match="local-authorities, digital-land"):
        registers.module("councils")


# ---------------------------------------------------------------- reconciliation


@pytest.fixture(scope="module")
def merged_path(_data_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled contributions plus every register, closed so that a server may open it."""
    path = tmp_path_factory.mktemp("merged") / "store"
    shutil.copytree(_data_store_template, path)
    store = GraphStore(path)
    for kind, relative in ALL_REGISTERS.items():
        if (SHARED / relative).exists():
            registers.import_file(kind, SHARED / relative, store)
    store.close()
    del store
    gc.collect()
    return path


ALL_REGISTERS = {
    "local-authorities": "uk-local-authorities/uk_local_authorities.csv",
    "digital-land": "digital-land-organisations/organisation.csv",
    "govuk-organisations": "govuk-organisations/gov.uk_api_organisations.json",
    "universities": "uk-learning-providers/learning-providers-plus.csv",
    "digital-public-goods": "dpga-publicgoods",
}


@pytest.fixture(scope="module")
def merged(merged_path: Path) -> collaborators.Index:
    store = GraphStore(merged_path, read_only=True)
    index = collaborators.load_index(store)
    store.close()
    del store
    gc.collect()
    return index


def test_a_contribution_stating_a_gss_identifier_is_the_imported_council(merged: collaborators.Index) -> None:
    assert merged.resolve(LEEDS_OWN) == LEEDS
    leeds = merged.organisations[LEEDS]
    assert LEEDS_OWN not in merged.organisations and leeds.aliases == {LEEDS_OWN}
    assert {"gss:E08000035", "local-authority:LDS", "wikidata:Q6515870"} <= leeds.identifiers
    for written in ("gss:E08000035", "local-authority:LDS", "wikidata:Q6515870"):
        assert merged.by_identifier[written] == LEEDS
    projects = [p for p in merged.projects.values() if LEEDS in p.roles["lead"]]
    assert {p.name for p in projects} >= {"Data Mill North"}  # the contribution's projects follow the merge
    assert sum(1 for o in merged.organisations.values() if o.name == "Leeds City Council") == 1


def test_the_reconciled_graph_follows_the_store(merged_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(merged_path, path)
    store = GraphStore(path)
    sparql = f"SELECT ?c WHERE {{ GRAPH <{RECONCILED_GRAPH}> {{ <{LEEDS_OWN}> ?p ?c }} }}"
    assert values(store, sparql, "c") == [LEEDS]
    store.remove("https://w3id.org/ogtgraph/graph/leeds-city-council")
    assert values(store, sparql, "c") == []
    for kind in ALL_REGISTERS:
        if store.has_graph(registers.register(kind).graph):
            store.remove(registers.register(kind).graph)
    assert store.triple_count(RECONCILED_GRAPH) == 0  # the bundled data alone names no organisation twice


def test_a_closed_council_is_never_proposed_as_a_collaborator(merged: collaborators.Index) -> None:
    northants = merged.resolve(NORTHANTS_OWN)
    assert northants == ORG + "gss/E10000021" and merged.organisations[northants].closed
    asked = [o for o in merged.organisations if o != northants and merged.by_member.get(o)]
    assert len(asked) > 10
    for org in asked:
        ranked = collaborators.rank(merged, organisation=org, limit=500)
        assert northants not in {c.organisation.id for c in ranked}
    assert collaborators.rank(merged, organisation=northants, limit=5)  # it may still ask


def test_named_queries_count_each_organisation_once(merged_path: Path) -> None:
    store = GraphStore(merged_path, read_only=True)
    try:
        named = queries.get("organisations_by_sector")
        found = [r["organisation"].value for r in store.query(named.text, substitutions=named.bind(
            {"sector": "local-government"}))]
        assert len(found) == len(set(found)) and LEEDS in found and LEEDS_OWN not in found
        partners = queries.get("partners_of_organisation")
        for given in (LEEDS, LEEDS_OWN):
            rows_ = list(store.query(partners.text, substitutions=partners.bind({"organisation": given})))
            assert {r["projectName"].value for r in rows_} >= {"Data Mill North"}
            assert LEEDS not in {r["partner"].value for r in rows_}
    finally:
        store.close()


@pytest.fixture(scope="module")
def merged_server(merged_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("served-merged") / "store"
    shutil.copytree(merged_path, path)
    with running_server(Settings(store=path, workers=1)) as server:
        yield server


@pytest.mark.parametrize("written", ["gss:E08000035", "local-authority:LDS", "wikidata:Q6515870"])
def test_the_api_finds_the_one_council_by_any_identifier(merged_server: LiveServer, written: str) -> None:
    with merged_server.client() as client:
        answer = client.get("/api/organisations", params={"identifier": written}).json()
    assert answer["total"] == 1
    (leeds,) = answer["results"]
    assert leeds["id"] == LEEDS and leeds["sameAs"] == [LEEDS_OWN] and leeds["status"] == "live"
    graphs = {s["graph"] for s in leeds["statedBy"] if s["property"] == "name"}
    assert graphs >= {GRAPH, "https://w3id.org/ogtgraph/graph/leeds-city-council"}  # each says it, each kept
    assert graphs <= {GRAPH, "https://w3id.org/ogtgraph/graph/leeds-city-council",
                      "https://w3id.org/ogtgraph/graph/register-digital-land"}


@pytest.mark.parametrize(("written", "own", "name"), [
    ("govuk:cabinet-office", ORG + "cabinet-office", "Cabinet Office"),
    ("ukprn:10007795", ORG + "university-of-leeds", "University of Leeds"),
])
def test_contributions_merge_with_the_other_registers_too(merged_server: LiveServer, written: str, own: str,
                                                          name: str) -> None:
    with merged_server.client() as client:
        answer = client.get("/api/organisations", params={"identifier": written}).json()
        named = client.get("/api/organisations", params={"q": name}).json()
    assert answer["total"] == 1
    (found,) = answer["results"]
    assert own in found["sameAs"] and found["id"] != own and written in found["identifier"]
    assert [r["id"] for r in named["results"] if r["name"] == name] == [found["id"]]  # one, not two


def test_the_api_refuses_a_malformed_identifier(merged_server: LiveServer) -> None:
    with merged_server.client() as client:
        answer = client.get("/api/organisations", params={"identifier": "gss:LEEDS"})
    assert answer.status_code == 400 and "E08000035" in answer.json()["error"]


def test_the_collaborator_api_merges_the_contribution_and_the_council(merged_server: LiveServer) -> None:
    with merged_server.client() as client:
        by_own = client.get("/api/collaborators", params={"organisation": LEEDS_OWN, "limit": 100}).json()
        by_register = client.get("/api/collaborators", params={"organisation": LEEDS, "limit": 100}).json()
        for_odi = client.get("/api/collaborators", params={"organisation": ORG + "odi-leeds", "limit": 100}).json()
        one = client.get(f"/api/organisations/{LEEDS_OWN}").json()
    assert by_own["results"] == by_register["results"] and by_own["results"]
    assert {LEEDS, LEEDS_OWN}.isdisjoint(r["id"] for r in by_own["results"])  # never itself, by either IRI
    leeds = [r for r in for_odi["results"] if r["name"] == "Leeds City Council"]
    assert len(leeds) == 1 and leeds[0]["id"] == LEEDS and leeds[0]["sameAs"] == [LEEDS_OWN]
    assert LEEDS_OWN not in {r["id"] for r in for_odi["results"]}
    assert one["id"] == LEEDS


def test_cli_import_and_lookup(run_cli: Callable[..., object], store_path: Path) -> None:
    imported = run_cli("import", "local-authorities", COUNCILS)
    assert imported.exit_code == 0, imported.output  # type: ignore[attr-defined]
    assert f"imported {len(rows())} organisations" in imported.output  # type: ignore[attr-defined]
    found = run_cli("lookup", "gss:E08000035")
    assert found.exit_code == 0 and "Leeds City Council" in found.output  # type: ignore[attr-defined]
    assert "local-authority:LDS" in found.output  # type: ignore[attr-defined]
    missing = run_cli("lookup", "gss:E99999999")
    assert missing.exit_code == 2 and "no organisation" in missing.output  # type: ignore[attr-defined]
    wrong = run_cli("import", "councils", COUNCILS)
    assert wrong.exit_code == 2 and "local-authorities" in wrong.output  # type: ignore[attr-defined]
