"""What a store holds, in numbers: contributions, organisations and projects, by sector and topic."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ogtgraph.store import GraphStore

_COUNTS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
SELECT (COUNT(DISTINCT ?o) AS ?organisations) (COUNT(DISTINCT ?p) AS ?projects)
WHERE { { ?o a org:Organization } UNION { ?p a schema:Project } }
"""
_BY = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?class ?property ?label (COUNT(DISTINCT ?thing) AS ?n)
WHERE { ?thing a ?class ; ?property ?concept . ?concept skos:prefLabel ?label . }
GROUP BY ?class ?property ?label ORDER BY DESC(?n) ?label
"""


@dataclass(frozen=True)
class Summary:
    contributions: int
    organisations: int
    projects: int
    sectors: list[tuple[str, int]]
    topics: list[tuple[str, int]]


def summarise(store: GraphStore) -> Summary:
    counts = next(iter(store.query(_COUNTS)))
    return Summary(
        contributions=sum(1 for p in store.provenance() if p.kind == "contribution"),
        organisations=int(counts["organisations"].value),
        projects=int(counts["projects"].value),
        sectors=_by(store, "http://www.w3.org/ns/org#Organization", "http://www.w3.org/ns/org#classification"),
        topics=_by(store, "https://schema.org/Project", "http://www.w3.org/ns/dcat#theme"),
    )


def _by(store: GraphStore, cls: str, prop: str) -> list[tuple[str, int]]:
    rows = store.query(_BY, substitutions={"class": ox.NamedNode(cls), "property": ox.NamedNode(prop)})
    return [(r["label"].value, int(r["n"].value)) for r in rows]
