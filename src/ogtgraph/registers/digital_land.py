"""``digital-land``: the organisations of planning.data.gov.uk (MHCLG Digital Land), from ``organisation.csv``.

Each row is one organisation: English councils, combined authorities, national park authorities, development
corporations, transport, waste and park authorities, and some government bodies. It gets its name, a sector
by the kind of organisation (the CURIE's prefix), its jurisdiction (``statistical-geography``, else England),
status (closed when ``end-date`` is set), website, start and end dates, membership of its combined authority,
and identifiers: ``digital-land:{CURIE}``, ``wikidata:{QID}`` (with ``owl:sameAs``), for councils
``gss:{code}`` and ``local-authority:{code}`` (the three-letter codes mySociety uses), and ``govuk:{slug}``
when the website is the body's GOV.UK page.

A council whose GSS code names a council area is written on ``.../id/org/gss/{GSS code}``, the very node the
``local-authorities`` importer mints, so the two registers' statements about it sit on one node, each in its
own graph. Every other organisation is ``.../id/org/digital-land/{CURIE}``; for these the GSS code is the area
they serve (a national park, a development area), not their identity, and is only their jurisdiction.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from ogtgraph.namespaces import ORG, SCHEMA
from ogtgraph.registers.base import Builder, Register, org_iri
from ogtgraph.registers.local_authorities import rows_of

REGISTER = Register(
    kind="digital-land",
    title="planning.data.gov.uk organisation register",
    keeper="Ministry of Housing, Communities and Local Government (Digital Land)",
    license="http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    attribution="Contains public sector information licensed under the Open Government Licence v3.0 "
                "(MHCLG, planning.data.gov.uk)",
    download="https://github.com/digital-land/organisation-dataset/blob/main/collection/organisation.csv",
    file="organisation.csv",
)
MEDIA_TYPE = "text/csv"
REQUIRED = ("organisation", "wikidata", "name", "website", "statistical-geography", "start-date", "end-date",
            "combined-authority")

ENGLAND = "E92000001"
COUNCILS = ("local-authority-eng", "local-authority")
# Sectors by the CURIE's prefix. National parks, development corporations and the park and waste
# authorities are local statutory bodies (planning or disposal authorities for an area): local government.
SECTORS: dict[str, tuple[str, ...]] = {
    "local-authority-eng": ("local-government",),
    "local-authority": ("local-government",),
    "national-park-authority": ("local-government",),
    "development-corporation": ("local-government",),
    "regional-park-authority": ("local-government",),
    "waste-authority": ("local-government",),
    "transport-authority": ("transport", "local-government"),
    "passenger-transport-executive": ("transport", "local-government"),
    "government-organisation": ("central-government",),
    "public-authority": ("central-government",),
    "nonprofit": ("voluntary-sector",),
}
# GSS entity codes of council areas, whose code is also the council's identity (as in mySociety's list):
# unitary authority, non-metropolitan district, metropolitan district, London borough, county, combined
# authority. Others (E12 region for the Greater London Authority) are an area only.
COUNCIL_AREAS = ("E06", "E07", "E08", "E09", "E10", "E47")
QID = re.compile(r"Q[1-9][0-9]*")
GOVUK_PAGE = re.compile(r"https?://(?:www\.)?gov\.uk/government/organisations/([a-z0-9]+(?:-[a-z0-9]+)*)/?")


def build(data: bytes, path: Path) -> Builder:
    rows = [_fixed(row) for row in rows_of(data, path, REQUIRED, "Digital Land's organisation.csv")]
    out = Builder()
    node_of = {row["organisation"]: _node(row) for row in rows}
    ambiguous = _shared_wikidata(rows)
    for row in rows:
        curie = row["organisation"]
        prefix, _, code = curie.partition(":")
        if prefix not in SECTORS or not code or not row["name"]:
            out.counts.add("rows skipped (no known kind of organisation, or no name)")
            continue
        node, gss = node_of[curie], row["statistical-geography"]
        out.organisation(node, name=row["name"], sectors=SECTORS[prefix], jurisdictions=[gss or ENGLAND],
                         types=[SCHEMA + ("NGO" if prefix == "nonprofit" else "GovernmentOrganization")],
                         website=row["website"], status="closed" if row["end-date"] else "live")
        out.identifier(node, "digital-land", curie)
        if row["wikidata"] in ambiguous:
            out.counts.add("Wikidata IDs skipped (given to two organisations of one kind)")
        else:
            out.identifier(node, "wikidata", row["wikidata"])
        if node.value.startswith(org_iri("gss", "").value):
            out.identifier(node, "gss", gss)
        if prefix == "local-authority-eng" and not code.endswith("UA"):
            out.identifier(node, "local-authority", code)
        page = GOVUK_PAGE.fullmatch(row["website"])
        if page:
            out.identifier(node, "govuk", page.group(1))
        _dates(out, node, row)
        combined = node_of.get("local-authority-eng:" + row["combined-authority"])
        if row["combined-authority"] and combined is not None and combined != node:
            out.add(node, ORG + "memberOf", combined)
    return out


def _fixed(row: dict[str, str]) -> dict[str, str]:
    """A row with its name and Wikidata ID the right way round (nonprofit:Q180 has them swapped)."""
    if QID.fullmatch(row["name"]) and row["wikidata"] and not QID.fullmatch(row["wikidata"]):
        return {**row, "name": row["wikidata"], "wikidata": row["name"]}
    return row


def _node(row: dict[str, str]) -> ox.NamedNode:
    prefix = row["organisation"].partition(":")[0]
    gss = row["statistical-geography"]
    if prefix in COUNCILS and gss[:3] in COUNCIL_AREAS:
        return org_iri("gss", gss)
    return org_iri("digital-land", row["organisation"])


def _shared_wikidata(rows: list[dict[str, str]]) -> set[str]:
    """Wikidata IDs the file gives to two organisations of the same kind, which cannot be both: a copying
    slip (Windsor and Maidenhead has Kensington and Chelsea's) or one item for a renamed department."""
    seen = Counter((row["organisation"].partition(":")[0], row["wikidata"]) for row in rows if row["wikidata"])
    return {qid for (_, qid), n in seen.items() if n > 1}


def _dates(out: Builder, node: ox.NamedNode, row: dict[str, str]) -> None:
    # Some start dates are a year read as a spreadsheet's day number (1974 → 1905-05-27): not a date.
    if row["start-date"].startswith("1905-"):
        out.counts.add("start dates skipped (a year read as a day number, 1905-…)")
    else:
        out.date(node, SCHEMA + "foundingDate", row["start-date"])
    out.date(node, SCHEMA + "dissolutionDate", row["end-date"])
