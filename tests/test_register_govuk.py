"""`ogtgraph import govuk-organisations`: GOV.UK's list of government organisations, read from ../shared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from ogtgraph import registers
from ogtgraph.errors import InputError
from ogtgraph.registers.govuk_organisations import REGISTER
from ogtgraph.store import GraphStore

SOURCE = (Path(__file__).resolve().parents[2] / "shared" / "data" / "govuk-organisations"
          / "gov.uk_api_organisations.json")
KIND = "govuk-organisations"
ORG = "https://w3id.org/ogtgraph/id/org/govuk/"
IDENTIFIER = "https://w3id.org/ogtgraph/id/identifier/govuk/"
OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ogt: <https://w3id.org/ogtgraph/def#>
"""

pytestmark = pytest.mark.skipif(not SOURCE.exists(),
                                reason="the shared copy of gov.uk_api_organisations.json is missing")


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(SOURCE.read_bytes())["results"]
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    opened = GraphStore(tmp_path_factory.mktemp("govuk") / "store")
    registers.import_file(KIND, SOURCE, opened)
    yield opened
    opened.close()


def values(store: GraphStore, sparql: str, **bindings: str) -> set[str]:
    """The values of ``?x`` in ``sparql`` (``SELECT * WHERE {...}``), with ``bindings`` as IRIs."""
    rows = store.query(PREFIXES + sparql, substitutions={k: ox.NamedNode(v) for k, v in bindings.items()})
    return {row["x"].value for row in rows}


def slugs(record: dict[str, Any], key: str) -> set[str]:
    return {link["id"].rsplit("/", 1)[-1] for link in record[key]}


def by_slug(records: list[dict[str, Any]], slug: str) -> dict[str, Any]:
    return next(r for r in records if r["details"]["slug"] == slug)


def test_every_record_is_one_organisation_and_the_closed_ones_are_marked(store: GraphStore,
                                                                        records: list[dict[str, Any]]) -> None:
    found = values(store, "SELECT * WHERE { ?x a org:Organization, schema:GovernmentOrganization }")
    assert found == {ORG + r["details"]["slug"] for r in records}
    assert len(found) == len(records) == 1254
    closed = values(store, "SELECT * WHERE { ?x ogt:status <https://w3id.org/ogtgraph/id/status/closed> }")
    assert closed == {ORG + r["details"]["slug"] for r in records if r["details"]["govuk_status"] == "closed"}
    assert len(closed) == 589
    dissolved = values(store, "SELECT * WHERE { ?x schema:dissolutionDate ?d }")
    assert dissolved == {ORG + r["details"]["slug"] for r in records if r["details"]["closed_at"]}


def test_cabinet_office_is_found_by_its_slug_with_its_children(store: GraphStore,
                                                               records: list[dict[str, Any]]) -> None:
    node = values(store, "SELECT * WHERE { ?x adms:identifier ?id }", id=IDENTIFIER + "cabinet-office")
    assert node == {ORG + "cabinet-office"}
    assert values(store, "SELECT * WHERE { ?o schema:name ?x }", o=ORG + "cabinet-office") == {"Cabinet Office"}
    assert values(store, "SELECT * WHERE { ?o dcterms:type ?x }", o=ORG + "cabinet-office") == {
        "Ministerial department"}
    assert values(store, "SELECT * WHERE { ?o dcterms:identifier ?x }", o=ORG + "cabinet-office") == {"GB-GOR:D2"}
    children = values(store, "SELECT * WHERE { ?o org:hasSubOrganization ?x }", o=ORG + "cabinet-office")
    expected = slugs(by_slug(records, "cabinet-office"), "child_organisations")
    assert children == {ORG + s for s in expected}
    assert {ORG + "crown-commercial-service", ORG + "civil-service-commission"} <= children
    # GDS moved to the Department for Science, Innovation and Technology in 2025; the file says so
    assert values(store, "SELECT * WHERE { ?o org:subOrganizationOf ?x }", o=ORG + "government-digital-service") == {
        ORG + "department-for-science-innovation-and-technology"}
    assert values(store, "SELECT * WHERE { ?o schema:alternateName ?x }", o=ORG + "government-digital-service") == {
        "GDS"}


def test_the_identifier_node_describes_the_slug(store: GraphStore) -> None:
    iri = IDENTIFIER + "cabinet-office"
    assert values(store, "SELECT * WHERE { ?i a adms:Identifier ; skos:notation ?x }", i=iri) == {"cabinet-office"}
    assert values(store, "SELECT * WHERE { ?i skos:inScheme ?x }", i=iri) == {
        "https://w3id.org/ogtgraph/id/identifier-scheme/govuk"}
    # the GOV.UK page is the url, but www.gov.uk is everyone's host: no domain identifier
    assert values(store, "SELECT * WHERE { ?o schema:url ?x }", o=ORG + "cabinet-office") == {
        "https://www.gov.uk/government/organisations/cabinet-office"}
    assert not values(store, "SELECT * WHERE { ?x skos:inScheme ?s }",
                      s="https://w3id.org/ogtgraph/id/identifier-scheme/domain")


