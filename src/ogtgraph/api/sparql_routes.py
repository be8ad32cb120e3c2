"""``/sparql``: the SPARQL 1.1 Protocol, read-only. Parse the request, call the query service, answer."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ogtgraph import queries
from ogtgraph.errors import InputError, NotAcceptable, ReadOnly, UnsupportedMediaType
from ogtgraph.negotiation import GRAPH, choose, parse_accept
from ogtgraph.sparql_service import Request as QueryRequest
from ogtgraph.web import render

router = APIRouter()
SD = "http://www.w3.org/ns/sparql-service-description#"
FORM = "application/x-www-form-urlencoded"


@router.get("/sparql", include_in_schema=True, summary="SPARQL 1.1 query (GET)")
async def sparql_get(request: Request) -> Response:
    return await _answer(request, _fields(request.url.query))


@router.post("/sparql", summary="SPARQL 1.1 query (POST: form or application/sparql-query)")
async def sparql_post(request: Request) -> Response:
    fields = _fields(request.url.query)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media == FORM:
        for key, values in _fields(body.decode("utf-8", errors="replace")).items():
            fields.setdefault(key, []).extend(values)
    elif media == "application/sparql-query":
        fields.setdefault("query", []).append(body.decode("utf-8", errors="replace"))
    elif media == "application/sparql-update":
        raise ReadOnly("this endpoint is read-only: SPARQL updates are refused, and nothing was changed.")
    else:
        raise UnsupportedMediaType(f"a SPARQL query is POSTed as {FORM} or application/sparql-query, "
                                   f"not {media or 'a body without a Content-Type'}.")
    if "query" not in fields and "update" not in fields:
        raise InputError("the request has no query: give one as the 'query' parameter or as the body.")
    return await _answer(request, fields)


_FEDERATED = re.compile(r"\bSERVICE\s+(SILENT\s+)?[<?$]", re.IGNORECASE)


def _graphs(fields: dict[str, list[str]], name: str) -> list[str] | None:
    values = fields.get(name)
    if values is None:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise InputError(f"{name} is {value!r}, which is not an absolute IRI.") from None
    return values


def _fields(text: str) -> dict[str, list[str]]:
    return parse_qs(text, keep_blank_values=True)


async def _answer(request: Request, fields: dict[str, list[str]]) -> Response:
    if "update" in fields:
        raise ReadOnly("this endpoint is read-only: SPARQL updates are refused, and nothing was changed.")
    found = fields.get("query", [])
    if len(found) > 1:
        raise InputError("the request has more than one query; send one at a time.")
    accept = request.headers.get("accept")
    if not found:
        return _describe(request, accept)
    if _FEDERATED.search(found[0]):
        raise InputError("federated queries (SERVICE) are not run by this endpoint: it does not fetch other "
                         "services on a client's behalf.")
    default_graphs, named_graphs = _graphs(fields, "default-graph-uri"), _graphs(fields, "named-graph-uri")
    query_request = QueryRequest(found[0], parse_accept(accept), default_graphs, named_graphs,
                                 base_iri=str(request.url.replace(query="", fragment="")))
    answer = await request.app.state.sparql.answer(query_request)
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


def _describe(request: Request, accept: str | None) -> Response:
    """Without a query: the HTML query page for a browser, else the SPARQL Service Description."""
    ranges = parse_accept(accept)
    offers = {"text/html": "html", **GRAPH}
    chosen = choose(ranges, {k: v for k, v in offers.items() if k != "text/plain"})
    if chosen is None:
        raise NotAcceptable(f"without a query this endpoint answers {', '.join(offers)}.")
    if chosen[1] == "html" and "text/html" in (accept or "").lower():
        examples = [{"name": q.name, "summary": q.summary, "text": q.text} for q in queries.catalogue().values()]
        return HTMLResponse(render("sparql.html", endpoint=str(request.url.path), examples=examples))
    media, fmt = chosen if chosen[1] != "html" else ("text/turtle", "turtle")
    return Response(_service_description(str(request.url.replace(query="")), fmt), media_type=media,
                    headers={"Vary": "Accept"})


def _service_description(endpoint: str, fmt: str) -> bytes:
    from ogtgraph.results import GRAPH_FORMATS

    service = ox.BlankNode()
    dataset = ox.BlankNode()
    graph = ox.BlankNode()

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    triples = [
        ox.Triple(service, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), sd("Graph")),
    ]
    for fmt_iri in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                    "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode("http://www.w3.org/ns/formats/" + fmt_iri)))
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt]) or b""
