"""`ogtgraph import universities`: learning-providers-plus.csv (UK universities), read from ../shared, and the
postcode-area table that gives each university its region or nation."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph import registers
from ogtgraph.errors import InputError
from ogtgraph.registers import universities
from ogtgraph.registers.base import Counts
from ogtgraph.store import GraphStore

SOURCE = (Path(__file__).resolve().parents[2] / "shared" / "data" / "uk-learning-providers"
          / "learning-providers-plus.csv")
KIND = "universities"
GRAPH = "https://w3id.org/ogtgraph/graph/register-universities"
ORG = "https://w3id.org/ogtgraph/id/org/ukprn/"
IDENTIFIER = "https://w3id.org/ogtgraph/id/identifier/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
LEEDS, EDINBURGH, CARDIFF, QUEENS_BELFAST = "10007795", "10007790", "10007814", "10005343"
ST_MARYS = ("10008026", "10007843")  # Belfast and Twickenham: the file gives both the same GTR_ID
NATIONS_AND_REGIONS = {"K02000001", "E92000001", "W92000004", "S92000003", "N92000002",
                       *(f"E120000{n:02d}" for n in range(1, 10))}
PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX adms: <http://www.w3.org/ns/adms#>
"""

pytestmark = pytest.mark.skipif(not SOURCE.exists(),
                                reason="the shared copy of learning-providers-plus.csv is missing")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with SOURCE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def row_of(rows: list[dict[str, str]], ukprn: str) -> dict[str, str]:
    return next(r for r in rows if r["UKPRN"] == ukprn)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GraphStore, Counts]]:
    store = GraphStore(tmp_path_factory.mktemp("universities") / "store")
    counts = registers.import_file(KIND, SOURCE, store)
    yield store, counts
    store.close()


@pytest.fixture(scope="module")
def store(imported: tuple[GraphStore, Counts]) -> GraphStore:
    return imported[0]


def values(store: GraphStore, sparql: str, **bindings: str) -> set[str]:
    """The values of ``?x`` in ``sparql`` within the universities graph, with ``bindings`` as IRIs."""
    query = PREFIXES + "SELECT * WHERE { GRAPH <" + GRAPH + "> { " + sparql + " } }"
    found = store.query(query, substitutions={k: ox.NamedNode(v) for k, v in bindings.items()})
    return {row["x"].value for row in found}


def areas_of(store: GraphStore, ukprn: str) -> set[str]:
    return {a.removeprefix(GSS) for a in values(store, "?o dcterms:spatial ?x", o=ORG + ukprn)}


# ---------------------------------------------------------------- the import


def test_every_row_is_one_university(imported: tuple[GraphStore, Counts], rows: list[dict[str, str]]) -> None:
    store, counts = imported
    expected = {ORG + r["UKPRN"] for r in rows}
    assert len(expected) == len(rows)  # one row per UKPRN in the file
    found = values(store, "?x a org:Organization, schema:CollegeOrUniversity ; org:classification "
                          "<https://w3id.org/ogtgraph/id/sector/higher-education>")
    assert found == expected
    assert counts.organisations == len(rows)
    assert values(store, "?x a schema:CollegeOrUniversity ; <https://w3id.org/ogtgraph/def#status> "
                         "<https://w3id.org/ogtgraph/id/status/live>") == expected


def test_leeds_has_the_identifiers_names_and_region_the_file_gives(store: GraphStore,
                                                                    rows: list[dict[str, str]]) -> None:
    row = row_of(rows, LEEDS)
    leeds = ORG + LEEDS
    assert values(store, "?o adms:identifier ?x", o=leeds) == {
        IDENTIFIER + "ukprn/" + LEEDS, IDENTIFIER + "hesa/" + row["HESA_ID"], IDENTIFIER + "gtr/" + row["GTR_ID"],
        IDENTIFIER + "domain/leeds.ac.uk"}
    assert row["HESA_ID"] == "0124" and row["GTR_ID"] == "65E7B3BB-0570-4F2A-9415-C7D336AA6477"
    assert values(store, "?o schema:name ?x", o=leeds) == {"University of Leeds"}
    assert values(store, "?o schema:alternateName ?x", o=leeds) == {"UNIVERSITY OF LEEDS"}
    assert values(store, "?o schema:url ?x", o=leeds) == {"http://www.leeds.ac.uk/"}
    assert areas_of(store, LEEDS) == {"E12000003"}  # LS: Yorkshire and The Humber
    assert values(store, "?o schema:keywords ?x", o=leeds) == {
        "Russell Group", "N8 Research Partnership", "White Rose University Consortium"}


