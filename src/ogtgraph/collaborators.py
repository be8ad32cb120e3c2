"""Who should we work with on this? A ranking of organisations, with the evidence for each.

The graph is read once into an in-memory index (organisations, projects, topics, funders, the area
hierarchy), and each question is answered from it in plain Python: a SPARQL join over shared topics costs
~330 ms at 50,000 projects, the index a few milliseconds.

Scoring (documented in the README):
* each shared topic adds its rarity, ``1 + ln(projects / projects with that topic)``, so a rare shared topic
  counts for more than a common one;
* already working together on a project (lead, partner, participant or funder on the same project): +2 each;
* a shared funder: +1 each;
* complementary phase on a shared topic (one side live or in beta where the other is in discovery or alpha): +1;
* same area: +1; a neighbouring area (both inside the same county, combined authority or region): +0.5.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ogtgraph import identifiers
from ogtgraph.errors import NotFoundError
from ogtgraph.namespaces import GSS, ID, PHASE, RECONCILED_GRAPH, SECTOR, TOPIC, short
from ogtgraph.reconcile import CANONICAL
from ogtgraph.store import GraphStore

EARLY = {PHASE + "discovery", PHASE + "alpha"}
LATE = {PHASE + "beta", PHASE + "live"}
_ROLES = ("lead", "partner", "participant", "funder")

_ORGS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ogt: <https://w3id.org/ogtgraph/def#>
SELECT ?org ?name ?sector ?area ?status WHERE {
  ?org a org:Organization .
  OPTIONAL { ?org schema:name ?name }
  OPTIONAL { ?org org:classification ?sector }
  OPTIONAL { ?org dcterms:spatial ?area }
  OPTIONAL { ?org ogt:status ?status }
}"""
_IDENTIFIERS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?org ?id WHERE {
  ?org a org:Organization .
  { ?org adms:identifier ?id } UNION { ?org owl:sameAs ?id }
}"""
_STATED = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT ?org ?p ?value ?g WHERE {
  VALUES ?p { schema:name schema:url }
  GRAPH ?g { ?org ?p ?value }
  ?org a org:Organization .
}"""
_CANONICAL = f"""
SELECT ?node ?canonical WHERE {{ GRAPH <{RECONCILED_GRAPH}> {{ ?node <{CANONICAL}> ?canonical }} }}"""
_PROJECTS = """
PREFIX ogt: <https://w3id.org/ogtgraph/def#>
PREFIX schema: <https://schema.org/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?project ?name ?description ?role ?org ?topic ?phase WHERE {
  ?project a schema:Project .
  OPTIONAL { ?project schema:name ?name }
  OPTIONAL { ?project schema:description ?description }
  OPTIONAL { ?project ogt:phase ?phase }
  {
    VALUES (?p ?role) { (ogt:leadOrganisation "lead") (ogt:partner "partner") (ogt:participant "participant")
                        (schema:funder "funder") }
    ?project ?p ?org .
  } UNION { ?project dcat:theme ?topic }
}"""
_AREAS = """
PREFIX schema: <https://schema.org/>
SELECT ?area ?parent WHERE { ?area schema:containedInPlace ?parent }"""


CLOSED = ID + "status/closed"


@dataclass
class Organisation:
    id: str
    name: str = ""
    sectors: set[str] = field(default_factory=set)
    areas: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)  # scheme:value
    aliases: set[str] = field(default_factory=set)  # the other nodes reconciled onto this one
    status: str | None = None
    names: dict[str, int] = field(default_factory=dict)  # every name stated, with how many statements
    stated: set[tuple[str, str, str]] = field(default_factory=set)  # (name|url, value, graph): who says what

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


@dataclass
class Project:
    id: str
    name: str = ""
    description: str = ""
    phase: str | None = None
    topics: set[str] = field(default_factory=set)
    roles: dict[str, set[str]] = field(default_factory=lambda: {r: set() for r in _ROLES})

    @property
    def members(self) -> set[str]:
        return self.roles["lead"] | self.roles["partner"] | self.roles["participant"]


@dataclass
class Candidate:
    organisation: Organisation
    score: float = 0.0
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def add(self, points: float, reason: dict[str, Any]) -> None:
        self.score += points
        self.reasons.append({**reason, "weight": round(points, 3)})


