"""Content negotiation for SPARQL results: real ``Accept`` headers, with q-values and wildcards."""

from __future__ import annotations

import math
from dataclasses import dataclass

# What each kind of result can be served as, in the server's order of preference.
SOLUTIONS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
BOOLEAN = {k: v for k, v in SOLUTIONS.items() if v in ("json", "xml")}
GRAPH = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
}


@dataclass(frozen=True)
class Range:
    media: str
    q: float

    def matches(self, media: str) -> bool:
        main, _, sub = self.media.partition("/")
        want_main, _, want_sub = media.partition("/")
        return main == "*" or (main == want_main and sub in ("*", want_sub))

    @property
    def specificity(self) -> int:
        return 0 if self.media == "*/*" else 1 if self.media.endswith("/*") else 2


def parse_accept(header: str | None) -> list[Range]:
    """The media ranges of an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [Range("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                q = max(0.0, min(1.0, q)) if math.isfinite(q) else 0.0
        ranges.append(Range(media.lower(), q))
    return ranges or [Range("*/*", 1.0)]


def choose(ranges: list[Range], offers: dict[str, str]) -> tuple[str, str] | None:
    """The offered (media type, format) the client likes best, or None if it accepts none of them."""
    best: tuple[float, int, int, str] | None = None
    for order, media in enumerate(offers):
        matching = [r for r in ranges if r.matches(media)]
        if not matching:
            continue
        top = max(matching, key=lambda r: r.specificity)  # the most specific range decides the q-value
        if top.q <= 0:
            continue
        key = (top.q, top.specificity, -order, media)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is None:
        return None
    return best[3], offers[best[3]]
