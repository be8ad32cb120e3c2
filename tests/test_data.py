"""data/: the bundled contributions conform together, load, are big enough, use real GSS codes, name no person."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA, REPO, SHARED_DATA

from ogtgraph import publishing
from ogtgraph.formats import contribution_files, read_contribution
from ogtgraph.namespaces import GRAPH, GSS, SKOS
from ogtgraph.store import GraphStore

LA_CSV = SHARED_DATA / "uk-local-authorities" / "uk_local_authorities.csv"
SCHEMA = "https://schema.org/"
ID = "https://w3id.org/ogtgraph/id/"
# The local parts of team and role mailboxes; anything else shaped like "firstname.lastname" is a person's.
ROLE_WORDS = {"data", "open", "opendata", "digital", "team", "info", "help", "helpdesk", "contact", "enquiries",
              "support", "hello", "admin", "office", "press", "media", "service", "services", "standards", "tech"}


def data_files() -> list[Path]:
    return contribution_files([DATA])


def statements() -> list[ox.Triple]:
    return [t for p in data_files() for t in read_contribution(p).triples]


def count(store: GraphStore, cls: str) -> int:
    row = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}")))
    return int(row["n"].value)


@pytest.fixture(scope="module")
def authorities() -> list[dict[str, str]]:
    if not LA_CSV.exists():
        pytest.skip(f"{LA_CSV} is not here; the GSS checks need mySociety's list of local authorities")
    with LA_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def areas() -> dict[str, dict[str, list[str]]]:
    """ontology/areas.ttl as {GSS code: {property local name: [values]}}."""
    found: dict[str, dict[str, list[str]]] = {}
    for q in ox.parse(path=str(REPO / "ontology" / "areas.ttl"), format=ox.RdfFormat.TURTLE):
        if q.subject.value.startswith(GSS):
            local = re.split(r"[#/]", q.predicate.value)[-1]
            value = q.object.value[len(GSS):] if q.object.value.startswith(GSS) else q.object.value
            found.setdefault(q.subject.value[len(GSS):], {}).setdefault(local, []).append(value)
    return found


# ---------------------------------------------------------------- conforms and loads


def test_every_file_in_data_conforms_when_validated_together() -> None:
    outcomes, conforming = publishing.check(data_files())
    assert len(outcomes) >= 10
    problems = {o.source: (str(o.error) if o.error else o.report.lines()) for o in outcomes  # type: ignore[union-attr]
                if not o.conforms}
    assert problems == {}
    assert len(conforming) == len(outcomes)


def test_data_names_only_areas_the_store_knows() -> None:
    outcomes, _ = publishing.check(data_files())
    warnings = [line for o in outcomes if o.report for line in o.report.lines()]
    assert warnings == []


def test_every_file_in_data_is_loaded_into_its_own_graph(data_store: GraphStore) -> None:
    graphs = {p.graph for p in data_store.provenance() if p.kind == "contribution"}
    assert graphs == {GRAPH + p.stem for p in data_files()}


def test_data_has_enough_organisations_and_projects(data_store: GraphStore) -> None:
    assert count(data_store, "http://www.w3.org/ns/org#Organization") >= 25
    assert count(data_store, SCHEMA + "Project") >= 10


def test_data_describes_the_organisations_the_issue_names(data_store: GraphStore) -> None:
    names = {r["n"].value for r in data_store.query(
        "SELECT ?n WHERE { ?o a <http://www.w3.org/ns/org#Organization> ; <https://schema.org/name> ?n }")}
    for wanted in ("Yorkshire Water", "Northern Powergrid", "City of Bradford Metropolitan District Council",
                   "Calderdale Council", "Leeds City Council", "FutureGov", "dxw", "Open Data Manchester",
                   "West Yorkshire Combined Authority", "NHS Digital", "Connected Places Catapult",
                   "University of Leeds", "University of Bradford", "Northamptonshire County Council",
                   "Oxford City Council", "LocalGov Digital", "Ontario Open Government Team"):
        assert wanted in names, wanted


def test_northamptonshire_s_discovery_is_as_published(data_store: GraphStore) -> None:
    project = f"<{ID}project/open-source-reuse-discovery>"
    row = next(iter(data_store.query(
        f"PREFIX ogt: <https://w3id.org/ogtgraph/def#> PREFIX schema: <https://schema.org/> "
        f"SELECT ?start ?level WHERE {{ {project} schema:startDate ?start ; ogt:collaborationLevel ?level }}")))
    assert (row["start"].value, row["level"].value) == ("2019-08-22", f"{ID}collaboration/share-funding")
    related = {(r["p"].value.rsplit("#", 1)[-1], r["o"].value.rsplit("/", 1)[-1]) for r in data_store.query(
        f"SELECT ?p ?o WHERE {{ {project} ?p ?o . FILTER(STRSTARTS(STR(?o), '{ID}org/')) }}")}
    assert {("consulted", "oxford-city-council"), ("learnedFrom", "stockport-council"),
            ("learnedFrom", "essex-county-council")} <= related


def test_data_includes_a_jurisdiction_outside_the_uk() -> None:
    outside = {t.object.value for t in statements() if t.predicate.value == "http://purl.org/dc/terms/spatial"
               and not t.object.value.startswith(GSS)}
    assert outside


# ---------------------------------------------------------------- no personal contact details


def test_every_email_is_a_mailto_of_a_team_or_role_mailbox() -> None:
    emails = [t.object for t in statements() if t.predicate.value == "http://www.w3.org/2006/vcard/ns#hasEmail"]
    for email in emails:
        assert isinstance(email, ox.NamedNode) and email.value.startswith("mailto:"), email
        local = email.value[len("mailto:"):].split("@")[0].lower()
        parts = re.split(r"[._-]", local)
        looks_personal = len(parts) == 2 and all(p.isalpha() for p in parts) and not set(parts) & ROLE_WORDS
        assert not looks_personal, f"{email.value} looks like a person's address; use a team or role mailbox"


def test_the_personal_mailbox_check_would_catch_one() -> None:
    # The control for the check above.
    local = "jane.smith"
    parts = re.split(r"[._-]", local)
    assert len(parts) == 2 and all(p.isalpha() for p in parts) and not set(parts) & ROLE_WORDS


def test_no_telephone_numbers_or_personal_names_of_contacts() -> None:
    predicates = {t.predicate.value for t in statements()}
    assert not predicates & {SCHEMA + "telephone", SCHEMA + "email", "http://www.w3.org/2006/vcard/ns#hasTelephone",
                             "http://www.w3.org/2006/vcard/ns#fn", "http://xmlns.com/foaf/0.1/Person"}
    types = {t.object.value for t in statements() if t.predicate.value.endswith("#type")}
    assert SCHEMA + "Person" not in types and "http://xmlns.com/foaf/0.1/Person" not in types


# ---------------------------------------------------------------- real GSS codes


def test_data_uses_only_gss_codes_of_real_areas(authorities: list[dict[str, str]],
                                                areas: dict[str, dict[str, list[str]]]) -> None:
    known = {row["gss-code"] for row in authorities} | set(areas)
    used = {t.object.value[len(GSS):] for t in statements() if t.object.value.startswith(GSS)}
    assert used, "data names UK areas by GSS code"
    assert used <= known, f"unknown GSS codes: {sorted(used - known)}"


def test_the_local_authority_areas_of_the_ontology_match_mysociety(authorities: list[dict[str, str]],
                                                                   areas: dict[str, dict[str, list[str]]]) -> None:
    by_gss = {row["gss-code"]: row for row in authorities}
    by_code = {row["local-authority-code"]: row for row in authorities}
    local = {code: area for code, area in areas.items()
             if area["areaType"][0] not in ("country", "nation", "region")}
    assert local
    for code, area in local.items():
        row = by_gss.get(code)
        assert row is not None, f"{code} ({area['prefLabel']}) is not a local authority GSS code"
        assert area["prefLabel"] == [row["nice-name"]], code
        parent = by_code.get(row["combined-authority"] or row["county-la"])
        if parent is not None:
            assert area["containedInPlace"] == [parent["gss-code"]], f"{code} lies in {parent['nice-name']}"
        region = code
        while areas[region]["areaType"][0] != "region":
            region = areas[region]["containedInPlace"][0]
        assert areas[region]["prefLabel"] == [row["region"]], code


def test_every_area_has_a_label_and_a_notation_equal_to_its_code(areas: dict[str, dict[str, list[str]]]) -> None:
    for code, area in areas.items():
        assert area["notation"] == [code]
        assert len(area["prefLabel"]) == 1
        assert SKOS + "Concept" in area["type"] or any(t.endswith("#Area") for t in area["type"])