def test_a_merger_is_one_dated_change_event(store: GraphStore, records: list[dict[str, Any]]) -> None:
    fcdo = ORG + "foreign-commonwealth-development-office"
    for old in ("foreign-commonwealth-office", "department-for-international-development"):
        assert slugs(by_slug(records, old), "superseding_organisations") == {fcdo.rsplit("/", 1)[-1]}
        assert values(store, "SELECT * WHERE { ?o dcterms:isReplacedBy ?x }", o=ORG + old) == {fcdo}
        assert values(store, "SELECT * WHERE { ?o schema:dissolutionDate ?x }", o=ORG + old) == {"2020-09-02"}
    events = values(store, "SELECT * WHERE { ?x a org:ChangeEvent ; org:originalOrganization ?o }",
                    o=ORG + "foreign-commonwealth-office")
    assert len(events) == 1
    event = events.pop()
    assert values(store, "SELECT * WHERE { ?e org:originalOrganization ?x }", e=event) == {
        ORG + "foreign-commonwealth-office", ORG + "department-for-international-development"}
    assert values(store, "SELECT * WHERE { ?e org:resultingOrganization ?x }", e=event) == {fcdo}
    assert values(store, "SELECT * WHERE { ?e prov:atTime ?x }", e=event) == {"2020-09-02"}
    # the Stabilisation Unit closed a day earlier into the same department: an event of its own
    assert values(store, "SELECT * WHERE { ?n dcterms:replaces ?x }", n=fcdo) == {
        ORG + "foreign-commonwealth-office", ORG + "department-for-international-development",
        ORG + "stabilisation-unit"}


def test_a_body_that_still_exists_is_not_replaced_by_its_devolved_government(store: GraphStore,
                                                                             records: list[dict[str, Any]]) -> None:
    record = by_slug(records, "arts-council-of-wales")
    assert slugs(record, "superseding_organisations") == {"welsh-government"}  # what GOV.UK says
    assert not values(store, "SELECT * WHERE { ?o dcterms:isReplacedBy ?x }", o=ORG + "arts-council-of-wales")
    assert values(store, "SELECT * WHERE { ?o ogt:status ?x }", o=ORG + "arts-council-of-wales") == {
        "https://w3id.org/ogtgraph/id/status/exempt"}


@pytest.mark.parametrize(("slug", "sectors", "areas"), [
    ("cabinet-office", {"central-government"}, {"K02000001"}),
    ("nhs-england", {"central-government", "health"}, {"K02000001"}),
    ("health-and-safety-executive", {"central-government"}, {"K02000001"}),
    ("the-scottish-government", {"central-government"}, {"S92000003"}),
    ("arts-council-of-wales", {"central-government"}, {"W92000004"}),
    ("police-service-of-northern-ireland", {"central-government"}, {"N92000002"}),
    ("youth-justice-board-for-england-and-wales", {"central-government"}, {"E92000001", "W92000004"}),
])
def test_sector_and_jurisdiction_come_from_the_title(store: GraphStore, slug: str, sectors: set[str],
                                                     areas: set[str]) -> None:
    found = values(store, "SELECT * WHERE { ?o org:classification ?x }", o=ORG + slug)
    assert {s.rsplit("/", 1)[-1] for s in found} == sectors
    assert values(store, "SELECT * WHERE { ?o dcterms:spatial ?x }", o=ORG + slug) == {GSS + a for a in areas}


def test_text_mangled_on_the_way_into_the_file_is_repaired(store: GraphStore) -> None:
    assert values(store, "SELECT * WHERE { ?o schema:name ?x }", o=ORG + "treasury-solicitor-s-department") == {
        "Treasury Solicitor\u2019s Department"}
    assert values(store, "SELECT * WHERE { ?o schema:name ?x }", o=ORG + "victoria-climbi_-inquiry") == {
        "Victoria Climbi\u00e9 Inquiry"}


def test_importing_again_replaces_the_import(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    first = registers.import_file(KIND, SOURCE, store)
    count = store.triple_count(REGISTER.graph)
    second = registers.import_file(KIND, SOURCE, store)
    assert store.triple_count(REGISTER.graph) == count
    assert first.organisations == second.organisations and first.closed == second.closed
    records = [p for p in store.provenance() if p.graph == REGISTER.graph]
    assert len(records) == 1
    assert records[0].license == OGL
    assert records[0].attribution and "Open Government Licence v3.0" in records[0].attribution
    assert records[0].triples == count
    store.close()


@pytest.mark.parametrize("content", [b'{"results": [', b'{"organisations": []}', b'[{"title": "x"}]',
                                     b'{"results": "x"}', b'{"results": []}', b"\xff\xfe\x00"])
def test_a_file_that_is_not_the_list_changes_nothing(store: GraphStore, tmp_path: Path, content: bytes) -> None:
    before = (store.triple_count(REGISTER.graph), store.provenance())
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(InputError, match="gov.uk_api_organisations.json"):
        registers.import_file(KIND, bad, store)
    assert (store.triple_count(REGISTER.graph), store.provenance()) == before
