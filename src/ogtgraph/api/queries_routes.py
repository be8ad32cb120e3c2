"""``/api/queries``: the named queries, listed and run with their parameters bound as RDF terms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ogtgraph import queries
from ogtgraph.negotiation import parse_accept
from ogtgraph.sparql_service import Request as QueryRequest

router = APIRouter(prefix="/api")


@router.get("/queries", summary="The named queries, with their summaries and parameters")
def list_queries() -> dict[str, Any]:
    return {"queries": [
        {"name": q.name, "summary": q.summary, "url": f"/api/queries/{q.name}",
         "params": [{"name": p.name, "type": p.type, "required": p.required, "base": p.base, "description": p.doc}
                    for p in q.params]}
        for q in queries.catalogue().values()
    ]}


@router.get("/queries/{name}", summary="Run a named query; its parameters come from the query string")
async def run_query(name: str, request: Request) -> Response:
    named = queries.get(name)
    bound = named.bind(dict(request.query_params))
    accept = request.headers.get("accept") or "application/sparql-results+json"
    query_request = QueryRequest(named.text, parse_accept(accept), substitutions=bound)
    answer = await request.app.state.sparql.answer(query_request)
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})
