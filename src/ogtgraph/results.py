"""SPARQL results: the W3C serialisations (by pyoxigraph's own serialisers) and rows for a terminal table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ogtgraph.errors import InputError

SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


def kind(result: Any) -> str:
    """'solutions' (SELECT), 'boolean' (ASK) or 'graph' (CONSTRUCT / DESCRIBE)."""
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "graph"


def serialize(result: Any, fmt: str) -> bytes:
    """The result in a W3C format: json/xml/csv/tsv for SELECT and ASK, RDF formats for graphs."""
    if kind(result) == "graph":
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"a CONSTRUCT or DESCRIBE result can be {', '.join(GRAPH_FORMATS)}, not {fmt}.")
        return ox.serialize(result, format=GRAPH_FORMATS[fmt]) or b""
    if fmt not in SOLUTION_FORMATS:
        raise InputError(f"a SELECT or ASK result can be {', '.join(SOLUTION_FORMATS)}, not {fmt}.")
    if kind(result) == "boolean" and fmt in ("csv", "tsv"):
        raise InputError("an ASK result has no CSV or TSV form; use json or xml.")
    return bytes(result.serialize(format=SOLUTION_FORMATS[fmt]))


def table(result: Any) -> Table:
    """A SELECT result as strings: IRIs bare, literals by their lexical form, unbound as empty."""
    if kind(result) == "boolean":
        return Table(["result"], [["true" if bool(result) else "false"]])
    columns = [v.value for v in result.variables]
    rows = [[_text(solution[c]) for c in columns] for solution in result]
    return Table(columns, rows)


def _text(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)