def test_leeds_has_its_address_and_coordinates(store: GraphStore) -> None:
    leeds = ORG + LEEDS
    assert values(store, "?o schema:address/schema:postalCode ?x", o=leeds) == {"LS2 9JT"}
    assert values(store, "?o schema:address/schema:addressLocality ?x", o=leeds) == {"LEEDS"}
    assert values(store, "?o schema:address/a ?x", o=leeds) == {"https://schema.org/PostalAddress"}
    found = store.query(PREFIXES + "SELECT * WHERE { ?o schema:geo [ a schema:GeoCoordinates ; "
                        "schema:latitude ?lat ; schema:longitude ?long ] }", substitutions={
                            "o": ox.NamedNode(leeds)})
    (row,) = list(found)
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    assert (row["lat"], row["long"]) == (ox.Literal("53.808494", datatype=decimal),
                                         ox.Literal("-1.552797", datatype=decimal))


def test_the_nations_come_from_the_postcode(store: GraphStore, rows: list[dict[str, str]]) -> None:
    assert row_of(rows, EDINBURGH)["POSTCODE"].startswith("EH")
    assert areas_of(store, EDINBURGH) == {"S92000003"}
    assert row_of(rows, CARDIFF)["POSTCODE"].startswith("CF")
    assert areas_of(store, CARDIFF) == {"W92000004"}
    assert row_of(rows, QUEENS_BELFAST)["POSTCODE"].startswith("BT")
    assert areas_of(store, QUEENS_BELFAST) == {"N92000002"}


def test_every_university_has_one_region_or_nation(store: GraphStore, rows: list[dict[str, str]]) -> None:
    found = store.query(PREFIXES + "SELECT ?o (COUNT(?a) AS ?n) WHERE { GRAPH <" + GRAPH + "> { "
                        "?o a schema:CollegeOrUniversity OPTIONAL { ?o dcterms:spatial ?a } } } GROUP BY ?o")
    counts = {r["o"].value: int(r["n"].value) for r in found}
    assert len(counts) == len(rows) and set(counts.values()) == {1}
    areas = values(store, "?o a schema:CollegeOrUniversity ; dcterms:spatial ?x")
    assert {a.removeprefix(GSS) for a in areas} <= NATIONS_AND_REGIONS
    # the postcode gives a region for almost all; only a few lie in areas that cross a border
    coarse = [r for r in rows if areas_of(store, r["UKPRN"]) & {"E92000001", "K02000001"}]
    assert len(coarse) < len(rows) // 20


def test_the_same_university_is_found_by_hesa_and_by_ukprn(store: GraphStore, rows: list[dict[str, str]]) -> None:
    for ukprn in (LEEDS, EDINBURGH, CARDIFF):
        hesa = row_of(rows, ukprn)["HESA_ID"]
        by_hesa = values(store, "?x adms:identifier ?i", i=IDENTIFIER + "hesa/" + hesa)
        by_ukprn = values(store, "?x adms:identifier ?i", i=IDENTIFIER + "ukprn/" + ukprn)
        assert by_hesa == by_ukprn == {ORG + ukprn}


def test_a_gtr_id_two_rows_share_is_left_out_so_they_stay_two(imported: tuple[GraphStore, Counts],
                                                              rows: list[dict[str, str]]) -> None:
    store, counts = imported
    shared = {row_of(rows, u)["GTR_ID"] for u in ST_MARYS}
    assert len(shared) == 1 and shared != {""}
    assert not values(store, "?x adms:identifier ?i", i=IDENTIFIER + "gtr/" + shared.pop())
    for ukprn in ST_MARYS:
        assert values(store, "?o schema:name ?x", o=ORG + ukprn)
        assert not {i for i in values(store, "?o adms:identifier ?x", o=ORG + ukprn) if "/gtr/" in i}
    assert counts.other["gtr identifiers shared by several rows left out"] == 2
    # every other GTR_ID in the file is stated, upper case
    single = [r["GTR_ID"] for r in rows if r["GTR_ID"] and r["UKPRN"] not in ST_MARYS]
    found = values(store, "?o adms:identifier ?x FILTER(CONTAINS(STR(?x), '/gtr/'))")
    assert found == {IDENTIFIER + "gtr/" + g.upper() for g in single}


