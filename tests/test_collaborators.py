"""collaborators: the ranking on a small fixture graph whose right answers are known, through the core, the CLI
and the HTTP API (a real uvicorn server on a loopback port).

The fixture graph (tests/fixtures/collaborators/, one publisher a file), seen from Fixture Leeds Council
(local-government, Leeds E08000035), which has a discovery project on water (rare: 3 of 10 projects) and one
on open-data (common: 6 of 10):

| organisation | sector, area | why it should be found |
|---|---|---|
| Leeds Teaching Hospital | health, Leeds | live on open-data (shared topic, complementary phase), same area |
| Yorkshire Water Utility | utility, Yorkshire region | live on water: rare shared topic, complementary phase |
| Ontario Data Office | central-government, country:CAN | live on open-data |
| Rivers Trust | voluntary-sector, South West | discovery on water: rare shared topic only |
| Bradford Council | local-government, Bradford (in West Yorkshire) | alpha on open-data, neighbouring area |
| Partner Lab | civic-tech, South East | partner on Leeds's water project |
| Test Fund | voluntary-sector, UK | funder of Leeds's water project |
| Common Data Co | private-sector, London | two open-data projects: common shared topic only |
| Housing Association | voluntary-sector, Essex | its housing project has the same funder |
"""

from __future__ import annotations

import gc
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from conftest import FIXTURES, REPO, Invoke
from http_server import LiveServer, load_data_store, running_server

from ogtgraph import collaborators
from ogtgraph.collaborators import Candidate, Index, Organisation, Project
from ogtgraph.config import Settings
from ogtgraph.errors import NotFoundError
from ogtgraph.namespaces import COUNTRY, DCTERMS, GSS, ORG, SCHEMA, SECTOR
from ogtgraph.store import GraphStore

ORG_ID = "https://w3id.org/ogtgraph/id/org/fx-"
PROJECT_ID = "https://w3id.org/ogtgraph/id/project/fx-"
LEEDS = ORG_ID + "leeds-council"
HOSPITAL = ORG_ID + "leeds-hospital"
UTILITY = ORG_ID + "yorkshire-water"
ONTARIO = ORG_ID + "ontario-data-office"
RIVERS = ORG_ID + "rivers-trust"
BRADFORD = ORG_ID + "bradford-council"
PARTNER = ORG_ID + "partner-lab"
FUND = ORG_ID + "test-fund"
COMMON = ORG_ID + "common-data"
HOUSING = ORG_ID + "housing-association"
EVERYONE = [LEEDS, HOSPITAL, UTILITY, ONTARIO, RIVERS, BRADFORD, PARTNER, FUND, COMMON, HOUSING]
LEEDS_WATER = PROJECT_ID + "leeds-flood-data"
LEEDS_OPEN_DATA = PROJECT_ID + "leeds-open-data"
UTILITY_WATER = PROJECT_ID + "water-live"

# The expected ranking for Leeds, worked out by hand from the scoring table in the README.
WATER = 1 + math.log(10 / 3)
OPEN_DATA = 1 + math.log(10 / 6)
EXPECTED_FOR_LEEDS = [
    (HOSPITAL, OPEN_DATA + 1 + 1),
    (UTILITY, WATER + 1),
    (ONTARIO, OPEN_DATA + 1),
    (RIVERS, WATER),
    (BRADFORD, OPEN_DATA + 0.5),
    (PARTNER, 2.0),  # a tie with the fund at 2.0, broken by name
    (FUND, 2.0),
    (COMMON, OPEN_DATA),
    (HOUSING, 1.0),
]


