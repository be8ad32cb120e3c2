"""queries: every named query parses and runs on data/, parameters are bound as RDF terms, never as text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA, REPO

from ogtgraph import queries
from ogtgraph.errors import InternalError, NotFoundError, QueryError
from ogtgraph.formats import contribution_files, read_contribution
from ogtgraph.namespaces import GSS, ORG, RDF_TYPE, SECTOR, TOPIC
from ogtgraph.store import GraphStore

ID = "https://w3id.org/ogtgraph/id/"
SENSIBLE = {"sector": "local-government", "topic": "open-data", "area": "E47000003",
            "organisation": "leeds-city-council"}
REQUIRED_BY_THE_ISSUE = {"organisations_by_sector", "projects_by_topic", "projects_by_jurisdiction",
                         "partners_of_organisation", "cross_sector_topic_organisations"}


def run(store: GraphStore, name: str, **values: str) -> list[dict[str, str]]:
    query = queries.get(name)
    result = store.query(query.text, substitutions=query.bind(values))
    columns = [v.value for v in result.variables]
    return [{c: row[c].value for c in columns if row[c] is not None} for row in result]


def data_statements() -> list[ox.Triple]:
    return [t for p in contribution_files([DATA]) for t in read_contribution(p).triples]


# ---------------------------------------------------------------- every query, on the bundled data


def test_the_catalogue_holds_every_query_file() -> None:
    files = {p.stem for p in (REPO / "queries").glob("*.rq")}
    assert set(queries.catalogue()) == files
    assert REQUIRED_BY_THE_ISSUE <= files


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "queries").glob("*.rq")))
def test_each_query_runs_on_the_data_and_finds_something(data_store: GraphStore, name: str) -> None:
    query = queries.get(name)
    assert query.summary
    values = {p.name: SENSIBLE[p.name] for p in query.params if p.required}
    assert run(data_store, name, **values), f"{name} with {values} found nothing"


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "queries").glob("*.rq")))
def test_each_query_binds_its_optional_parameters_too(data_store: GraphStore, name: str) -> None:
    query = queries.get(name)
    values = {p.name: SENSIBLE[p.name] for p in query.params}
    rows = run(data_store, name, **values)
    assert rows
    for p in query.params:  # a bound parameter shows its value in every row
        assert {row[p.name] for row in rows} == {p.term(SENSIBLE[p.name]).value}


def test_a_query_file_has_a_header_and_its_own_prefixes() -> None:
    for path in sorted((REPO / "queries").glob("*.rq")):
        text = path.read_text()
        assert text.startswith("#+ summary: "), path.name
        declared = set(re.findall(r"^PREFIX\s+(\w*):", text, flags=re.MULTILINE))
        body = "\n".join(line for line in text.splitlines() if not line.startswith(("#", "PREFIX")))
        used = set(re.findall(r"(?<![\w<?$:/#])([a-z][\w]*):(?=[A-Za-z_])", body))
        assert used <= declared, f"{path.name} uses {used - declared} without a PREFIX line"


# ---------------------------------------------------------------- what the queries find


def test_organisations_by_jurisdiction_includes_districts_inside_a_combined_authority(
        data_store: GraphStore) -> None:
    found = {row["organisation"] for row in run(data_store, "organisations_by_jurisdiction", area="E47000003")}
    assert {ID + "org/leeds-city-council", ID + "org/bradford-council", ID + "org/calderdale-council",
            ID + "org/west-yorkshire-combined-authority"} <= found
    assert ID + "org/northamptonshire-county-council" not in found
    assert ID + "org/open-data-manchester" not in found


def test_organisations_by_jurisdiction_of_a_region_includes_what_lies_inside_it(data_store: GraphStore) -> None:
    combined = {r["organisation"] for r in run(data_store, "organisations_by_jurisdiction", area="E47000003")}
    region = {r["organisation"] for r in run(data_store, "organisations_by_jurisdiction", area="E12000003")}
    assert combined < region
    assert ID + "org/yorkshire-water" in region


def test_projects_by_jurisdiction_includes_projects_of_districts_inside_a_combined_authority(
        data_store: GraphStore) -> None:
    rows = run(data_store, "projects_by_jurisdiction", area="E47000003")
    by_project = {(r["project"], r["organisation"], r["role"]) for r in rows}
    assert (ID + "project/data-mill-north", ID + "org/leeds-city-council", "lead") in by_project
    assert (ID + "project/data-mill-north", ID + "org/bradford-council", "partner") in by_project
    assert not any(r["project"] == ID + "project/open-source-reuse-discovery" for r in rows)


def test_organisations_by_sector_matches_the_files(data_store: GraphStore) -> None:
    expected = {t.subject.value for t in data_statements()
                if t.predicate.value == ORG + "classification" and t.object.value == SECTOR + "local-government"}
    rows = run(data_store, "organisations_by_sector", sector="local-government")
    assert {r["organisation"] for r in rows} == expected
    assert len(expected) >= 10


def test_projects_by_topic_matches_the_files(data_store: GraphStore) -> None:
    statements = data_statements()
    projects = {t.subject.value for t in statements
                if t.predicate.value == RDF_TYPE and t.object.value == "https://schema.org/Project"}
    expected = {t.subject.value for t in statements if t.subject.value in projects
                and t.predicate.value == "http://www.w3.org/ns/dcat#theme" and t.object.value == TOPIC + "open-data"}
    assert {r["project"] for r in run(data_store, "projects_by_topic", topic="open-data")} == expected
    assert ID + "project/open-source-reuse-discovery" not in expected


def test_partners_of_an_organisation(data_store: GraphStore) -> None:
    rows = run(data_store, "partners_of_organisation", organisation="leeds-city-council")
    partners = {(r["partner"], r["role"]) for r in rows if r["project"] == ID + "project/data-mill-north"}
    assert {(ID + "org/bradford-council", "partner"), (ID + "org/odi-leeds", "partner"),
            (ID + "org/cabinet-office", "funder")} <= partners
    assert all(r["partner"] != ID + "org/leeds-city-council" for r in rows)


def test_cross_sector_pairs_share_a_topic_and_no_sector(data_store: GraphStore) -> None:
    rows = run(data_store, "cross_sector_topic_organisations", topic="open-data")
    assert rows
    sectors: dict[str, set[str]] = {}
    for t in data_statements():
        if t.predicate.value == ORG + "classification":
            sectors.setdefault(t.subject.value, set()).add(t.object.value)
    for r in rows:
        assert r["topic"] == TOPIC + "open-data"
        assert not sectors[r["organisation"]] & sectors[r["other"]]
        assert r["organisation"] < r["other"]


def test_contributions_lists_every_loaded_file_with_its_checksum(data_store: GraphStore) -> None:
    rows = run(data_store, "contributions")
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in contribution_files([DATA])}
    assert {r["source"]: r["sha256"] for r in rows} == files


def test_organisations_per_sector_counts_agree_with_organisations_by_sector(data_store: GraphStore) -> None:
    counts = {r["sector"]: int(r["organisations"]) for r in run(data_store, "organisations_per_sector")}
    for sector in ("local-government", "utility", "civic-tech"):
        assert counts[sector] == len(run(data_store, "organisations_by_sector", sector=sector))


# ---------------------------------------------------------------- binding parameters


def test_a_bare_code_is_appended_to_the_parameter_base_and_an_iri_is_kept() -> None:
    area = next(p for p in queries.get("organisations_by_jurisdiction").params if p.name == "area")
    assert area.term("E08000035") == ox.NamedNode(GSS + "E08000035")
    assert area.term("http://www.wikidata.org/entity/Q1904") == ox.NamedNode("http://www.wikidata.org/entity/Q1904")


@pytest.mark.parametrize("value", ["} ; DROP ALL ; #", 'x" }', "a b", "<x>", "x\\y"])
def test_a_value_that_is_not_an_iri_is_refused_for_an_iri_parameter(value: str) -> None:
    with pytest.raises(QueryError, match="not an IRI"):
        queries.get("organisations_by_sector").bind({"sector": value})


def test_typed_parameters_check_their_values() -> None:
    integer = queries.Param("n", "integer", True, None, "")
    date = queries.Param("d", "date", True, None, "")
    assert integer.term("-42") == ox.Literal("-42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert date.term("2019-08-22").datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    for param, bad in ((integer, "4.2"), (integer, "1; DROP ALL"), (date, "22/08/2019")):
        with pytest.raises(QueryError):
            param.term(bad)
    assert queries.Param("s", "string", True, None, "").term('"} DROP ALL {') == ox.Literal('"} DROP ALL {')


def test_unknown_and_missing_parameters_are_query_errors() -> None:
    query = queries.get("projects_by_topic")
    with pytest.raises(QueryError, match="has no parameter colour"):
        query.bind({"topic": "open-data", "colour": "red"})
    with pytest.raises(QueryError, match="needs topic"):
        query.bind({})


def test_an_unknown_named_query_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="projects_by_topic"):
        queries.get("projects_by_colour")


def test_a_string_parameter_stays_a_value(store_path: Path, fixtures: Path) -> None:
    from ogtgraph import publishing

    store = GraphStore(store_path)
    publishing.load([fixtures / "valid" / "council.ttl"], store=store)
    before = sum(1 for _ in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    text = ("#+ summary: things by name\n#+ param: name string -- a name\n"
            "SELECT ?thing ?name WHERE { ?thing <https://schema.org/name> ?name }")
    query = queries.adhoc(text, source="by-name.rq")
    hostile = '"} ; DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> } ; #'
    assert list(store.query(query.text, substitutions=query.bind({"name": hostile}))) == []
    found = list(store.query(query.text, substitutions=query.bind({"name": "Leeds City Council"})))
    assert [r["thing"].value for r in found] == [ID + "org/leeds-city-council"]
    assert sum(1 for _ in store.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")) == before


def test_an_adhoc_query_without_a_header_has_no_parameters() -> None:
    query = queries.adhoc("SELECT * WHERE { ?s ?p ?o }", source="the query")
    assert query.params == ()
    with pytest.raises(QueryError, match="has no parameter"):
        query.bind({"s": "x"})
    with pytest.raises(QueryError, match="empty"):
        queries.adhoc("   \n", source="the query")


def test_a_broken_header_is_reported_with_its_file() -> None:
    with pytest.raises(InternalError, match="summary"):
        queries.parse_header("SELECT * {}", name="x", path=Path("x.rq"))
    with pytest.raises(InternalError, match="x.rq"):
        queries.parse_header("#+ summary: s\n#+ param: 9bad colour\nSELECT * {}", name="x", path=Path("x.rq"))
