"""`ogtgraph import digital-land`: planning.data.gov.uk's organisations, read from ../shared, and how its councils
land on the same nodes as mySociety's."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph import registers
from ogtgraph.errors import InputError
from ogtgraph.identifiers import SCHEMES
from ogtgraph.store import GraphStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SOURCE = DATA / "digital-land-organisations" / "organisation.csv"
COUNCILS = DATA / "uk-local-authorities" / "uk_local_authorities.csv"
GRAPH = "https://w3id.org/ogtgraph/graph/register-digital-land"
COUNCILS_GRAPH = "https://w3id.org/ogtgraph/graph/register-local-authorities"
ORG = "https://w3id.org/ogtgraph/id/org/"
IDENTIFIER = "https://w3id.org/ogtgraph/id/identifier/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
WD = "http://www.wikidata.org/entity/"
RECONCILED = "https://w3id.org/ogtgraph/graph/_reconciled"
SECTOR = "https://w3id.org/ogtgraph/id/sector/"
PREFIXES = """PREFIX adms: <http://www.w3.org/ns/adms#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ogt: <https://w3id.org/ogtgraph/def#>
"""

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="the shared copy of organisation.csv is missing")


def rows() -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def row(curie: str) -> dict[str, str]:
    return next(r for r in rows() if r["organisation"] == curie)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """A store with only this register imported (for tests that only read)."""
    found = GraphStore(tmp_path_factory.mktemp("digital-land") / "store")
    registers.import_file("digital-land", SOURCE, found)
    return found


def holders(store: GraphStore, identifier: str) -> set[str]:
    """The organisation nodes that have ``scheme:value`` as an identifier, in any graph."""
    scheme, _, value = identifier.partition(":")
    query = PREFIXES + "SELECT DISTINCT * WHERE { ?o a org:Organization ; adms:identifier ?i }"
    node = ox.NamedNode(IDENTIFIER + scheme + "/" + value)
    return {r["o"].value for r in store.query(query, substitutions={"i": node})}


def values(store: GraphStore, node: str, predicate: str, graph: str = GRAPH) -> set[str]:
    query = "SELECT * WHERE { GRAPH ?g { ?s ?p ?v } }"
    found = store.query(query, substitutions={"s": ox.NamedNode(node), "p": ox.NamedNode(predicate),
                                              "g": ox.NamedNode(graph)})
    return {r["v"].value for r in found}


def test_every_row_is_one_organisation(tmp_path: Path) -> None:
    curies = {r["organisation"] for r in rows()}
    store = GraphStore(tmp_path / "store")
    counts = registers.import_file("digital-land", SOURCE, store)
    assert counts.organisations == len(rows()) == len(curies)
    assert counts.closed == sum(1 for r in rows() if r["end-date"])
    organisations = {r["o"].value for r in store.query(
        PREFIXES + "SELECT ?o WHERE { GRAPH <" + GRAPH + "> { ?o a org:Organization } }")}
    assert len(organisations) == len(curies)
    found = {r["n"].value for r in store.query(
        PREFIXES + "SELECT ?n WHERE { GRAPH <" + GRAPH + "> { ?o adms:identifier ?i . ?i "
        "<http://www.w3.org/2004/02/skos/core#inScheme> <" + SCHEMES["digital-land"].iri + "> ; "
        "<http://www.w3.org/2004/02/skos/core#notation> ?n } }")}
    assert found == curies


def test_a_council_found_by_gss_code_or_wikidata_is_the_node_mysociety_mints(store: GraphStore) -> None:
    leeds = row("local-authority-eng:LDS")
    assert (leeds["wikidata"], leeds["statistical-geography"]) == ("Q6515870", "E08000035")
    node = ORG + "gss/E08000035"
    for identifier in ("gss:E08000035", "wikidata:Q6515870", "local-authority:LDS",
                       "digital-land:local-authority-eng:LDS", "domain:leeds.gov.uk"):
        assert holders(store, identifier) == {node}, identifier
    assert values(store, node, "http://www.w3.org/2002/07/owl#sameAs") == {WD + "Q6515870"}
    assert values(store, node, "https://schema.org/name") == {"Leeds City Council"}
    assert values(store, node, "http://www.w3.org/ns/org#memberOf") == {ORG + "gss/E47000003"}  # West Yorkshire CA


@pytest.mark.skipif(not COUNCILS.exists(), reason="the shared copy of uk_local_authorities.csv is missing")
def test_with_mysociety_imported_too_leeds_is_one_node_named_in_both_graphs(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-land", SOURCE, store)
    registers.import_file("local-authorities", COUNCILS, store)
    node = ORG + "gss/E08000035"
    names = {(r["g"].value, r["n"].value) for r in store.query(
        PREFIXES + "SELECT * WHERE { GRAPH ?g { ?o schema:name ?n } }", substitutions={"o": ox.NamedNode(node)})}
    assert {g for g, _ in names} == {GRAPH, COUNCILS_GRAPH}
    leeds = set()
    for identifier in ("gss:E08000035", "wikidata:Q6515870", "local-authority:LDS", "domain:leeds.gov.uk"):
        leeds |= holders(store, identifier)
    assert leeds == {node}
    canonical = {(r["a"].value, r["c"].value) for r in store.query(
        PREFIXES + "SELECT ?a ?c WHERE { GRAPH <" + RECONCILED + "> { ?a ogt:canonical ?c } }")}
    assert not {pair for pair in canonical if node in pair}
    # the Greater London Authority: its GSS code here is London's region, so it reconciles by its code instead
    assert (ORG + "digital-land/local-authority-eng:GLA", ORG + "gss/E61000001") in canonical
    # a new council listed twice by Digital Land (once without a GSS code) reconciles by Wikidata
    assert (ORG + "digital-land/local-authority:Q111232446", ORG + "gss/E06000061") in canonical


def test_a_national_park_is_its_own_node_with_its_wikidata_item_and_its_area(store: GraphStore) -> None:
    assert row("national-park-authority:Q72617158")["statistical-geography"] == "E26000009"
    node = ORG + "digital-land/national-park-authority:Q72617158"
    assert holders(store, "wikidata:Q72617158") == {node}
    assert values(store, node, "http://www.w3.org/2002/07/owl#sameAs") == {WD + "Q72617158"}
    assert values(store, node, "https://schema.org/name") == {"New Forest National Park Authority"}
    assert values(store, node, "http://purl.org/dc/terms/spatial") == {GSS + "E26000009"}
    assert values(store, node, "http://www.w3.org/ns/org#classification") == {SECTOR + "local-government"}
    assert holders(store, "gss:E26000009") == set()  # its area, not its identity
    assert holders(store, "govuk:new-forest-national-park-authority") == {node}


def test_sectors_status_and_jurisdiction_follow_the_kind_of_organisation(store: GraphStore) -> None:
    classification = "http://www.w3.org/ns/org#classification"
    tfl = ORG + "digital-land/transport-authority:Q682520"
    assert values(store, tfl, classification) == {SECTOR + "transport", SECTOR + "local-government"}
    assert values(store, tfl, "http://purl.org/dc/terms/spatial") == {GSS + "E92000001"}
    agency = ORG + "digital-land/government-organisation:EA199"
    assert values(store, agency, classification) == {SECTOR + "central-government"}
    assert holders(store, "govuk:environment-agency") == {agency}
    assert row("local-authority-eng:CMA")["end-date"] == ""  # still live in this snapshot of the register
    heartlands = ORG + "digital-land/development-corporation:Q4916714"
    assert values(store, heartlands, "https://w3id.org/ogtgraph/def#status") == {
        "https://w3id.org/ogtgraph/id/status/closed"}
    assert values(store, heartlands, "https://schema.org/dissolutionDate") == {"1998-04-03"}


def test_slips_in_the_file_are_mended_or_left_out(store: GraphStore) -> None:
    wikimedia = row("nonprofit:Q180")
    assert (wikimedia["name"], wikimedia["wikidata"]) == ("Q180", "Wikimedia Foundation")  # swapped in the file
    node = ORG + "digital-land/nonprofit:Q180"
    assert values(store, node, "https://schema.org/name") == {"Wikimedia Foundation"}
    assert holders(store, "wikidata:Q180") == {node}
    # Windsor and Maidenhead carries Kensington and Chelsea's Wikidata ID: neither gets it
    assert row("local-authority-eng:WNM")["wikidata"] == row("local-authority-eng:KEC")["wikidata"] == "Q6391507"
    assert holders(store, "wikidata:Q6391507") == set()
    assert holders(store, "gss:E06000040") == {ORG + "gss/E06000040"}
    # a year read as a spreadsheet day number is not a founding date; a real one is kept
    assert row("local-authority-eng:LDS")["start-date"] == "1905-06-08"
    assert values(store, ORG + "gss/E08000035", "https://schema.org/foundingDate") == set()
    assert values(store, ORG + "digital-land/development-corporation:Q4916714",
                  "https://schema.org/foundingDate") == {"1992-01-01"}
    assert holders(store, "local-authority:CUA") == set()  # Digital Land's interim code, not mySociety's (CBD)


def test_importing_again_replaces_the_graph_and_its_provenance(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-land", SOURCE, store)
    first = store.triple_count(GRAPH)
    part = tmp_path / "organisation.csv"
    part.write_text("".join(SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)[:11]), encoding="utf-8")
    assert registers.import_file("digital-land", part, store).organisations == 10
    assert store.triple_count(GRAPH) < first
    registers.import_file("digital-land", SOURCE, store)
    assert store.triple_count(GRAPH) == first
    records = [p for p in store.provenance() if p.graph == GRAPH]
    assert len(records) == 1
    assert records[0].source == "organisation.csv" and records[0].triples == first
    assert records[0].license == "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert "planning.data.gov.uk" in (records[0].attribution or "")


@pytest.mark.parametrize("content", [b"organisation,name\nlocal-authority-eng:LDS,Leeds City Council\n",
                                     b"\xff\xfe\x00not a csv"])
def test_a_file_that_is_not_the_register_changes_nothing(tmp_path: Path, content: bytes) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-land", SOURCE, store)
    before, provenance = store.triple_count(GRAPH), store.provenance()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(InputError, match="bad.csv") as raised:
        registers.import_file("digital-land", bad, store)
    if content.startswith(b"organisation"):
        assert "missing columns: wikidata, website, statistical-geography" in str(raised.value)
    assert store.triple_count(GRAPH) == before
    assert store.provenance() == provenance