@pytest.fixture(scope="module")
def fixture_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the collaborator fixture graph, closed so that readers (CLI, server workers) may open it."""
    return load_data_store(tmp_path_factory.mktemp("collaborators") / "store", FIXTURES / "collaborators")


@pytest.fixture(scope="module")
def index(fixture_store_path: Path) -> Index:
    store = GraphStore(fixture_store_path, read_only=True)
    built = collaborators.load_index(store)
    store.close()
    del store
    gc.collect()
    return built


@pytest.fixture(scope="module")
def server(fixture_store_path: Path) -> Iterator[LiveServer]:
    with running_server(Settings(store=fixture_store_path, workers=1)) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http


def ids(ranked: list[Candidate]) -> list[str]:
    return [c.organisation.id for c in ranked]


def reasons_of(ranked: list[Candidate], org: str) -> list[dict[str, Any]]:
    return next(c.reasons for c in ranked if c.organisation.id == org)


def kinds(reasons: list[dict[str, Any]]) -> list[str]:
    return [r["kind"] for r in reasons]


# ---------------------------------------------------------------- the index and the ranking


def test_the_index_holds_the_fixture_graph(index: Index) -> None:
    assert sorted(o for o in index.organisations if o.startswith(ORG_ID)) == sorted(EVERYONE)
    assert len(index.projects) == 10
    assert index.projects[LEEDS_WATER].roles["partner"] == {PARTNER}
    assert index.projects[LEEDS_WATER].roles["funder"] == {FUND}
    assert index.rarity("https://w3id.org/ogtgraph/id/topic/water") > index.rarity(
        "https://w3id.org/ogtgraph/id/topic/open-data")


def test_the_ranking_for_leeds_is_the_one_worked_out_by_hand(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    assert ids(ranked) == [org for org, _ in EXPECTED_FOR_LEEDS]
    assert [c.score for c in ranked] == pytest.approx([score for _, score in EXPECTED_FOR_LEEDS])


def test_a_rare_shared_topic_ranks_above_a_common_one(index: Index) -> None:
    ranked = ids(collaborators.rank(index, organisation=LEEDS))
    # the rivers trust and the data company each share exactly one topic and nothing else
    assert ranked.index(RIVERS) < ranked.index(COMMON)
    assert ranked.index(UTILITY) < ranked.index(COMMON)


def test_a_shared_topic_names_the_projects_on_each_side(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    [water] = [r for r in reasons_of(ranked, UTILITY) if r["kind"] == "shared-topic"]
    assert water["topic"] == "water"
    assert water["yours"] == [LEEDS_WATER]
    assert water["theirs"] == [UTILITY_WATER]
    assert water["weight"] == pytest.approx(WATER, abs=1e-3)
    [common] = reasons_of(ranked, COMMON)
    assert common["kind"] == "shared-topic" and common["topic"] == "open-data"
    assert common["yours"] == [LEEDS_OPEN_DATA]
    assert common["theirs"] == [PROJECT_ID + "common-archive", PROJECT_ID + "common-portal"]


def test_live_against_discovery_on_a_shared_topic_is_a_complementary_phase(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    [phase] = [r for r in reasons_of(ranked, UTILITY) if r["kind"] == "complementary-phase"]
    assert (phase["topic"], phase["yours"], phase["yourPhase"], phase["theirs"], phase["theirPhase"]) == (
        "water", LEEDS_WATER, "discovery", UTILITY_WATER, "live")
    # both early (discovery and alpha) or one retired: no complementary phase
    assert "complementary-phase" not in kinds(reasons_of(ranked, RIVERS))
    assert "complementary-phase" not in kinds(reasons_of(ranked, BRADFORD))
    assert "complementary-phase" not in kinds(reasons_of(ranked, COMMON))


def test_partners_and_funders_on_a_project_are_already_partners(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    assert reasons_of(ranked, PARTNER) == [
        {"kind": "already-partners", "project": LEEDS_WATER, "theirRole": "partner", "weight": 2.0}]
    assert reasons_of(ranked, FUND) == [
        {"kind": "already-partners", "project": LEEDS_WATER, "theirRole": "funder", "weight": 2.0}]


def test_an_organisation_funded_by_the_same_funder_shares_a_funder(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    assert reasons_of(ranked, HOUSING) == [
        {"kind": "shared-funder", "funder": FUND, "theirs": PROJECT_ID + "housing-repairs", "weight": 1.0}]


def test_same_and_neighbouring_areas(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS)
    assert {"kind": "same-area", "area": "E08000035", "weight": 1.0} in reasons_of(ranked, HOSPITAL)
    [neighbour] = [r for r in reasons_of(ranked, BRADFORD) if r["kind"] == "neighbouring-area"]
    assert neighbour["within"] in {"E47000003", "E12000003"}  # both in West Yorkshire, and so in Yorkshire
    assert neighbour["weight"] == 0.5
    # sharing only England or the UK is not being neighbours
    for far in (UTILITY, FUND, RIVERS, COMMON):
        assert not {"same-area", "neighbouring-area"} & set(kinds(reasons_of(ranked, far)))


def test_the_score_is_the_sum_of_the_reasons(index: Index) -> None:
    for candidate in collaborators.rank(index, organisation=LEEDS):
        assert candidate.score == pytest.approx(sum(r["weight"] for r in candidate.reasons), abs=1e-2)
        assert candidate.reasons


@pytest.mark.parametrize("asker", EVERYONE)
def test_an_organisation_is_never_its_own_collaborator(index: Index, asker: str) -> None:
    assert asker not in ids(collaborators.rank(index, organisation=asker, limit=500))


# ---------------------------------------------------------------- filters and paging


def test_a_sector_filter_keeps_only_that_sector(index: Index) -> None:
    assert ids(collaborators.rank(index, organisation=LEEDS, sectors=["utility"])) == [UTILITY]


def test_sector_filters_add_up_and_take_codes_or_iris(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS, sectors=["utility", SECTOR + "health"])
    assert ids(ranked) == [HOSPITAL, UTILITY]


def test_cross_sector_drops_organisations_in_the_askers_sector(index: Index) -> None:
    everyone = ids(collaborators.rank(index, organisation=LEEDS))
    cross = ids(collaborators.rank(index, organisation=LEEDS, cross_sector=True))
    assert BRADFORD in everyone
    assert cross == [org for org in everyone if org != BRADFORD]


def test_a_combined_authority_includes_the_districts_inside_it(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS, jurisdiction="E47000003")
    assert ids(ranked) == [HOSPITAL, BRADFORD]  # Leeds and Bradford; not the region, not Canada


def test_a_region_includes_its_combined_authorities_and_their_districts(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS, jurisdiction=GSS + "E12000003")
    assert ids(ranked) == [HOSPITAL, UTILITY, BRADFORD]


def test_a_country_jurisdiction_given_as_an_iri(index: Index) -> None:
    assert ids(collaborators.rank(index, organisation=LEEDS, jurisdiction=COUNTRY + "CAN")) == [ONTARIO]
    assert ONTARIO not in ids(collaborators.rank(index, organisation=LEEDS, jurisdiction="E92000001"))


def test_a_topic_filter_keeps_only_evidence_on_that_topic(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS, topic="water")
    assert ids(ranked)[:2] == [UTILITY, RIVERS]
    for org in (COMMON, ONTARIO, BRADFORD):  # they share open-data only
        assert org not in ids(ranked)
    for candidate in ranked:
        assert all(r.get("topic", "water") == "water" for r in candidate.reasons)


def test_a_topic_filter_does_not_return_organisations_that_are_only_nearby(index: Index) -> None:
    ranked = collaborators.rank(index, organisation=LEEDS, topic="water")
    assert HOSPITAL not in ids(ranked)


def test_limit_and_offset_page_through_the_full_list(index: Index) -> None:
    full = ids(collaborators.rank(index, organisation=LEEDS, limit=500))
    assert len(full) == len(EXPECTED_FOR_LEEDS)
    pages = [ids(collaborators.rank(index, organisation=LEEDS, limit=4, offset=o)) for o in range(0, 12, 4)]
    assert pages[0] == full[:4] and pages[1] == full[4:8] and pages[2] == full[8:]
    assert sum(pages, []) == full
    assert collaborators.rank(index, organisation=LEEDS, offset=len(full)) == []


def test_project_mode_uses_only_that_projects_evidence(index: Index) -> None:
    ranked = collaborators.rank(index, project=LEEDS_WATER)
    found = ids(ranked)
    assert found[:2] == [UTILITY, RIVERS]
    assert {PARTNER, FUND, HOUSING} <= set(found)
    assert LEEDS not in found  # the project's own lead
    for only_open_data in (COMMON, ONTARIO, BRADFORD):
        assert only_open_data not in found
    assert reasons_of(ranked, PARTNER)[0]["project"] == LEEDS_WATER


def test_project_mode_never_returns_the_projects_lead(index: Index) -> None:
    ranked = collaborators.rank(index, project=UTILITY_WATER)
    assert UTILITY not in ids(ranked)
    assert ids(ranked)[0] in {LEEDS, PARTNER, RIVERS}  # all three are on water and early


def test_an_unknown_organisation_or_project_is_not_found(index: Index) -> None:
    with pytest.raises(NotFoundError, match="no organisation"):
        collaborators.rank(index, organisation=ORG_ID + "nobody")
    with pytest.raises(NotFoundError, match="no project"):
        collaborators.rank(index, project=PROJECT_ID + "nothing")
    with pytest.raises(NotFoundError):
        collaborators.rank(index)


def test_find_organisation_by_iri_or_name(index: Index) -> None:
    assert collaborators.find_organisation(index, LEEDS) == LEEDS
    assert collaborators.find_organisation(index, "fixture leeds council") == LEEDS  # whole name, any case
    assert collaborators.find_organisation(index, "Rivers") == RIVERS  # a unique part
    assert collaborators.find_organisation(index, "water utility") == UTILITY


def test_find_organisation_ambiguous_or_missing(index: Index) -> None:
    with pytest.raises(NotFoundError, match=r'"Fixture Leeds" names 2 organisations') as ambiguous:
        collaborators.find_organisation(index, "Fixture Leeds")
    assert "Fixture Leeds Council" in str(ambiguous.value)
    assert "Fixture Leeds Teaching Hospital" in str(ambiguous.value)
    with pytest.raises(NotFoundError, match="no organisation is called"):
        collaborators.find_organisation(index, "Atlantis Borough Council")


def test_as_json_gives_the_documented_fields(index: Index) -> None:
    [first, *_] = collaborators.as_json(collaborators.rank(index, organisation=LEEDS), index)
    assert first == {
        "id": HOSPITAL, "name": "Fixture Leeds Teaching Hospital", "sector": ["health"],
        "jurisdiction": ["E08000035"], "score": round(OPEN_DATA + 2, 3), "reasons": first["reasons"]}
    json.dumps(first)  # plain JSON values only


# ---------------------------------------------------------------- the CLI


def test_cli_prints_a_table_for_a_name(run_cli: Invoke, fixture_store_path: Path) -> None:
    result = run_cli("collaborators", "Leeds Council", store=fixture_store_path)
    assert result.exit_code == 0, result.output
    assert f"Collaborators for Fixture Leeds Council <{LEEDS}>" in result.stdout
    names = ["Teaching Hospital", "Water Utility", "Ontario", "Rivers Trust", "Bradford", "Partner Lab",
             "Test Fund", "Common Data", "Housing"]
    positions = [result.stdout.index(name) for name in names]
    assert positions == sorted(positions)
    assert "shared-topic (water)" in result.stdout


def test_cli_json_with_filters(run_cli: Invoke, fixture_store_path: Path) -> None:
    result = run_cli("collaborators", LEEDS, "--sector", "utility", "--sector", "health", "--format", "json",
                     store=fixture_store_path)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [HOSPITAL, UTILITY]
    result = run_cli("collaborators", LEEDS, "--jurisdiction", "E47000003", "--cross-sector", "--format", "json",
                     store=fixture_store_path)
    assert [r["id"] for r in json.loads(result.stdout)] == [HOSPITAL]
    result = run_cli("collaborators", LEEDS, "--limit", "2", "--format", "json", store=fixture_store_path)
    assert [r["id"] for r in json.loads(result.stdout)] == [HOSPITAL, UTILITY]


def test_cli_ambiguous_or_unknown_name_exits_2(run_cli: Invoke, fixture_store_path: Path) -> None:
    result = run_cli("collaborators", "Fixture Leeds", store=fixture_store_path)
    assert result.exit_code == 2
    assert "names 2 organisations" in result.stderr and "Traceback" not in result.output
    result = run_cli("collaborators", "Atlantis", store=fixture_store_path)
    assert result.exit_code == 2
    assert "no organisation is called" in result.stderr


# ---------------------------------------------------------------- the HTTP API, on a real server


def test_api_returns_the_ranking_as_json(client: httpx.Client, index: Index) -> None:
    response = client.get("/api/collaborators", params={"organisation": LEEDS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["@context"] == "https://w3id.org/ogtgraph/context.jsonld"
    assert [r["id"] for r in body["results"]] == [org for org, _ in EXPECTED_FOR_LEEDS]
    expected = collaborators.as_json(collaborators.rank(index, organisation=LEEDS), index)
    assert body["results"] == expected
    for result in body["results"]:
        assert set(result) == {"id", "name", "sector", "jurisdiction", "score", "reasons"}


def test_api_filters_as_query_parameters(client: httpx.Client) -> None:
    def found(**params: Any) -> list[str]:
        response = client.get("/api/collaborators", params={"organisation": LEEDS, **params})
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["results"]]

    assert found(sector=["utility", "health"]) == [HOSPITAL, UTILITY]
    assert BRADFORD not in found(**{"cross-sector": "true"}) and BRADFORD in found()
    assert found(jurisdiction="E47000003") == [HOSPITAL, BRADFORD]
    assert found(jurisdiction=GSS + "E12000003") == [HOSPITAL, UTILITY, BRADFORD]
    assert found(topic="water")[:2] == [UTILITY, RIVERS]
    assert found(limit=3, offset=2) == [org for org, _ in EXPECTED_FOR_LEEDS][2:5]


def test_api_project_mode(client: httpx.Client) -> None:
    response = client.get("/api/collaborators", params={"project": LEEDS_WATER})
    assert response.status_code == 200
    found = [r["id"] for r in response.json()["results"]]
    assert found[:2] == [UTILITY, RIVERS] and LEEDS not in found


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "code", "status"}
    assert body["status"] == status and body["error"] and "Traceback" not in body["error"]
    return body


@pytest.mark.parametrize("params", [{}, {"organisation": LEEDS, "project": LEEDS_WATER}])
def test_api_needs_exactly_one_of_organisation_or_project(client: httpx.Client, params: dict[str, str]) -> None:
    body = assert_error(client.get("/api/collaborators", params=params), 400)
    assert "organisation" in body["error"] and "project" in body["error"]


def test_api_unknown_organisation_or_project_is_404(client: httpx.Client) -> None:
    body = assert_error(client.get("/api/collaborators", params={"organisation": ORG_ID + "nobody"}), 404)
    assert body["code"] == "not-found" and ORG_ID + "nobody" in body["error"]
    assert_error(client.get("/api/collaborators", params={"project": PROJECT_ID + "nothing"}), 404)


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "501"}, {"limit": "ten"}, {"offset": "-1"},
                                    {"cross-sector": "perhaps"}])
def test_api_out_of_range_parameters_are_400(client: httpx.Client, params: dict[str, str]) -> None:
    body = assert_error(client.get("/api/collaborators", params={"organisation": LEEDS, **params}), 400)
    assert body["code"] == "bad-request"
    assert next(iter(params)) in body["error"]


def test_api_response_is_json_ld_with_the_shipped_context(client: httpx.Client) -> None:
    body = client.get("/api/collaborators", params={"organisation": LEEDS}).json()
    body["@context"] = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    triples = {(q.subject, q.predicate, q.object)
               for q in ox.parse(json.dumps(body).encode("utf-8"), format=ox.RdfFormat.JSON_LD)}
    for result in body["results"]:
        me = ox.NamedNode(result["id"])
        assert (me, ox.NamedNode(SCHEMA + "name"), ox.Literal(result["name"])) in triples
        for sector in result["sector"]:
            assert (me, ox.NamedNode(ORG + "classification"), ox.NamedNode(SECTOR + sector)) in triples
        for area in result["jurisdiction"]:
            iri = COUNTRY + area.split(":")[1] if area.startswith("country:") else GSS + area
            assert (me, ox.NamedNode(DCTERMS + "spatial"), ox.NamedNode(iri)) in triples


def test_the_results_alone_are_json_ld_with_the_shipped_context(client: httpx.Client) -> None:
    """What does hold: each result object is a node with the context's own keys (id, name, sector, jurisdiction)."""
    body = client.get("/api/collaborators", params={"organisation": LEEDS}).json()
    context = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = {"@context": context, "@graph": body["results"]}
    triples = {(q.subject, q.predicate, q.object)
               for q in ox.parse(json.dumps(document).encode("utf-8"), format=ox.RdfFormat.JSON_LD)}
    ontario = ox.NamedNode(ONTARIO)
    assert (ontario, ox.NamedNode(SCHEMA + "name"), ox.Literal("Fixture Ontario Data Office")) in triples
    assert (ontario, ox.NamedNode(ORG + "classification"), ox.NamedNode(SECTOR + "central-government")) in triples
    assert (ontario, ox.NamedNode(DCTERMS + "spatial"), ox.NamedNode(COUNTRY + "CAN")) in triples
    assert len({s for s, _, _ in triples}) == len(EXPECTED_FOR_LEEDS)


