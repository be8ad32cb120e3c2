"""``universities``: UK universities and higher-education institutions from ``learning-providers-plus.csv``.

Each row becomes an organisation (sector higher-education, type ``schema:CollegeOrUniversity``) at
``.../id/org/ukprn/{UKPRN}``, with its UKPRN, HESA and Gateway to Research identifiers (``ukprn:``, ``hesa:``,
``gtr:``, the last upper case) and its website's domain; an identifier value that two rows of the file share is
left out for both, as it would make two universities one. ``VIEW_NAME`` is the name; ``PROVIDER_NAME`` (the
register's upper-case name) and ``ALIAS`` are alternate names. The registered address is a
``schema:PostalAddress`` (``schema:address``) and the coordinates a ``schema:GeoCoordinates`` (``schema:geo``,
latitude and longitude as ``xsd:decimal``); the mission groups in ``GROUPS`` (``Russell_Group``) are
``schema:keywords`` ("Russell Group"). The file has no status: every university is imported as live.

Jurisdiction comes from the postcode alone (the coordinates would need boundary polygons). The table
``postcode_areas.csv`` beside this module gives, for each of the 121 UK postcode areas (the letters before the
first digit: LS, EH, CF, BT, ...) and the Crown Dependencies, the English region (LS: Yorkshire and The
Humber, E12000003) or nation (EH: Scotland, S92000003; CF: Wales, W92000004; BT: Northern Ireland,
N92000002) it lies in. An area that crosses a regional border has England (E92000001) with region-level rows
only for districts (LS1, CH2, ...) known to lie in one region; an area that crosses a national border
(CH, LL, SY, LD, HR, NP, TD, DG) has the United Kingdom (K02000001), with nation-level rows only for districts
known to lie in one nation. The most specific row that matches wins; a missing or unreadable postcode gives
K02000001.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import identifiers
from ogtgraph.namespaces import COUNTRY, RDF_TYPE, SCHEMA, XSD
from ogtgraph.registers.base import Builder, Register, org_iri
from ogtgraph.registers.local_authorities import rows_of

REGISTER = Register(
    kind="universities",
    title="UK higher-education providers (learning-providers-plus.csv)",
    keeper="ODI Leeds (Open Innovations) and learning-provider.data.ac.uk",
    license="https://opensource.org/licenses/MIT",
    attribution="learning-providers-plus.csv, ODI Leeds (Open Innovations) and learning-provider.data.ac.uk",
    download="https://github.com/odileeds/learning-provider-website-emissions/blob/main/data/"
             "learning-providers-plus.csv",
    file="learning-providers-plus.csv",
)
MEDIA_TYPE = "text/csv"
REQUIRED = ("UKPRN", "PROVIDER_NAME", "VIEW_NAME", "POSTCODE", "WEBSITE_URL", "GTR_ID", "HESA_ID")
WHAT = ("the learning-providers-plus.csv list of UK universities (get it from " + REGISTER.download + ")")
UK = "K02000001"
POSTCODE = re.compile(r"([A-Z]{1,2})([0-9]{1,2})[A-Z]? ?[0-9][A-Z]{2}")
DECIMAL = re.compile(r"-?[0-9]{1,3}(\.[0-9]+)?")
UKPRN = re.compile(identifiers.SCHEMES["ukprn"].pattern)
AREA_TABLE = "postcode_areas.csv"
# the identifier columns, their scheme, and how a value is written
IDENTIFIERS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("HESA_ID", "hesa", str.strip), ("GTR_ID", "gtr", lambda v: v.strip().upper()))


def build(data: bytes, path: Path) -> Builder:
    rows = rows_of(data, path, REQUIRED, WHAT)
    shared = _shared_values(rows)
    out = Builder()
    seen: set[str] = set()
    for row in rows:
        ukprn = row["UKPRN"]
        if ukprn in seen:
            out.counts.add("rows repeating a UKPRN skipped")
            continue
        if not UKPRN.fullmatch(ukprn):
            out.counts.add("rows without a valid UKPRN skipped")
            continue
        node = org_iri("ukprn", ukprn)
        seen.add(ukprn)
        out.organisation(node, name=row["VIEW_NAME"] or row["PROVIDER_NAME"], sectors=["higher-education"],
                         jurisdictions=[jurisdiction(row["POSTCODE"])], types=[SCHEMA + "CollegeOrUniversity"],
                         website=_website(row["WEBSITE_URL"]))
        out.identifier(node, "ukprn", ukprn)
        for name in (row["PROVIDER_NAME"], row.get("ALIAS", "")):
            if name != row["VIEW_NAME"]:
                out.text(node, SCHEMA + "alternateName", name, language=None)
        for column, scheme, clean in IDENTIFIERS:
            value = clean(row[column])
            if (column, value) in shared:
                out.counts.add(f"{scheme} identifiers shared by several rows left out")
            else:
                out.identifier(node, scheme, value)
        _address(out, node, row)
        _geo(out, node, row.get("LATITUDE", ""), row.get("LONGITUDE", ""))
        for group in row.get("GROUPS", "").split(","):
            out.text(node, SCHEMA + "keywords", group.replace("_", " "), language=None)
    return out


def jurisdiction(postcode: str) -> str:
    """The GSS code (or ISO country code IRI) of the region or nation a UK postcode lies in; see the module."""
    found = POSTCODE.fullmatch(" ".join(postcode.upper().split()))
    if found is None:
        return UK
    area, district = found.group(1), int(found.group(2))
    rows = [r for r in postcode_areas().get(area, []) if r[0] <= district <= r[1]]
    if not rows:
        return UK
    code = min(rows, key=lambda r: r[1] - r[0])[2]
    return COUNTRY + code if len(code) == 3 else code


@cache
def postcode_areas() -> dict[str, list[tuple[int, int, str]]]:
    """Postcode area → (first district, last district, code) rows; a whole area is districts 0 to 999."""
    text = resources.files("ogtgraph.registers").joinpath(AREA_TABLE).read_text(encoding="utf-8")
    table: dict[str, list[tuple[int, int, str]]] = {}
    for row in csv.DictReader(text.splitlines()):
        first, _, last = row["districts"].partition("-")
        span = (int(first), int(last or first)) if first else (0, 999)
        table.setdefault(row["area"], []).append((*span, row["code"]))
    return table


def _shared_values(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    """(column, value) pairs of identifier columns that more than one row gives."""
    seen: set[tuple[str, str]] = set()
    shared: set[tuple[str, str]] = set()
    for row in rows:
        for column, _, clean in IDENTIFIERS:
            key = (column, clean(row[column]))
            if key[1]:
                (shared if key in seen else seen).add(key)
    return shared


def _website(url: str) -> str | None:
    return url if identifiers.domain(url) else None  # "http:///" names no site


def _address(out: Builder, node: ox.NamedNode, row: dict[str, str]) -> None:
    """The registered address as a ``schema:PostalAddress``."""
    building, street = row.get("BUILDING_NAME_NUMBER", ""), row.get("STREET_NAME", "")
    if building.isdigit() and street:
        building, street = "", f"{building} {street}"
    lines = [row.get("FLAT_NAME_NUMBER", ""), building, street, row.get("LOCALITY", "")]
    parts = {"streetAddress": ", ".join(v for v in lines if v), "addressLocality": row.get("TOWN", ""),
             "postalCode": " ".join(row["POSTCODE"].upper().split())}
    if not any(parts.values()):
        return
    address = ox.BlankNode()
    out.add(node, SCHEMA + "address", address)
    out.add(address, RDF_TYPE, ox.NamedNode(SCHEMA + "PostalAddress"))
    for key, value in parts.items():
        if value:
            out.add(address, SCHEMA + key, ox.Literal(" ".join(value.split())))
    out.add(address, SCHEMA + "addressCountry", ox.Literal("GB"))


def _geo(out: Builder, node: ox.NamedNode, latitude: str, longitude: str) -> None:
    """The coordinates as a ``schema:GeoCoordinates`` with ``xsd:decimal`` latitude and longitude."""
    if not (DECIMAL.fullmatch(latitude) and DECIMAL.fullmatch(longitude)):
        return
    if not (-90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180):
        return
    geo = ox.BlankNode()
    out.add(node, SCHEMA + "geo", geo)
    out.add(geo, RDF_TYPE, ox.NamedNode(SCHEMA + "GeoCoordinates"))
    decimal = ox.NamedNode(XSD + "decimal")
    out.add(geo, SCHEMA + "latitude", ox.Literal(latitude, datatype=decimal))
    out.add(geo, SCHEMA + "longitude", ox.Literal(longitude, datatype=decimal))
