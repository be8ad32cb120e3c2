"""Import the UK local authority areas (mySociety's ``uk_local_authorities.csv``) with their hierarchy.

Each council area becomes an ``ogt:Area`` named by its GSS code, with its name, type and the areas it lies
inside (``schema:containedInPlace``): its county, its combined authority, its English region, or its nation.
The import is one graph of its own, with provenance; importing again replaces it.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from ogtgraph.errors import InputError
from ogtgraph.namespaces import GRAPH, GSS, OGT, RDF_TYPE, SCHEMA, SKOS
from ogtgraph.store import Entry, GraphStore, Provenance, now

AREAS_GRAPH = GRAPH + "areas-uk-local-authorities"
SCHEME = ox.NamedNode("https://w3id.org/ogtgraph/id/areas")
NATIONS = {"England": "E92000001", "Wales": "W92000004", "Scotland": "S92000003", "Northern Ireland": "N92000002"}
REGIONS = {
    "North East": "E12000001", "North West": "E12000002", "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004", "West Midlands": "E12000005", "East of England": "E12000006",
    "East": "E12000006", "London": "E12000007", "South East": "E12000008", "South West": "E12000009",
}
REQUIRED = ("local-authority-code", "nice-name", "gss-code", "nation", "region", "local-authority-type-name",
            "county-la", "combined-authority")


def import_areas(path: Path, store: GraphStore) -> int:
    """Import the areas in ``path`` into ``store``; returns how many areas were imported."""
    try:
        data = path.read_bytes()
        rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: cannot read the local authorities file ({e}).") from e
    missing = [c for c in REQUIRED if rows and c not in rows[0]]
    if not rows or missing:
        raise InputError(f"{path}: not mySociety's uk_local_authorities.csv format; missing columns: "
                         f"{', '.join(missing) or 'every row'}.")
    triples = list(area_triples(rows))
    graph = ox.NamedNode(AREAS_GRAPH)
    areas = sum(1 for t in triples if t.predicate.value == SKOS + "notation")
    record = Provenance(AREAS_GRAPH, path.name, hashlib.sha256(data).hexdigest(), "text/csv", now(), None,
                        len(triples))
    store.put([Entry(record, [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples])])
    return areas


def area_triples(rows: list[dict[str, str]]) -> Iterator[ox.Triple]:
    """The council areas of the rows, with the areas they lie inside."""
    gss_of = {r["local-authority-code"]: r["gss-code"] for r in rows if r.get("gss-code")}
    a, label, notation = ox.NamedNode(RDF_TYPE), ox.NamedNode(SKOS + "prefLabel"), ox.NamedNode(SKOS + "notation")
    within, kind = ox.NamedNode(SCHEMA + "containedInPlace"), ox.NamedNode(OGT + "areaType")
    for row in rows:
        code = row.get("gss-code", "").strip()
        if not code:
            continue
        area = ox.NamedNode(GSS + code)
        yield ox.Triple(area, a, ox.NamedNode(OGT + "Area"))
        yield ox.Triple(area, a, ox.NamedNode(SKOS + "Concept"))
        yield ox.Triple(area, ox.NamedNode(SKOS + "inScheme"), SCHEME)
        yield ox.Triple(area, label, ox.Literal(row["nice-name"], language="en"))
        yield ox.Triple(area, notation, ox.Literal(code))
        if row.get("local-authority-type-name"):
            yield ox.Triple(area, kind, ox.Literal(row["local-authority-type-name"]))
        for parent in _parents(row, gss_of):
            if parent != code:
                yield ox.Triple(area, within, ox.NamedNode(GSS + parent))


def _parents(row: dict[str, str], gss_of: dict[str, str]) -> Iterator[str]:
    """The GSS codes of the areas a council area lies inside."""
    for column in ("county-la", "combined-authority"):
        parent = gss_of.get(row.get(column, "").strip())
        if parent:
            yield parent
    region = REGIONS.get(row.get("region", "").strip())
    if region:
        yield region
    elif row.get("nation", "").strip() in NATIONS:
        yield NATIONS[row["nation"].strip()]