# ---------------------------------------------------------------- against a plain reading of the scoring table

EARLY_PHASES, LATE_PHASES = ("discovery", "alpha"), ("beta", "live")
PHASE_BASE = "https://w3id.org/ogtgraph/id/phase/"
TOPIC_BASE = "https://w3id.org/ogtgraph/id/topic/"
TOO_WIDE = {GSS + "K02000001", GSS + "E92000001"}


def reference(index: Index, me: set[str], mine: list[Project], only: str | None = None) -> dict[str, dict[str, float]]:
    """The README's scoring table spelled out the slow, obvious way: organisation -> reason kind -> points.

    Their side of a shared topic (and of a complementary phase) is their projects other than the ones asked
    about: a project both work on counts as working together, once."""
    mine_ids = {p.id for p in mine}
    my_areas = set().union(*(index.organisations[o].areas for o in me))
    my_wider = set().union(*(index.within(a) - {a} for a in my_areas)) - TOO_WIDE

    def phase(p: Project) -> str:
        return (p.phase or "").removeprefix(PHASE_BASE)

    def complementary(a: Project, b: Project) -> bool:
        return (phase(a) in EARLY_PHASES and phase(b) in LATE_PHASES) or (
            phase(a) in LATE_PHASES and phase(b) in EARLY_PHASES)

    member_of: dict[str, list[Project]] = defaultdict(list)
    funded_leads: set[tuple[str, str]] = set()
    for project in index.projects.values():
        for org in project.members:
            member_of[org].append(project)
        funded_leads.update((f, lead) for f in project.roles["funder"] for lead in project.roles["lead"])
    found: dict[str, dict[str, float]] = {}
    for org, organisation in index.organisations.items():
        theirs = [p for p in member_of[org] if p.id not in mine_ids]
        if org in me or (only is not None and not any(only in p.topics for p in member_of[org])):
            continue
        points: dict[str, float] = defaultdict(float)
        for topic in {t for p in mine for t in p.topics if only is None or t == only}:
            theirs_on_it = [p for p in theirs if topic in p.topics]
            if theirs_on_it:
                points["shared-topic"] += index.rarity(topic)
                if any(complementary(a, b) for a in mine if topic in a.topics for b in theirs_on_it):
                    points["complementary-phase"] += 1.0
        for project in mine:
            if project.members & me and org in project.members | project.roles["funder"]:
                points["already-partners"] += 2.0
        for funder in {f for p in mine for f in p.roles["funder"]}:
            if (funder, org) in funded_leads:
                points["shared-funder"] += 1.0
        if organisation.areas & (my_areas - TOO_WIDE):
            points["same-area"] += 1.0
        elif points and set().union(*(index.within(a) - {a} for a in organisation.areas)) & my_wider:
            points["neighbouring-area"] += 0.5
        if points:
            found[org] = dict(points)
    return found


