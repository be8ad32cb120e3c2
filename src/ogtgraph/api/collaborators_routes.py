"""``/api/collaborators``: who to work with, ranked, with the evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ogtgraph import collaborators
from ogtgraph.errors import InputError
from ogtgraph.namespaces import CONTEXT_IRI

router = APIRouter(prefix="/api")


@router.get("/collaborators", summary="Organisations to work with, ranked, with the reasons for each")
def find_collaborators(
    request: Request,
    organisation: Annotated[str | None, Query(description="IRI of the organisation asking")] = None,
    project: Annotated[str | None, Query(description="IRI of the project to find collaborators for")] = None,
    topic: Annotated[str | None, Query(description="only this topic (code or IRI)")] = None,
    sector: Annotated[list[str] | None, Query(description="only these sectors (codes or IRIs)")] = None,
    jurisdiction: Annotated[str | None, Query(description="only this area or areas inside it (GSS or IRI)")] = None,
    cross_sector: Annotated[bool, Query(alias="cross-sector", description="only other sectors")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    if (organisation is None) == (project is None):
        raise InputError("give exactly one of organisation=IRI or project=IRI.")
    index = request.app.state.index
    ranked = collaborators.rank(index, organisation=organisation, project=project, topic=topic, sectors=sector or (),
                                jurisdiction=jurisdiction, cross_sector=cross_sector, limit=limit, offset=offset)
    return {"@context": CONTEXT_IRI, "organisation": organisation, "project": project,
            "results": collaborators.as_json(ranked, index)}
