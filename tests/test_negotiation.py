"""Content negotiation: ``parse_accept`` reads real Accept headers, ``choose`` picks the offer the client likes best."""

from __future__ import annotations

import pytest

from ogtgraph.negotiation import BOOLEAN, GRAPH, SOLUTIONS, Range, choose, parse_accept

CSV_TSV = {"text/csv": "csv", "text/tab-separated-values": "tsv"}
TSV_CSV = {"text/tab-separated-values": "tsv", "text/csv": "csv"}


def chosen(header: str | None, offers: dict[str, str]) -> str | None:
    """The media type chosen for ``header`` among ``offers``, or None (406)."""
    found = choose(parse_accept(header), offers)
    return None if found is None else found[0]


# ---------------------------------------------------------------- parse_accept


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_or_empty_header_accepts_anything(header: str | None) -> None:
    assert parse_accept(header) == [Range("*/*", 1.0)]
    assert chosen(header, SOLUTIONS) == "application/sparql-results+json"  # the server's first offer
    assert chosen(header, GRAPH) == "text/turtle"


def test_q_values_are_read_and_default_to_one() -> None:
    ranges = parse_accept("text/csv;q=0.5, application/sparql-results+json, text/*;q=0.25")
    assert ranges == [Range("text/csv", 0.5), Range("application/sparql-results+json", 1.0), Range("text/*", 0.25)]


def test_spaces_case_and_other_parameters_do_not_matter() -> None:
    ranges = parse_accept(" Text/CSV ; charset=utf-8 ; Q = 0.3 ,application/JSON")
    assert ranges == [Range("text/csv", 0.3), Range("application/json", 1.0)]


@pytest.mark.parametrize(("raw", "q"), [("1.5", 1.0), ("-0.2", 0.0), ("0.001", 0.001), ("1", 1.0), ("0", 0.0)])
def test_q_values_are_clamped_to_the_range_zero_to_one(raw: str, q: float) -> None:
    assert parse_accept(f"text/csv;q={raw}") == [Range("text/csv", q)]


def test_parts_without_a_media_type_are_skipped() -> None:
    assert parse_accept("garbage, text/csv;q=0.4, ;q=1") == [Range("text/csv", 0.4)]
    assert parse_accept("garbage") == [Range("*/*", 1.0)]


@pytest.mark.parametrize("raw", ["abc", "", "0.5.1", "high"])
def test_a_malformed_q_value_counts_as_zero(raw: str) -> None:
    assert parse_accept(f"text/csv;q={raw}") == [Range("text/csv", 0.0)]
    assert chosen(f"text/csv;q={raw}", CSV_TSV) is None
    assert chosen(f"text/csv;q={raw}, text/tab-separated-values;q=0.1", CSV_TSV) == "text/tab-separated-values"


@pytest.mark.parametrize("raw", ["nan", "inf"])
def test_a_non_numeric_float_spelling_is_a_malformed_q_value_too(raw: str) -> None:
    assert chosen(f"text/csv;q={raw}, text/tab-separated-values;q=0.5", CSV_TSV) == "text/tab-separated-values"


# ---------------------------------------------------------------- Range


@pytest.mark.parametrize(("media_range", "media", "matches"), [
    ("*/*", "text/csv", True),
    ("text/*", "text/csv", True),
    ("text/*", "application/json", False),
    ("text/csv", "text/csv", True),
    ("text/csv", "text/tab-separated-values", False),
    ("application/json", "application/ld+json", False),
])
def test_a_range_matches_its_type_or_wildcard(media_range: str, media: str, matches: bool) -> None:
    assert Range(media_range, 1.0).matches(media) is matches


def test_specificity_orders_wildcards_below_types() -> None:
    assert Range("*/*", 1).specificity < Range("text/*", 1).specificity < Range("text/csv", 1).specificity


# ---------------------------------------------------------------- choose


@pytest.mark.parametrize(("header", "offers", "expected"), [
    ("text/csv;q=0.5, application/sparql-results+json", SOLUTIONS, "application/sparql-results+json"),
    ("text/csv, application/sparql-results+json;q=0.5", SOLUTIONS, "text/csv"),
    ("application/sparql-results+json;q=0.2, application/sparql-results+xml;q=0.9", SOLUTIONS,
     "application/sparql-results+xml"),
    ("text/*", SOLUTIONS, "text/csv"),
    ("*/*;q=0.1, text/tab-separated-values", SOLUTIONS, "text/tab-separated-values"),
    ("application/*", SOLUTIONS, "application/sparql-results+json"),
    ("text/turtle;q=0.1, application/rdf+xml", GRAPH, "application/rdf+xml"),
    ("application/ld+json", GRAPH, "application/ld+json"),
    ("text/plain", GRAPH, "text/plain"),
    ("application/xml", BOOLEAN, "application/xml"),
])
def test_the_highest_q_value_wins(header: str, offers: dict[str, str], expected: str) -> None:
    assert chosen(header, offers) == expected


def test_the_format_comes_with_the_media_type() -> None:
    assert choose(parse_accept("text/tab-separated-values"), SOLUTIONS) == ("text/tab-separated-values", "tsv")
    assert choose(parse_accept("text/plain"), GRAPH) == ("text/plain", "ntriples")


@pytest.mark.parametrize("header", ["text/csv;q=0", "text/csv;q=0.0, image/png", "text/csv;q=0.000"])
def test_q_zero_means_not_acceptable(header: str) -> None:
    assert chosen(header, {"text/csv": "csv"}) is None


def test_q_zero_on_a_type_excludes_it_even_when_a_wildcard_accepts_everything() -> None:
    assert chosen("*/*, text/csv;q=0", CSV_TSV) == "text/tab-separated-values"
    assert chosen("text/*, text/csv;q=0", CSV_TSV) == "text/tab-separated-values"
    assert chosen("*/*;q=0", CSV_TSV) is None


def test_the_most_specific_matching_range_decides_the_q_value() -> None:
    # text/csv is named at q=0.1, so the text/* range's q=0.9 does not apply to it
    assert chosen("text/*;q=0.9, text/csv;q=0.1", CSV_TSV) == "text/tab-separated-values"
    assert chosen("text/*;q=0.1, text/csv;q=0.9", CSV_TSV) == "text/csv"
    assert chosen("*/*;q=0.8, text/*;q=0.2, text/csv;q=0.5", {"text/csv": "csv", "text/tab-separated-values": "tsv",
                                                              "application/json": "json"}) == "application/json"


def test_ties_keep_the_server_s_order() -> None:
    assert chosen("text/csv, text/tab-separated-values", CSV_TSV) == "text/csv"
    assert chosen("text/tab-separated-values, text/csv", CSV_TSV) == "text/csv"  # the client's order is no vote
    assert chosen("text/csv, text/tab-separated-values", TSV_CSV) == "text/tab-separated-values"
    assert chosen("text/*", TSV_CSV) == "text/tab-separated-values"
    assert chosen("*/*", GRAPH) == "text/turtle"


def test_at_equal_q_a_type_named_outright_beats_one_only_a_wildcard_matches() -> None:
    assert chosen("text/*, application/sparql-results+xml", SOLUTIONS) == "application/sparql-results+xml"


@pytest.mark.parametrize(("header", "offers"), [
    ("image/png", SOLUTIONS),
    ("text/html", GRAPH),
    ("text/csv, text/tab-separated-values", BOOLEAN),  # an ASK result has no CSV or TSV form
    ("application/sparql-results+json", GRAPH),
])
def test_nothing_acceptable_gives_none(header: str, offers: dict[str, str]) -> None:
    assert chosen(header, offers) is None
