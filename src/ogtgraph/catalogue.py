"""Find organisations and projects by sector, topic, area, phase and words, from the in-memory index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ogtgraph import identifiers
from ogtgraph.collaborators import Index, Organisation, Project
from ogtgraph.errors import NotFoundError
from ogtgraph.namespaces import GSS, PHASE, SECTOR, TOPIC, short


@dataclass(frozen=True)
class Filters:
    sector: str | None = None
    topic: str | None = None
    jurisdiction: str | None = None
    phase: str | None = None
    q: str | None = None
    identifier: str | None = None  # scheme:value, such as gss:E08000035


def _iri(value: str | None, base: str) -> str | None:
    return None if value is None else value if ":" in value else base + value


def organisations(index: Index, filters: Filters) -> list[Organisation]:
    """Organisations matching every filter given, by name; with ``identifier``, the one it names (or none)."""
    candidates: Iterable[Organisation] = index.organisations.values()
    if filters.identifier is not None:
        scheme, value = identifiers.parse(filters.identifier)
        found_id = index.by_identifier.get(f"{scheme.name}:{value}")
        candidates = [index.organisations[found_id]] if found_id is not None else []
    sector, topic = _iri(filters.sector, SECTOR), _iri(filters.topic, TOPIC)
    area, words = _iri(filters.jurisdiction, GSS), (filters.q or "").casefold().split()
    found = []
    for org in candidates:
        projects = [index.projects[p] for p in index.by_member.get(org.id, ())]
        if sector and sector not in org.sectors:
            continue
        if topic and not any(topic in p.topics for p in projects):
            continue
        if area and not any(area in index.within(a) for a in org.areas):
            continue
        if words and not all(w in org.name.casefold() for w in words):
            continue
        found.append(org)
    return sorted(found, key=lambda o: (o.name.casefold(), o.id))


def projects(index: Index, filters: Filters) -> list[Project]:
    """Projects matching every filter given: sector and area of any organisation on them, by name."""
    sector, topic, phase = _iri(filters.sector, SECTOR), _iri(filters.topic, TOPIC), _iri(filters.phase, PHASE)
    area, words = _iri(filters.jurisdiction, GSS), (filters.q or "").casefold().split()
    found = []
    for project in index.projects.values():
        members = [index.organisations[o] for o in project.members if o in index.organisations]
        if topic and topic not in project.topics or phase and project.phase != phase:
            continue
        if sector and not any(sector in o.sectors for o in members):
            continue
        if area and not any(area in index.within(a) for o in members for a in o.areas):
            continue
        text = f"{project.name} {project.description}".casefold()
        if words and not all(w in text for w in words):
            continue
        found.append(project)
    return sorted(found, key=lambda p: (p.name.casefold(), p.id))


def organisation_json(index: Index, org: Organisation) -> dict[str, Any]:
    return {
        "id": org.id, "name": org.name,
        "sector": sorted(short(s) for s in org.sectors),
        "jurisdiction": sorted(short(a) for a in org.areas),
        "identifier": sorted(org.identifiers),
        "sameAs": sorted(org.aliases),
        "status": org.status.rsplit("/", 1)[-1] if org.status else None,
        "statedBy": [{"property": p, "value": v, "graph": g} for p, v, g in sorted(org.stated)],
        "projects": sorted(index.by_member.get(org.id, ())),
        "links": {"self": f"/api/organisations/{quote(org.id, safe=':/')}",
                  "collaborators": f"/api/collaborators?organisation={quote(org.id, safe='')}"},
    }


def project_json(index: Index, project: Project) -> dict[str, Any]:
    return {
        "id": project.id, "name": project.name, "description": project.description,
        "topic": sorted(short(t) for t in project.topics),
        "phase": short(project.phase) if project.phase else None,
        "leadOrganisation": sorted(project.roles["lead"])[0] if project.roles["lead"] else None,
        "partner": sorted(project.roles["partner"]), "participant": sorted(project.roles["participant"]),
        "funder": sorted(project.roles["funder"]),
        "links": {"self": f"/api/projects/{quote(project.id, safe=':/')}",
                  "collaborators": f"/api/collaborators?project={quote(project.id, safe='')}"},
    }


def organisation(index: Index, iri: str) -> Organisation:
    """The organisation named by its IRI (or the IRI of a node merged into it), or by an identifier."""
    found = index.organisations.get(index.resolve(iri))
    if found is None and iri.partition(":")[0] in identifiers.SCHEMES:
        found = index.organisations.get(index.by_identifier.get(iri, ""))
    if found is None:
        raise NotFoundError(f"there is no organisation <{iri}> in the store.")
    return found


def project(index: Index, iri: str) -> Project:
    found = index.projects.get(iri)
    if found is None:
        raise NotFoundError(f"there is no project <{iri}> in the store.")
    return found