def random_index(seed: int, *, england: bool = False, orgs: int = 40, projects: int = 140) -> Index:
    """A random graph in memory, small enough that every rule fires often. With ``england``, some organisations
    have England itself as their jurisdiction (too wide to be a neighbourhood)."""
    rng = random.Random(seed)
    places = ["E08000035", "E08000032", "E08000033", "E47000003", "E12000003", "E12000007"]
    places += ["E92000001"] * england
    parents = {GSS + "E08000035": {GSS + "E47000003"}, GSS + "E08000032": {GSS + "E47000003"},
               GSS + "E08000033": {GSS + "E47000003"}, GSS + "E47000003": {GSS + "E12000003"},
               GSS + "E12000003": {GSS + "E92000001"}, GSS + "E12000007": {GSS + "E92000001"}}
    organisations = {f"{ORG_ID}r{i}": Organisation(f"{ORG_ID}r{i}", f"Random {i:02d}",
                                                   {SECTOR + rng.choice(["utility", "health", "civic-tech"])},
                                                   {GSS + rng.choice(places)}) for i in range(orgs)}
    names = sorted(organisations)
    made = {}
    for j in range(projects):
        phase = rng.choice([None, "discovery", "alpha", "beta", "live", "retired"])
        topics = rng.sample(["water", "open-data", "housing", "energy"], rng.randint(1, 2))
        project = Project(f"{PROJECT_ID}r{j}", f"Random project {j}", phase=phase and PHASE_BASE + phase,
                          topics={TOPIC_BASE + t for t in topics})
        project.roles["lead"].add(rng.choice(names))
        for role, chance in (("partner", 0.5), ("participant", 0.2), ("funder", 0.3)):
            if rng.random() < chance:
                project.roles[role].add(rng.choice(names[:8] if role == "funder" else names))
        made[project.id] = project
    return Index(organisations, made, parents)


