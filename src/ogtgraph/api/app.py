"""The one app factory: ``create_app(settings)``. No import-time state; tests pass their own settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ogtgraph import collaborators
from ogtgraph.api import catalogue_routes, collaborators_routes, queries_routes, sparql_routes
from ogtgraph.config import Settings
from ogtgraph.errors import OgtGraphError
from ogtgraph.sparql_service import SparqlService
from ogtgraph.store import GraphStore


def create_app(settings: Settings) -> FastAPI:
    """The web app over the store named in ``settings`` (which must exist; see ``ogtgraph serve``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reader = GraphStore(settings.store, read_only=True)
        app.state.index = collaborators.load_index(reader)  # read once: the server never writes
        reader.close()
        service = SparqlService(settings.store, workers=settings.workers, timeout=settings.query_timeout,
                                max_rows=settings.max_rows)
        app.state.sparql = service
        try:
            yield
        finally:
            service.close()

    app = FastAPI(title="ogtgraph", version="0.1.0", lifespan=lifespan,
                  description="An open knowledge graph of open-government technology: a SPARQL 1.1 endpoint "
                              "and named queries over the contributions in the store.")
    app.state.settings = settings
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"])
    app.include_router(sparql_routes.router)
    app.include_router(queries_routes.router)
    app.include_router(collaborators_routes.router)
    app.include_router(catalogue_routes.router)
    _errors(app)
    return app


def error_body(status: int, code: str, message: str) -> JSONResponse:
    """The one JSON shape of every error."""
    return JSONResponse({"error": message, "code": code, "status": status}, status_code=status)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(OgtGraphError)
    async def ours(_: Request, error: OgtGraphError) -> JSONResponse:
        return error_body(error.http_status, error.code, str(error))

    @app.exception_handler(HTTPException)
    async def http(_: Request, error: HTTPException) -> JSONResponse:
        return error_body(error.status_code, "http-error", str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return error_body(400, "bad-request", f"the request is not valid: {where}")

    @app.exception_handler(Exception)
    async def internal(_: Request, error: Exception) -> JSONResponse:
        return error_body(500, "internal-error", f"internal error ({type(error).__name__}); please report it.")