def test_the_import_carries_its_licence_and_attribution(store: GraphStore) -> None:
    (record,) = [p for p in store.provenance() if p.graph == GRAPH]
    assert record.source == "learning-providers-plus.csv"
    assert record.license == "https://opensource.org/licenses/MIT"
    assert record.attribution == universities.REGISTER.attribution
    assert "ODI Leeds" in record.attribution and "learning-provider.data.ac.uk" in record.attribution
    assert record.derived_from == universities.REGISTER.download


def test_importing_again_replaces_the_import(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file(KIND, SOURCE, store)
    first = store.triple_count(GRAPH)
    registers.import_file(KIND, SOURCE, store)
    assert store.triple_count(GRAPH) == first
    assert len([p for p in store.provenance() if p.graph == GRAPH]) == 1
    fewer = tmp_path / "fewer.csv"
    lines = SOURCE.read_text(encoding="utf-8-sig").splitlines()
    fewer.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")  # the header and ten universities
    assert registers.import_file(KIND, fewer, store).organisations == 10
    assert 0 < store.triple_count(GRAPH) < first
    (record,) = [p for p in store.provenance() if p.graph == GRAPH]
    assert record.source == "fewer.csv"
    assert len(values(store, "?x a schema:CollegeOrUniversity")) == 10


def test_a_file_without_the_columns_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file(KIND, SOURCE, store)
    before = store.triple_count(GRAPH)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("UKPRN,NAME\n10007795,University of Leeds\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"wrong\.csv.*missing columns: PROVIDER_NAME, VIEW_NAME") as failure:
        registers.import_file(KIND, wrong, store)
    assert "learning-providers-plus.csv" in str(failure.value)  # says which file is wanted, and where it is
    assert store.triple_count(GRAPH) == before
    (record,) = [p for p in store.provenance() if p.graph == GRAPH]
    assert record.source == "learning-providers-plus.csv"
    fresh = GraphStore(tmp_path / "fresh")
    with pytest.raises(InputError):
        registers.import_file(KIND, wrong, fresh)
    assert not fresh.has_graph(GRAPH)


# ---------------------------------------------------------------- the postcode-area table


@pytest.mark.parametrize(("postcode", "code"), [
    ("LS2 9JT", "E12000003"),  # Leeds: Yorkshire and The Humber
    ("ls29jt", "E12000003"),  # written any way
    ("EH1 1HT", "S92000003"),  # Edinburgh
    ("CF10 3AT", "W92000004"),  # Cardiff
    ("BT7 1NN", "N92000002"),  # Belfast
    ("WC1E 6BT", "E12000007"),  # London, with a sub-district letter
    ("NE1 7RU", "E12000001"),  # North East
    ("B15 2TT", "E12000005"),  # Birmingham: a district row
    ("SY23 2AX", "W92000004"),  # Aberystwyth: a Welsh district of a cross-border area
    ("CH1 4BJ", "K02000001"),  # Chester: CH1 reaches into Flintshire, so not even a nation
    ("CH2 1AA", "E12000002"),  # Chester (east): North West
    ("GL7 6JS", "E92000001"),  # Cirencester: an area crossing regions, district not checked
    ("", "K02000001"),
    ("not a postcode", "K02000001"),
])
def test_the_postcode_gives_the_region_or_nation(postcode: str, code: str) -> None:
    assert universities.jurisdiction(postcode) == code


def test_the_table_covers_every_postcode_area_with_known_codes() -> None:
    table = universities.postcode_areas()
    assert len(table) == 124  # the 121 UK postcode areas and Guernsey, Jersey, the Isle of Man
    for area, spans in table.items():
        assert re.fullmatch(r"[A-Z]{1,2}", area)
        assert [s for s in spans if s[:2] == (0, 999)], f"{area} has no row for the whole area"
        for first, last, code in spans:
            assert first <= last
            assert code in NATIONS_AND_REGIONS or code in {"GGY", "JEY", "IMN"}, (area, code)
    assert universities.jurisdiction("JE2 4WJ") == "http://publications.europa.eu/resource/authority/country/JEY"