@dataclass
class Index:
    organisations: dict[str, Organisation]
    projects: dict[str, Project]
    parents: dict[str, set[str]]
    by_topic: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_member: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_funder: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_area: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # topic -> organisation -> the projects it works on with that topic
    topic_members: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    # topic -> organisations with a project in an early (discovery, alpha) / late (beta, live) phase on it
    topic_early: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    topic_late: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    funded_leads: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    _within: dict[str, set[str]] = field(default_factory=dict)
    # The same by position, for the scoring loops: organisation i is ids[i].
    ids: list[str] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    topic_positions: dict[str, list[int]] = field(default_factory=dict)
    early_positions: dict[str, list[int]] = field(default_factory=dict)
    late_positions: dict[str, list[int]] = field(default_factory=dict)
    sector_positions: dict[str, set[int]] = field(default_factory=dict)
    closed_positions: set[int] = field(default_factory=set)
    canonical: dict[str, str] = field(default_factory=dict)  # node → the node it was merged into
    by_identifier: dict[str, str] = field(default_factory=dict)  # scheme:value → organisation
    _inside_positions: dict[str, frozenset[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for organisation in self.organisations.values():
            for area in organisation.areas:
                self.by_area[area].add(organisation.id)
        for project in self.projects.values():
            members = project.members
            for topic in project.topics:
                self.by_topic[topic].add(project.id)
                by_org = self.topic_members[topic]
                for org in members:
                    by_org.setdefault(org, set()).add(project.id)
                if project.phase in EARLY:
                    self.topic_early[topic].update(members)
                elif project.phase in LATE:
                    self.topic_late[topic].update(members)
            for org in members:
                self.by_member[org].add(project.id)
            for funder in project.roles["funder"]:
                self.by_funder[funder].add(project.id)
                for lead in project.roles["lead"]:
                    self.funded_leads[funder].setdefault(lead, set()).add(project.id)
        self.ids = sorted(self.organisations, key=lambda o: (self.organisations[o].name, o))
        self.position = {org: i for i, org in enumerate(self.ids)}

        def positions(orgs: Iterable[str]) -> list[int]:
            return sorted(self.position[o] for o in orgs if o in self.position)

        self.topic_positions = {t: positions(members) for t, members in self.topic_members.items()}
        self.early_positions = {t: positions(orgs) for t, orgs in self.topic_early.items()}
        self.late_positions = {t: positions(orgs) for t, orgs in self.topic_late.items()}
        for each in self.organisations.values():
            for sector in each.sectors:
                self.sector_positions.setdefault(sector, set()).add(self.position[each.id])
            if each.closed:
                self.closed_positions.add(self.position[each.id])
            for written in each.identifiers:
                self.by_identifier.setdefault(written, each.id)

    def resolve(self, iri: str) -> str:
        """The organisation node that stands for ``iri`` (itself, or the node it was merged into)."""
        return self.canonical.get(iri, iri)

    def inside(self, area: str) -> frozenset[int]:
        """The positions of the organisations whose jurisdiction is ``area`` or lies inside it (remembered)."""
        known = self._inside_positions.get(area)
        if known is None:
            known = frozenset(self.position[o] for a, orgs in self.by_area.items() if area in self.within(a)
                              for o in orgs)
            self._inside_positions[area] = known
        return known

    def rarity(self, topic: str) -> float:
        return 1.0 + math.log(max(len(self.projects), 1) / max(len(self.by_topic.get(topic, ())), 1))

    def within(self, area: str) -> set[str]:
        """The area and every area it lies inside (remembered)."""
        known = self._within.get(area)
        if known is not None:
            return known
        seen, todo = {area}, [area]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        self._within[area] = seen
        return seen


def load_index(store: GraphStore) -> Index:
    """Read organisations, projects and the area hierarchy out of the store."""
    organisations: dict[str, Organisation] = {}
    for row in store.query(_ORGS):
        org = organisations.setdefault(row["org"].value, Organisation(row["org"].value))
        if row["name"] is not None:
            org.names[row["name"].value] = org.names.get(row["name"].value, 0) + 1
        if row["sector"] is not None:
            org.sectors.add(row["sector"].value)
        if row["area"] is not None:
            org.areas.add(row["area"].value)
        if row["status"] is not None and org.status != CLOSED:  # a register that records a closure wins
            org.status = row["status"].value
    for row in store.query(_IDENTIFIERS):
        written = identifiers.from_iri(row["id"].value)
        if written is not None and row["org"].value in organisations:
            organisations[row["org"].value].identifiers.add(written)
    for row in store.query(_STATED):
        if row["org"].value in organisations:
            key = "name" if row["p"].value.endswith("name") else "url"
            organisations[row["org"].value].stated.add((key, row["value"].value, row["g"].value))
    canonical = {row["node"].value: row["canonical"].value for row in store.query(_CANONICAL)}
    for org in organisations.values():
        org.name = _best_name(org.names)
    projects: dict[str, Project] = {}
    for row in store.query(_PROJECTS):
        project = projects.setdefault(row["project"].value, Project(row["project"].value))
        project.name = row["name"].value if row["name"] is not None else project.name
        project.description = row["description"].value if row["description"] is not None else project.description
        project.phase = row["phase"].value if row["phase"] is not None else project.phase
        if row["topic"] is not None:
            project.topics.add(row["topic"].value)
        if row["org"] is not None:
            project.roles[row["role"].value].add(row["org"].value)
    parents: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_AREAS):
        parents[row["area"].value].add(row["parent"].value)
    _merge(organisations, projects, canonical)
    index = Index(organisations, projects, dict(parents))
    index.canonical = canonical
    return index


def _best_name(names: dict[str, int]) -> str:
    """The name most statements give (registers may differ in spelling); ties to the shortest, then A–Z."""
    return min(names, key=lambda n: (-names[n], len(n), n)) if names else ""


def _merge(organisations: dict[str, Organisation], projects: dict[str, Project], canonical: dict[str, str]) -> None:
    """Fold the nodes of one organisation into its canonical node, and point projects at it."""
    for node, target in sorted(canonical.items()):
        alias = organisations.pop(node, None)
        if alias is None or node == target:
            if alias is not None:
                organisations[node] = alias
            continue
        kept = organisations.setdefault(target, Organisation(target))
        kept.sectors |= alias.sectors
        kept.areas |= alias.areas
        kept.identifiers |= alias.identifiers
        kept.stated |= alias.stated
        kept.aliases |= {node} | alias.aliases
        for name, n in alias.names.items():
            kept.names[name] = kept.names.get(name, 0) + n
        if kept.status != CLOSED:
            kept.status = alias.status or kept.status
        kept.name = _best_name(kept.names)
    for project in projects.values():
        for role, orgs in project.roles.items():
            if orgs & canonical.keys():
                project.roles[role] = {canonical.get(o, o) for o in orgs}


def rank(
    index: Index,
    *,
    organisation: str | None = None,
    project: str | None = None,
    topic: str | None = None,
    sectors: Iterable[str] = (),
    jurisdiction: str | None = None,
    cross_sector: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[Candidate]:
    """Organisations to work with, best first, each with the reasons for its score.

    Every organisation is scored from the precomputed index (a few dictionary look-ups each); the reasons,
    which cost more to spell out, are written for the page asked for only, by the same rules.
    """
    ask = _Question(index, *_subject(index, organisation, project), topic, sectors, jurisdiction, cross_sector)
    scores = ask.scores()
    # organisations are numbered in name order, so the position breaks ties by name
    best = heapq.nsmallest(offset + limit, (i for i, score in enumerate(scores) if score > 0),
                           key=lambda i: (-scores[i], i))
    page = []
    for i in best[offset:]:
        candidate = Candidate(index.organisations[index.ids[i]])
        ask.explain(candidate)
        page.append(candidate)
    return page


class _Question:
    """One question put to the index: who, about which projects, with which filters."""

    def __init__(self, index: Index, me: set[str], mine: list[Project], topic: str | None, sectors: Iterable[str],
                 jurisdiction: str | None, cross_sector: bool):
        self.index, self.me, self.mine = index, me, mine
        self.mine_ids = {p.id for p in mine}
        only = (topic if ":" in topic else TOPIC + topic) if topic else None
        self.only = only
        self.topics = sorted({t for p in mine for t in p.topics if only is None or t == only})
        self.early = {t for p in mine if p.phase in EARLY for t in p.topics}
        self.late = {t for p in mine if p.phase in LATE for t in p.topics}
        self.funders = sorted({f for p in mine for f in p.roles["funder"]})
        self.sectors = {s if ":" in s else SECTOR + s for s in sectors}
        self.area = (jurisdiction if ":" in jurisdiction else GSS + jurisdiction) if jurisdiction else None
        self.cross_sector = cross_sector
        self.my_sectors = set().union(*(index.organisations[o].sectors for o in me if o in index.organisations))
        self.my_areas = set().union(*(index.organisations[o].areas for o in me if o in index.organisations))
        self.my_local = self.my_areas - _TOO_WIDE  # sharing a nation or the UK is not being in the same area
        self.my_wider = set().union(*(index.within(a) - {a} for a in self.my_areas)) - _TOO_WIDE

    def allowed(self) -> set[int] | None:
        """The positions of the organisations the filters let through, or None when there are no filters."""
        index = self.index
        if not (self.sectors or self.cross_sector or self.area or self.only or index.closed_positions):
            return None
        kept = set(range(len(index.ids))) - index.closed_positions  # a closed organisation cannot collaborate
        if self.sectors:
            kept.intersection_update(set().union(*(index.sector_positions.get(s, ()) for s in self.sectors)))
        if self.cross_sector:
            kept.difference_update(*(index.sector_positions.get(s, ()) for s in self.my_sectors))
        if self.only is not None:
            kept.intersection_update(index.topic_positions.get(self.only, ()))  # asked about one topic
        if self.area is not None:
            kept.intersection_update(index.inside(self.area))
        return kept

    def scores(self) -> list[float]:
        """Every organisation's score, by position; 0 for those left out."""
        index, position = self.index, self.index.position
        scores = [0.0] * len(index.ids)
        for topic in self.topics:
            weight = index.rarity(topic)
            for i in index.topic_positions.get(topic, ()):
                scores[i] += weight
            bonus = set(index.late_positions.get(topic, ()) if topic in self.early else ())
            bonus.update(index.early_positions.get(topic, ()) if topic in self.late else ())
            for i in bonus:
                scores[i] += 1.0
        together = set().union(*(p.members | p.roles["funder"] for p in self.mine))
        for org in together - self.me:  # few: count their topics again, leaving out the projects shared with us
            if org in position:
                scores[position[org]] = self._topic_points(org)
        for project in self.mine:
            if project.members & self.me:
                for org in (project.members | project.roles["funder"]) - self.me:
                    if org in position:
                        scores[position[org]] += 2.0
        for funder in self.funders:
            for org in index.funded_leads.get(funder, {}):
                if org in position:
                    scores[position[org]] += 1.0
        same, near = self._areas()
        for org in near:
            if scores[position[org]] > 0:
                scores[position[org]] += 0.5
        for org in same:
            scores[position[org]] += 1.0
        for org in self.me:
            if org in position:
                scores[position[org]] = 0.0
        kept = self.allowed()
        if kept is not None:
            scores = [score if i in kept else 0.0 for i, score in enumerate(scores)]
        return scores

    def _topic_points(self, org: str) -> float:
        """An organisation's topic points counted one by one, leaving out the projects shared with the asker."""
        points = 0.0
        for topic in self.topics:
            theirs = self.index.topic_members.get(topic, {}).get(org, set()) - self.mine_ids
            if theirs:
                points += self.index.rarity(topic) + (1.0 if self._complement(topic, theirs) else 0.0)
        return points

    def _complement(self, topic: str, theirs: set[str]) -> Project | None:
        """One of their projects (not shared with the asker) in the phase that complements the asker's."""
        wanted = (LATE if topic in self.early else set()) | (EARLY if topic in self.late else set())
        found = sorted(pid for pid in theirs if self.index.projects[pid].phase in wanted)
        return self.index.projects[found[0]] if found else None

    def _areas(self) -> tuple[set[str], set[str]]:
        """The organisations in the asker's areas, and those in neighbouring ones (sharing a wider area)."""
        index = self.index
        same = set().union(*(index.by_area.get(a, set()) for a in self.my_local))
        near_areas = [a for a in index.by_area if a not in self.my_local and (index.within(a) - {a}) & self.my_wider]
        near = set().union(*(index.by_area[a] for a in near_areas)) - same
        return same, near

    def _area_points(self, org_id: str) -> float:
        areas = self.index.organisations[org_id].areas
        if areas & self.my_local:
            return 1.0
        wider = set().union(*(self.index.within(a) - {a} for a in areas))
        return 0.5 if wider & self.my_wider else 0.0

    def explain(self, candidate: Candidate) -> None:
        """The reasons for one organisation's score, by the rules :meth:`scores` counts with."""
        index, org = self.index, candidate.organisation.id
        for topic in self.topics:
            projects = index.topic_members.get(topic, {}).get(org, set()) - self.mine_ids
            if not projects:
                continue
            yours = sorted(p.id for p in self.mine if topic in p.topics)
            candidate.add(index.rarity(topic), {"kind": "shared-topic", "topic": short(topic), "yours": yours,
                                                "theirs": sorted(projects)})
            self._explain_phase(candidate, topic)
        for project in self.mine:
            together = project.members | project.roles["funder"]
            if project.members & self.me and org in together:
                role = next(r for r in _ROLES if org in project.roles[r])
                candidate.add(2.0, {"kind": "already-partners", "project": project.id, "theirRole": role})
        for funder in self.funders:
            theirs = index.funded_leads.get(funder, {}).get(org)
            if theirs:
                candidate.add(1.0, {"kind": "shared-funder", "funder": funder, "theirs": sorted(theirs)[0]})
        points = self._area_points(org)
        if points == 1.0:
            area = sorted(candidate.organisation.areas & self.my_local)[0]
            candidate.add(1.0, {"kind": "same-area", "area": short(area)})
        elif points:
            wider = set().union(*(index.within(a) - {a} for a in candidate.organisation.areas)) & self.my_wider
            candidate.add(0.5, {"kind": "neighbouring-area", "within": short(sorted(wider)[0])})

    def _explain_phase(self, candidate: Candidate, topic: str) -> None:
        theirs = self.index.topic_members[topic].get(candidate.organisation.id, set()) - self.mine_ids
        other = self._complement(topic, theirs)
        if other is None:
            return
        wanted = EARLY if other.phase in LATE else LATE
        yours = next(p for p in self.mine if topic in p.topics and p.phase in wanted)
        candidate.add(1.0, {"kind": "complementary-phase", "topic": short(topic), "yours": yours.id,
                            "yourPhase": short(yours.phase or ""), "theirs": other.id,
                            "theirPhase": short(other.phase or "")})


def find_organisation(index: Index, text: str) -> str:
    """An organisation's IRI from its IRI, an identifier (gss:E08000035) or (a unique part of) its name."""
    if index.resolve(text) in index.organisations:
        return index.resolve(text)
    if text in index.by_identifier:
        return index.by_identifier[text]
    wanted = text.casefold()
    exact = [o.id for o in index.organisations.values() if o.name.casefold() == wanted]
    found = exact or [o.id for o in index.organisations.values() if wanted in o.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f'no organisation is called "{text}"; give its IRI or part of its name.')
    names = ", ".join(sorted(index.organisations[o].name for o in found)[:8])
    raise NotFoundError(f'"{text}" names {len(found)} organisations ({names}); be more specific.')


def as_json(candidates: list[Candidate], index: Index) -> list[dict[str, Any]]:
    """Candidates as JSON objects: id, name, sector and jurisdiction codes, score and reasons."""
    return [{
        "id": c.organisation.id,
        "name": c.organisation.name,
        **({"sameAs": sorted(c.organisation.aliases)} if c.organisation.aliases else {}),
        "sector": sorted(short(s) for s in c.organisation.sectors),
        "jurisdiction": sorted(short(a) for a in c.organisation.areas),
        "score": round(c.score, 3),
        "reasons": c.reasons,
    } for c in candidates]


def _subject(index: Index, organisation: str | None, project: str | None) -> tuple[set[str], list[Project]]:
    """The organisations asking, and the projects the question is about."""
    if project is not None:
        found = index.projects.get(project)
        if found is None:
            raise NotFoundError(f"there is no project <{project}> in the store.")
        return found.roles["lead"] | set(), [found]
    organisation = index.resolve(organisation) if organisation is not None else None
    if organisation is None or organisation not in index.organisations:
        raise NotFoundError(f"there is no organisation <{organisation}> in the store; see /api/organisations.")
    return {organisation}, [index.projects[p] for p in sorted(index.by_member.get(organisation, ()))]


# Sharing a nation or the UK is not being neighbours.
_TOO_WIDE = {GSS + "K02000001", GSS + "E92000001", GSS + "W92000004", GSS + "S92000003", GSS + "N92000002"}
