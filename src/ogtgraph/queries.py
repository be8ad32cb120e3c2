"""Named SPARQL queries: ``queries/<name>.rq`` with a ``#+`` header, parameters bound as RDF terms.

The header says what the query is for and which variables a caller may bind::

    #+ summary: Organisations in a sector, with where they work.
    #+ param: sector iri https://w3id.org/ogtgraph/id/sector/ -- a sector code, e.g. local-government
    #+ param: area iri? http://statistics.data.gov.uk/id/statistical-geography/ -- optional GSS code

A parameter is ``name type [base]``; the type is ``iri``, ``string``, ``integer`` or ``date``, with ``?`` when
it may be left out. A value without a scheme (``local-government``) is appended to the base. Values are
bound with pyoxigraph ``substitutions`` (SEP-0007), never formatted into the query text, so a bound variable
must be in the query's SELECT projection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import resources
from ogtgraph.errors import InternalError, NotFoundError, QueryError
from ogtgraph.namespaces import XSD
from ogtgraph.store import probe_query

_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>iri|string|integer|date)(?P<optional>\?)?"
                    r"(?:\s+(?P<base>\S+))?\s*(?:--\s*(?P<doc>.*))?$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    base: str | None
    doc: str

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text."""
        if self.type == "iri":
            iri = raw if _SCHEME.match(raw) or not self.base else self.base + raw
            if not _SCHEME.match(iri) or any(c in iri for c in ' <>"{}|^`\\'):
                raise QueryError(f'parameter "{self.name}" is {raw!r}, which is not an IRI or a code.')
            return ox.NamedNode(iri)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", raw):
                raise QueryError(f'parameter "{self.name}" is {raw!r}; it must be a whole number.')
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "date":
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise QueryError(f'parameter "{self.name}" is {raw!r}; it must be a date as YYYY-MM-DD.')
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        return ox.Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    summary: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check ``values`` against the parameters and turn them into substitutions."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryError(f"query {self.name} has no parameter {', '.join(unknown)}; "
                             f"its parameters are: {', '.join(known) or 'none'}.")
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise QueryError(f"query {self.name} needs {', '.join(missing)}: "
                             + "; ".join(f"{p.name}: {p.doc}" for p in self.params if p.name in missing))
        return {name: known[name].term(raw) for name, raw in values.items()}


def parse_header(text: str, *, name: str, path: Path) -> NamedQuery:
    summary, params = "", []
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        if key == "summary":
            summary = value.strip()
        elif key == "param":
            match = _PARAM.match(value.strip())
            if match is None:
                raise InternalError(f"{path}: the header line {line!r} is not 'name type [base] -- description'.")
            params.append(Param(match["name"], match["type"], not match["optional"], match["base"],
                                (match["doc"] or "").strip()))
    if not summary:
        raise InternalError(f"{path}: a named query needs a '#+ summary:' line.")
    return NamedQuery(name, summary, tuple(params), text, path)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, NamedQuery]:
    """Every named query, loaded and checked once: the header parses, the query parses, the params bind."""
    found = {}
    for path in resources.files("queries", "*.rq"):
        if not _NAME.match(path.stem):
            raise InternalError(f"{path}: a named query's file name must be snake_case.")
        query = parse_header(path.read_text(encoding="utf-8"), name=path.stem, path=path)
        try:
            probe_query(query.text, [p.name for p in query.params])
        except QueryError as e:
            raise InternalError(f"{path}: the query does not parse or cannot bind its parameters: {e}") from e
        found[query.name] = query
    return found


def get(name: str) -> NamedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        names = ", ".join(sorted(catalogue()))
        raise NotFoundError(f'there is no named query "{name}"; the named queries are: {names}.') from None


def adhoc(text: str, *, source: str) -> NamedQuery:
    """A query given on the command line or in a file; a ``#+`` header, if any, types its parameters."""
    if not text.strip():
        raise QueryError(f"{source} is empty; give a SPARQL query.")
    header = any(line.startswith("#+") for line in text.splitlines())
    query = parse_header(text, name="query", path=Path(source)) if header and "#+ summary" in text else None
    return query or NamedQuery("query", "", (), text, Path(source))