def questions(index: Index) -> Iterator[tuple[dict[str, Any], set[str], list[Project]]]:
    """Every organisation and every project as the subject, with and without a topic filter."""
    for org in sorted(index.organisations):
        yield {"organisation": org}, {org}, [index.projects[p] for p in sorted(index.by_member.get(org, ()))]
    for pid in sorted(index.projects):
        yield {"project": pid}, set(index.projects[pid].roles["lead"]), [index.projects[pid]]


def given(candidate: Candidate, *, leave_out: str = "") -> dict[str, float]:
    points: dict[str, float] = defaultdict(float)
    for reason in candidate.reasons:
        if reason["kind"] != leave_out:
            points[reason["kind"]] += reason["weight"]
    return dict(points)


@pytest.mark.parametrize("seed", range(4))
def test_rank_agrees_with_the_scoring_table_on_random_graphs(seed: int) -> None:
    """Who is found, the points of every kind of evidence but the complementary phase (see the next test), and
    the order."""
    index = random_index(seed)
    for asked, me, mine in questions(index):
        for only in (None, TOPIC_BASE + "water"):
            expected = {org: {k: v for k, v in points.items() if k != "complementary-phase"}
                        for org, points in reference(index, me, mine, only).items()}
            ranked = collaborators.rank(index, **asked, topic=only, limit=1000)
            got = {c.organisation.id: given(c, leave_out="complementary-phase") for c in ranked}
            assert {o: sorted(p) for o, p in got.items()} == {o: sorted(p) for o, p in expected.items()}, asked
            for org, points in expected.items():
                assert got[org] == pytest.approx(points, abs=2e-3), (asked, only, org)
            shown = [c.score for c in ranked]
            assert all(a >= b - 1e-9 for a, b in zip(shown, shown[1:], strict=False)), (asked, only)


