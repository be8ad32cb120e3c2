"""Counting the rows of a serialised SELECT result, in each W3C format (used by the endpoint's row cap)."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from ogtgraph.results import count_solutions, serialize_into


def result(rows: int) -> ox.QuerySolutions:
    store = ox.Store()
    for i in range(rows):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(f"line one\nline two, with \"quotes\"\t{i}")))
    return store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")  # type: ignore[return-value]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("rows", [0, 1, 7])
def test_rows_are_counted_exactly_even_with_line_breaks_and_quotes_in_values(fmt: str, rows: int) -> None:
    out = io.BytesIO()
    serialize_into(result(rows), fmt, out)
    assert count_solutions(out.getvalue(), fmt) == rows
