"""``/api/organisations`` and ``/api/projects``: filters, words, paging, and one of each with links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ogtgraph import catalogue
from ogtgraph.namespaces import CONTEXT_IRI

router = APIRouter(prefix="/api")
Text = Annotated[str | None, Query()]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


def _page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"@context": CONTEXT_IRI, "total": total, "limit": limit, "offset": offset, "results": items}


@router.get("/organisations", summary="Organisations, filtered by sector, topic, area and words in the name")
def list_organisations(request: Request, sector: Text = None, topic: Text = None, jurisdiction: Text = None,
                       q: Text = None, identifier: Text = None, limit: Limit = 50, offset: Offset = 0
                       ) -> dict[str, Any]:
    """``identifier=SCHEME:VALUE`` (gss:E08000035, govuk:cabinet-office, ukprn:10007795, wikidata:Q6515870 ...)
    gives the one organisation with that identifier, whichever register or contribution stated it."""
    index = request.app.state.index
    found = catalogue.organisations(index, catalogue.Filters(sector, topic, jurisdiction, None, q, identifier))
    page = [catalogue.organisation_json(index, o) for o in found[offset: offset + limit]]
    return _page(page, len(found), limit, offset)


@router.get("/organisations/{iri:path}", summary="One organisation, with its projects and links")
def get_organisation(request: Request, iri: str) -> dict[str, Any]:
    index = request.app.state.index
    return {"@context": CONTEXT_IRI, **catalogue.organisation_json(index, catalogue.organisation(index, iri))}


@router.get("/projects", summary="Projects, filtered by sector, topic, area, phase and words")
def list_projects(request: Request, sector: Text = None, topic: Text = None, jurisdiction: Text = None,
                  phase: Text = None, q: Text = None, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    index = request.app.state.index
    found = catalogue.projects(index, catalogue.Filters(sector, topic, jurisdiction, phase, q))
    page = [catalogue.project_json(index, p) for p in found[offset: offset + limit]]
    return _page(page, len(found), limit, offset)


@router.get("/projects/{iri:path}", summary="One project, with its organisations and links")
def get_project(request: Request, iri: str) -> dict[str, Any]:
    index = request.app.state.index
    return {"@context": CONTEXT_IRI, **catalogue.project_json(index, catalogue.project(index, iri))}