@pytest.mark.parametrize("seed", range(3))
def test_complementary_phase_agrees_with_the_scoring_table_on_random_graphs(seed: int) -> None:
    index = random_index(seed)
    for asked, me, mine in questions(index):
        expected = {org: points.get("complementary-phase", 0.0) for org, points in reference(index, me, mine).items()}
        ranked = collaborators.rank(index, **asked, limit=1000)
        assert {c.organisation.id: given(c).get("complementary-phase", 0.0) for c in ranked} == expected, asked


def test_a_project_both_work_on_is_not_a_complementary_phase() -> None:
    leeds, partner = Organisation(LEEDS, "Leeds"), Organisation(PARTNER, "Partner")
    water = {TOPIC_BASE + "water"}
    shared = Project(PROJECT_ID + "shared", "Shared", phase=PHASE_BASE + "live", topics=set(water))
    early = Project(PROJECT_ID + "early", "Early", phase=PHASE_BASE + "discovery", topics=set(water))
    old = Project(PROJECT_ID + "old", "Old", phase=PHASE_BASE + "retired", topics=set(water))
    shared.roles["lead"].add(LEEDS)
    shared.roles["partner"].add(PARTNER)
    early.roles["lead"].add(LEEDS)
    old.roles["lead"].add(PARTNER)
    index = Index({LEEDS: leeds, PARTNER: partner}, {p.id: p for p in (shared, early, old)}, {})
    [found] = collaborators.rank(index, organisation=LEEDS)
    assert kinds(found.reasons) == ["shared-topic", "already-partners"]
    assert found.score == pytest.approx(index.rarity(TOPIC_BASE + "water") + 2.0)


