"""SPARQL results: the W3C serialisations (by pyoxigraph's own serialisers) and rows for a terminal table."""

from __future__ import annotations

import csv
import io
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


def serialize_into(result: Any, fmt: str, output: Any) -> None:
    """Write a SELECT result in a W3C format into a binary file-like ``output``."""
    result.serialize(output, format=SOLUTION_FORMATS[fmt])


def count_solutions(data: bytes, fmt: str) -> int:
    """How many rows a serialised SELECT result holds (read back with pyoxigraph's parser)."""
    if fmt == "tsv":  # TSV escapes line breaks inside values: one line a row, after the header
        return max(data.count(b"\n") - 1, 0) if data.endswith(b"\n") else data.count(b"\n")
    if fmt == "csv":  # CSV quotes values with line breaks; pyoxigraph does not read CSV back (it is lossy)
        return max(sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1, 0)
    parsed = ox.parse_query_results(data, format=SOLUTION_FORMATS[fmt])
    return sum(1 for _ in parsed) if isinstance(parsed, ox.QuerySolutions) else 0


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
