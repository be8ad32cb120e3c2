"""`ogtgraph import digital-public-goods`: the DPGA registry folder (publicgoods-candidates), read from ../shared."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph import registers
from ogtgraph.errors import InputError
from ogtgraph.registers import digital_public_goods as dpga
from ogtgraph.store import GraphStore

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dpga-publicgoods"
NOMINEES = SOURCE / "nominees"
GRAPH = dpga.REGISTER.graph
PROJECT = "https://w3id.org/ogtgraph/id/project/dpga/"
SCHEMA = "https://schema.org/"
OGT = "https://w3id.org/ogtgraph/def#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
# contact_name values that are organisations, not people (each is also an organisation's own name in the files)
NOT_PEOPLE = {"Statistics Sweden", "eGov Foundation"}

pytestmark = pytest.mark.skipif(not NOMINEES.is_dir(), reason="the shared copy of the DPGA registry is missing")


def records() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(NOMINEES.glob("*.json"))]


def organisation_entries() -> list[dict]:
    return [o for r in records() for o in r["organizations"]]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    found = GraphStore(tmp_path_factory.mktemp("dpga") / "store")
    registers.import_file("digital-public-goods", SOURCE, found)
    return found


def values(store: GraphStore, sparql: str, **bindings: str) -> set[str]:
    """The first column of a SELECT, with ``bindings`` substituted (and projected, as pyoxigraph asks)."""
    sparql = sparql.replace(" WHERE", "".join(f" ?{k}" for k in bindings) + " WHERE", 1)
    rows = store.query(sparql, substitutions={k: ox.NamedNode(v) for k, v in bindings.items()})
    return {row[0].value for row in rows}  # type: ignore[union-attr]


def snapshot(store: GraphStore) -> list[str]:
    out = io.BytesIO()
    store.export(out, "nquads")
    return sorted(out.getvalue().decode("utf-8").splitlines())


def test_every_nominee_is_a_project(store: GraphStore) -> None:
    projects = values(store, f"SELECT ?p WHERE {{ GRAPH <{GRAPH}> {{ ?p a <{SCHEMA}Project> }} }}")
    assert projects == {PROJECT + p.stem for p in NOMINEES.glob("*.json")}
    assert len(projects) > 200
    led = values(store, f"SELECT ?p WHERE {{ GRAPH <{GRAPH}> {{ ?p <{OGT}leadOrganisation> ?o }} }}")
    assert led == projects
    awarded = values(store, f"SELECT ?p WHERE {{ GRAPH <{GRAPH}> {{ ?p <{SCHEMA}award> ?a }} }}")
    assert awarded == {PROJECT + p.stem for p, r in zip(sorted(NOMINEES.glob("*.json")), records(), strict=True)
                       if r["stage"] == "DPG"}


def test_organisations_are_the_distinct_names_less_people_and_spellings(store: GraphStore) -> None:
    names = {" ".join(o["name"].split()) for o in organisation_entries()}
    found = values(store, f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?o a <http://www.w3.org/ns/org#Organization> }} }}")
    # two names are people (left out, each replaced by a stand-in); a few are spellings of one name
    assert len(names) - 10 <= len(found) <= len(names)
    assert all(o.startswith("https://w3id.org/ogtgraph/id/org/dpga/") for o in found)
    santesuite = values(store, f"SELECT ?n WHERE {{ ?o <{SCHEMA}name>|<{SCHEMA}alternateName> ?n }}",
                        o="https://w3id.org/ogtgraph/id/org/dpga/santesuite")
    assert santesuite == {"SanteSuite Inc.", "SantéSuite Inc."}


def test_openeyes_is_led_by_apperta_under_the_agpl_on_health(store: GraphStore) -> None:
    openeyes = PROJECT + "openeyes"
    lead = values(store, f"SELECT ?n WHERE {{ ?p <{OGT}leadOrganisation>/<{SCHEMA}name> ?n }}", p=openeyes)
    assert lead == {"Apperta Foundation CIC"}
    assert values(store, "SELECT ?l WHERE { ?p <http://purl.org/dc/terms/license> ?l }", p=openeyes) == {
        "https://spdx.org/licenses/AGPL-3.0"}
    assert values(store, "SELECT ?t WHERE { ?p <http://www.w3.org/ns/dcat#theme> ?t }", p=openeyes) == {
        "http://metadata.un.org/sdg/3", "https://w3id.org/ogtgraph/id/topic/health-and-care"}
    assert values(store, f"SELECT ?r WHERE {{ ?p <{SCHEMA}codeRepository> ?r }}", p=openeyes) == {
        "https://github.com/AppertaFoundation/openeyes"}
    apperta = "https://w3id.org/ogtgraph/id/org/dpga/apperta-foundation"
    # the screening record names the UK, Australia and Hungary as development countries
    assert values(store, "SELECT ?a WHERE { ?o <http://purl.org/dc/terms/spatial> ?a }", o=apperta) == {
        COUNTRY + "GBR", COUNTRY + "AUS", COUNTRY + "HUN"}


def test_sdgs_and_unmatched_sectors_are_their_own_schemes(store: GraphStore) -> None:
    labels = values(store, "SELECT ?l WHERE { ?p <http://www.w3.org/ns/dcat#theme> ?t . "
                           "?t <http://www.w3.org/2004/02/skos/core#inScheme> ?s ; "
                           "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
                    s="https://w3id.org/ogtgraph/id/dpga-sector", p=PROJECT + "storyweaver")
    expected = {s for r in records() if r["name"] == "StoryWeaver" for s in r["sectors"]}
    assert labels == expected and "Education" in labels
    goals = values(store, "SELECT ?t WHERE { ?p <http://www.w3.org/ns/dcat#theme> ?t "
                          "FILTER(STRSTARTS(STR(?t), 'http://metadata.un.org/sdg/')) }")
    assert goals == {f"http://metadata.un.org/sdg/{g['SDGNumber']}" for r in records() for g in r["SDGs"]}


def test_funders_and_worldwide_jurisdiction(store: GraphStore) -> None:
    funder = "https://w3id.org/ogtgraph/id/org/dpga/bill-and-melinda-gates-foundation"
    assert values(store, f"SELECT ?p WHERE {{ ?p <{SCHEMA}funder> ?o }}", o=funder)
    assert values(store, "SELECT ?a WHERE { ?o <http://purl.org/dc/terms/spatial> ?a }", o=funder) == {
        "http://www.wikidata.org/entity/Q2"}
    sepa = "https://w3id.org/ogtgraph/id/org/dpga/scottish-environmental-protection-agency"
    assert values(store, "SELECT ?s WHERE { ?o <http://www.w3.org/ns/org#classification> ?s }", o=sepa) == {
        "https://w3id.org/ogtgraph/id/sector/central-government"}


def people() -> tuple[set[str], set[str]]:
    """Every contact e-mail address, and every contact name that is a person's, in the files."""
    emails = {o["contact_email"].strip() for o in organisation_entries() if o.get("contact_email", "").strip()}
    names = {o["contact_name"].strip() for o in organisation_entries() if o.get("contact_name", "").strip()}
    organisation_names = {o["name"] for o in organisation_entries()}
    assert NOT_PEOPLE <= names & organisation_names
    return emails, names - NOT_PEOPLE


