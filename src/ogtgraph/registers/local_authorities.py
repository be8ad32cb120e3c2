"""``local-authorities``: every UK council, current and former, from mySociety's ``uk_local_authorities.csv``.

Each row becomes an organisation (sector local-government, jurisdiction its own GSS area, status live or
closed) at ``.../id/org/gss/{GSS code}`` (``.../id/org/local-authority/{code}`` for the few former councils
without one), with its GSS codes (current and former) and its three-letter code as identifiers, its official
and other names, its type, start and end dates, membership of its combined authority, and the councils that
replaced it (``replaced-by``: ``dcterms:isReplacedBy`` and an ``org:ChangeEvent`` dated by ``end-date``). The
council areas and their hierarchy (see :mod:`ogtgraph.areas`) come with it, so that jurisdictions are known.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import areas
from ogtgraph.errors import InputError
from ogtgraph.namespaces import DCTERMS, ORG, SCHEMA
from ogtgraph.registers.base import Builder, Register, org_iri

REGISTER = Register(
    kind="local-authorities",
    title="mySociety list of UK local authorities",
    keeper="mySociety",
    license="https://creativecommons.org/licenses/by/4.0/",
    attribution="UK Local Authority Names and Codes, mySociety, CC BY 4.0",
    download="https://github.com/mysociety/uk_local_authority_names_and_codes/blob/main/data/uk_local_authorities.csv",
    file="uk_local_authorities.csv",
)
MEDIA_TYPE = "text/csv"
REQUIRED = ("local-authority-code", "official-name", "nice-name", "gss-code", "start-date", "end-date",
            "replaced-by", "nation", "local-authority-type-name", "combined-authority", "current-authority")


def rows_of(data: bytes, path: Path, required: tuple[str, ...], what: str) -> list[dict[str, str]]:
    """The rows of a CSV register file; InputError naming missing columns when it is not that register."""
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.DictReader(text.splitlines()))
    except (UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: cannot read it as CSV ({e}).") from e
    header = set(rows[0]) if rows else set()
    missing = [c for c in required if c not in header]
    if not rows or missing:
        raise InputError(f"{path}: not {what}; missing columns: {', '.join(missing) or 'every row'}.")
    return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in rows]


def build(data: bytes, path: Path) -> Builder:
    rows = rows_of(data, path, REQUIRED, "mySociety's uk_local_authorities.csv")
    out = Builder()
    node_of = {r["local-authority-code"]: _node(r) for r in rows if r["local-authority-code"]}
    for row in rows:
        code = row["local-authority-code"]
        if not code:
            continue
        node = node_of[code]
        gss = row["gss-code"]
        nation = areas.NATIONS.get(row["nation"])
        jurisdiction = gss or nation
        if not jurisdiction:
            out.counts.add("rows without GSS code or nation skipped")
            continue
        live = row["current-authority"].lower() == "true"
        out.organisation(node, name=row["official-name"] or row["nice-name"], sectors=["local-government"],
                         jurisdictions=[jurisdiction], types=[SCHEMA + "GovernmentOrganization"],
                         status="live" if live else "closed")
        for name in {row["nice-name"], *row.get("alt-names", "").split(",")}:
            if name.strip() and name.strip() != row["official-name"]:
                out.text(node, SCHEMA + "alternateName", name.strip(), language=None)
        out.text(node, DCTERMS + "type", row["local-authority-type-name"], language="en")
        out.identifier(node, "local-authority", code)
        for value in [gss, *row.get("former-gss-codes", "").split(",")]:
            out.identifier(node, "gss", value)
        out.date(node, SCHEMA + "foundingDate", row["start-date"])
        out.date(node, SCHEMA + "dissolutionDate", row["end-date"])
        combined = node_of.get(row["combined-authority"])
        if combined is not None and combined != node:
            out.add(node, ORG + "memberOf", combined)
        successors = [node_of[c] for c in row["replaced-by"].split(",") if c.strip() in node_of]
        out.succession([node], successors, row["end-date"] or None, key=code)
    for triple in areas.area_triples(rows):
        out.add(triple.subject, triple.predicate.value, triple.object)
    return out


def _node(row: dict[str, str]) -> ox.NamedNode:
    if row["gss-code"]:
        return org_iri("gss", row["gss-code"])
    return org_iri("local-authority", row["local-authority-code"])