@pytest.mark.parametrize("seed", range(3))
def test_the_list_is_in_the_order_of_the_scores_it_shows_on_random_graphs(seed: int) -> None:
    index = random_index(seed, england=True)
    for asked, _, _ in questions(index):
        shown = [c.score for c in collaborators.rank(index, **asked, limit=1000)]
        assert all(a >= b - 1e-9 for a, b in zip(shown, shown[1:], strict=False)), asked


def test_an_organisation_in_the_askers_nation_is_scored_as_it_is_shown() -> None:
    area = {GSS + "E92000001"}
    me, alpha, zed = (Organisation(ORG_ID + n, n.title(), areas=set(a))
                      for n, a in (("me", area), ("alpha", {GSS + "E12000007"}), ("zed", area)))
    projects = {}
    for org in (me, alpha, zed):
        project = Project(PROJECT_ID + org.name, org.name, topics={TOPIC_BASE + "water"})
        project.roles["lead"].add(org.id)
        projects[project.id] = project
    index = Index({o.id: o for o in (me, alpha, zed)}, projects, {GSS + "E12000007": {GSS + "E92000001"}})
    shown = [(c.organisation.name, c.score) for c in collaborators.rank(index, organisation=me.id)]
    assert [score for _, score in shown] == sorted((score for _, score in shown), reverse=True), shown