def test_no_contact_name_or_email_reaches_the_store(store: GraphStore) -> None:
    emails, names = people()
    assert len(emails) > 150 and len(names) > 150
    assert {"Julius Sweetland", "Brenda Wallace"} <= names  # both also appear as an organisation's name
    patterns = [re.escape(e) for e in emails]
    for name in names:
        bare = re.sub(r"\(.*?\)|^(dr|mr|ms)\.?\s+|,\s*director$", "", name, flags=re.IGNORECASE).strip()
        # "Julius Sweetland" also as julius-sweetland, JuliusSweetland, julius_sweetland
        patterns.append(r"\b" + r"\W*_?".join(map(re.escape, re.findall(r"\w+", bare))) + r"\b")
    anyone = re.compile("|".join(patterns), re.IGNORECASE)
    rows = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")  # every graph, provenance too
    terms = {term.value for row in rows for term in row}  # type: ignore[union-attr]
    assert len(terms) > 3000
    leaks = {m.group(0) for text in terms for m in anyone.finditer(text)}
    assert leaks == set()


def test_people_named_as_organisations_give_way_to_a_stand_in(store: GraphStore) -> None:
    lead = values(store, f"SELECT ?n WHERE {{ ?p <{OGT}leadOrganisation>/<{SCHEMA}name> ?n }}",
                  p=PROJECT + "optikey")
    assert lead == {"Optikey maintainers"}


def test_importing_again_replaces_the_graph(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-public-goods", SOURCE, store)
    first = store.triple_count(GRAPH)
    # the nominees folder itself is accepted too, and finds its sibling screening folder
    registers.import_file("digital-public-goods", NOMINEES, store)
    assert store.triple_count(GRAPH) == first
    records_ = [p for p in store.provenance() if p.graph == GRAPH]
    assert len(records_) == 1 and records_[0].source == "nominees" and records_[0].triples == first
    assert records_[0].license == "https://unlicense.org/"
    assert values(store, "SELECT ?a WHERE { ?o <http://purl.org/dc/terms/spatial> ?a }",
                  o="https://w3id.org/ogtgraph/id/org/dpga/apperta-foundation") >= {COUNTRY + "GBR"}


def test_a_folder_without_nominees_changes_nothing(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-public-goods", SOURCE, store)
    before = snapshot(store)
    shutil.copytree(SOURCE / "digitalpublicgoods", tmp_path / "only-screening" / "digitalpublicgoods")
    with pytest.raises(InputError, match="no nominees/"):
        registers.import_file("digital-public-goods", tmp_path / "only-screening", store)
    with pytest.raises(InputError, match="is a file"):
        registers.import_file("digital-public-goods", NOMINEES / "openeyes.json", store)
    assert snapshot(store) == before


def test_a_nominee_that_is_not_json_changes_nothing(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    registers.import_file("digital-public-goods", SOURCE, store)
    before = snapshot(store)
    (tmp_path / "bad" / "nominees").mkdir(parents=True)
    shutil.copy(NOMINEES / "openeyes.json", tmp_path / "bad" / "nominees")
    (tmp_path / "bad" / "nominees" / "broken.json").write_text("{ not json", encoding="utf-8")
    broken = str(tmp_path / "bad" / "nominees" / "broken.json")
    for path in (tmp_path / "bad", tmp_path / "bad" / "nominees"):
        with pytest.raises(InputError) as raised:
            registers.import_file("digital-public-goods", path, store)
        assert str(raised.value).startswith(f"{broken}: not JSON")
    assert snapshot(store) == before


def test_the_cli_reports_the_projects(run_cli, store_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("import", "digital-public-goods", SOURCE)
    assert result.exit_code == 0, result.output
    assert f"{len(records())} projects" in result.output
    missing = run_cli("import", "digital-public-goods", SOURCE / "no-such-folder")
    assert missing.exit_code == 2 and "no such folder" in missing.output
