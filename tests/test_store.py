"""store: one named graph per contribution, provenance in a metadata graph, recovery, queries and export."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph import publishing
from ogtgraph.errors import NotFoundError, QueryError, StoreError
from ogtgraph.formats import read_contribution
from ogtgraph.namespaces import GRAPH, META_GRAPH, ORG, RDF_TYPE, STAGING_GRAPH
from ogtgraph.store import VOCABULARY_GRAPH, GraphStore

COUNCIL_GRAPH = GRAPH + "council"
COUNCIL_TTL = Path(__file__).parent / "fixtures" / "valid" / "council.ttl"
COUNCIL_TRIPLES = len(read_contribution(COUNCIL_TTL).triples)
LEEDS = "https://w3id.org/ogtgraph/id/org/leeds-city-council"


def graph_names(store: GraphStore) -> set[str]:
    return {row["g"].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


def test_a_new_store_holds_the_vocabulary_and_no_contributions(store_path: Path) -> None:
    store = GraphStore(store_path)
    records = store.provenance()
    assert [(p.graph, p.kind) for p in records] == [(VOCABULARY_GRAPH, "vocabulary")]
    assert records[0].triples == store.triple_count(VOCABULARY_GRAPH) > 100
    assert graph_names(store) == {VOCABULARY_GRAPH, META_GRAPH}


def test_reopening_does_not_reload_the_vocabulary(store_path: Path) -> None:
    store = GraphStore(store_path)
    first = store.provenance()
    del store
    gc.collect()
    assert GraphStore(store_path).provenance() == first


def test_a_loaded_contribution_has_its_graph_and_provenance(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    path = fixtures / "valid" / "council.ttl"
    (outcome,) = publishing.load([path], store=store)
    assert outcome.loaded and outcome.graph == COUNCIL_GRAPH and not outcome.replaced
    (record,) = [p for p in store.provenance() if p.kind == "contribution"]
    assert record.graph == COUNCIL_GRAPH
    assert record.source == "council.ttl"
    assert record.media_type == "text/turtle"
    assert record.publisher == LEEDS
    assert record.triples == store.triple_count(COUNCIL_GRAPH) == COUNCIL_TRIPLES
    assert len(record.sha256) == 64 and record.loaded_at.endswith("Z")


def test_queries_see_the_union_of_the_graphs(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl", fixtures / "batch" / "bradford-council.ttl"], store=store)
    rows = store.query("SELECT ?o WHERE { ?o a <http://www.w3.org/ns/org#Organization> } ORDER BY ?o")
    assert [r["o"].value for r in rows] == ["https://w3id.org/ogtgraph/id/org/bradford-council", LEEDS]


def test_query_substitutions_bind_values(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl"], store=store)
    query = "SELECT ?org ?name WHERE { ?org <https://schema.org/name> ?name }"
    assert [r["name"].value for r in store.query(query, substitutions={"org": ox.NamedNode(LEEDS)})] == [
        "Leeds City Council"]
    assert list(store.query(query, substitutions={"org": ox.NamedNode(LEEDS + "-x")})) == []


def test_a_query_that_does_not_parse_is_a_query_error(store_path: Path) -> None:
    with pytest.raises(QueryError, match="not valid SPARQL"):
        GraphStore(store_path).query("SELEC ?x WHERE { ?x ?y ?z }")


def test_describe_gives_type_statements_from_any_graph(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl"], store=store)
    found = store.describe([LEEDS, "https://w3id.org/ogtgraph/id/topic/open-data", "https://example.org/none"])
    assert (LEEDS, ORG + "Organization") in {(t.subject.value, t.object.value) for t in found}
    assert {t.subject.value for t in found} == {LEEDS, "https://w3id.org/ogtgraph/id/topic/open-data"}
    assert all(t.predicate.value in (RDF_TYPE, "http://www.w3.org/2004/02/skos/core#inScheme") for t in found)


def test_remove_drops_the_graph_and_its_provenance(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl", fixtures / "batch" / "bradford-council.ttl"], store=store)
    store.remove(COUNCIL_GRAPH)
    assert not store.has_graph(COUNCIL_GRAPH)
    assert store.triple_count(COUNCIL_GRAPH) == 0
    assert [p.graph for p in store.provenance() if p.kind == "contribution"] == [GRAPH + "bradford-council"]
    assert not bool(store.query(f"ASK {{ GRAPH <{META_GRAPH}> {{ <{COUNCIL_GRAPH}> ?p ?o }} }}"))


def test_removing_a_missing_graph_is_not_found(store_path: Path) -> None:
    with pytest.raises(NotFoundError, match="ogtgraph list"):
        GraphStore(store_path).remove(GRAPH + "nothing-here")


def test_the_remains_of_an_interrupted_load_are_dropped_on_opening(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl"], store=store)
    del store
    gc.collect()
    # What a killed process can leave: a staging graph, and a new graph whose provenance was never written.
    raw = ox.Store(str(store_path))
    s, p, o = ox.NamedNode(LEEDS), ox.NamedNode("https://schema.org/name"), ox.Literal("half written")
    raw.extend([ox.Quad(s, p, o, ox.NamedNode(STAGING_GRAPH + "0000")),
                ox.Quad(s, p, o, ox.NamedNode(GRAPH + "orphan"))])
    raw.flush()
    del raw
    gc.collect()
    store = GraphStore(store_path)
    assert graph_names(store) == {VOCABULARY_GRAPH, META_GRAPH, COUNCIL_GRAPH}
    assert store.triple_count(COUNCIL_GRAPH) == COUNCIL_TRIPLES


def test_a_second_writer_is_told_the_store_is_in_use(store_path: Path) -> None:
    first = GraphStore(store_path)
    with pytest.raises(StoreError, match="in use"):
        GraphStore(store_path)
    assert first.provenance()


def test_reading_a_store_that_does_not_exist_says_to_load_first(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="ogtgraph load") as raised:
        GraphStore(tmp_path / "never-created", read_only=True)
    assert raised.value.exit_code == 2


def test_a_read_only_store_cannot_be_changed(store_path: Path, fixtures: Path) -> None:
    GraphStore(store_path)  # created, then closed as soon as it is dropped
    gc.collect()
    reader = GraphStore(store_path, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        publishing.load([fixtures / "valid" / "council.ttl"], store=reader)
    with pytest.raises(StoreError, match="read-only"):
        reader.remove(VOCABULARY_GRAPH)


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_round_trips_with_graph_names(store_path: Path, fixtures: Path, fmt: str) -> None:
    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl"], store=store)
    out = io.BytesIO()
    store.export(out, fmt)
    quads = list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG))
    in_council = [q for q in quads if q.graph_name == ox.NamedNode(COUNCIL_GRAPH)]
    assert len(in_council) == COUNCIL_TRIPLES
    assert {q.graph_name.value for q in quads} == {VOCABULARY_GRAPH, META_GRAPH, COUNCIL_GRAPH}
