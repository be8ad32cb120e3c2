"""``govuk-organisations``: UK central government on GOV.UK, from ``gov.uk_api_organisations.json``.

The file is the pages of https://www.gov.uk/api/organisations put together (ODI Leeds / Open Innovations keep a
monthly copy); one page of the API reads as well. Each record becomes an organisation at
``.../id/org/govuk/{slug}`` (type schema:GovernmentOrganization, status from ``details.govuk_status``: live,
closed, exempt, joining or transitioning), with its slug as the identifier ``govuk:{slug}``, its abbreviation
(schema:alternateName), its format such as "Executive agency" (dcterms:type), its GB-GOR analytics identifier as
the literal ``dcterms:identifier "GB-GOR:D1"``, its GOV.UK page (schema:url; www.gov.uk is a shared host, so no
domain identifier) and, when closed, the day it closed (schema:dissolutionDate). Closed organisations are kept.

Parents and children become org:subOrganizationOf / org:hasSubOrganization; superseded and superseding
organisations become dcterms:replaces / isReplacedBy with an org:ChangeEvent dated by the closing day, one
event for the organisations that closed on the same day into the same successors (a merger is one event). A
succession is recorded only when the predecessor is closed: GOV.UK also lists devolved bodies that still exist
(Arts Council of Wales) as "superseded" by their devolved government. Links to slugs not in the file are
skipped and counted.

Sector and jurisdiction are read from the title, a heuristic: every organisation is central-government, and
also health when its title has "NHS" or "Health" (not "Health and Safety", not animal health). Jurisdiction is
Scotland (S92000003) when the title mentions Scotland or Scottish, Wales (W92000004) for Wales or Welsh,
Northern Ireland (N92000002) for Northern Ireland, England and Wales for "England and Wales", else the UK
(K02000001). Text in the file that is UTF-8 read as Latin-1 ("Victoria ClimbiÃ© Inquiry") is repaired.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ogtgraph.areas import NATIONS
from ogtgraph.errors import InputError
from ogtgraph.namespaces import DCTERMS, SCHEMA
from ogtgraph.registers.base import Builder, Register, org_iri

REGISTER = Register(
    kind="govuk-organisations",
    title="GOV.UK list of government organisations",
    keeper="Government Digital Service (GOV.UK); monthly copy by ODI Leeds / Open Innovations",
    license="http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    attribution="Contains public sector information licensed under the Open Government Licence v3.0. "
                "Source: GOV.UK organisations, https://www.gov.uk/government/organisations",
    download="https://github.com/odileeds/uk-government-organisations",
    file="gov.uk_api_organisations.json",
)
MEDIA_TYPE = "application/json"
STATUSES = frozenset({"live", "closed", "exempt", "joining", "transitioning"})
UK = "K02000001"
HEALTH = re.compile(r"\bNHS\b|Health")
NOT_HEALTH = re.compile(r"Health and Safety|\bAnimal\b")
BY_NATION = ((re.compile(r"\b(Scotland|Scottish)\b"), NATIONS["Scotland"]),
             (re.compile(r"\b(Wales|Welsh)\b"), NATIONS["Wales"]),
             (re.compile(r"\bNorthern Ireland\b"), NATIONS["Northern Ireland"]))
ENGLAND_AND_WALES = re.compile(r"\bEngland and Wales\b")

Record = dict[str, Any]


def records_of(data: bytes, path: Path) -> list[Record]:
    """The organisation records of the file; InputError when it is not the GOV.UK organisations JSON."""
    try:
        parsed = json.loads(data)
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError
        raise InputError(f"{path}: cannot read it as JSON ({e}); give gov.uk_api_organisations.json from "
                         f"{REGISTER.download}.") from None
    results = parsed.get("results") if isinstance(parsed, dict) else None
    if not isinstance(results, list):
        raise InputError(f'{path}: not the GOV.UK organisations list: expected {{"results": [...]}} as in '
                         f"gov.uk_api_organisations.json from {REGISTER.download}.")
    return [r for r in results if isinstance(r, dict)]


def build(data: bytes, path: Path) -> Builder:
    out = Builder()
    by_slug: dict[str, Record] = {}
    for record in records_of(data, path):
        slug = _slug(record)
        if not slug or not _text(record.get("title")):
            out.counts.add("records without a slug or title skipped")
        elif slug in by_slug:
            out.counts.add("records repeating a slug skipped")
        else:
            by_slug[slug] = record
    for slug, record in by_slug.items():
        _organisation(out, slug, record)
    _hierarchy(out, by_slug)
    _successions(out, by_slug)
    return out


def _organisation(out: Builder, slug: str, record: Record) -> None:
    details = _details(record)
    title = _text(record.get("title"))
    status = _text(details.get("govuk_status"))
    if status not in STATUSES:
        status = "closed" if details.get("closed_at") else "live"
        out.counts.add(f"records without a known govuk_status read as {status}")
    node = out.organisation(org_iri("govuk", slug), name=title, sectors=_sectors(title),
                            jurisdictions=_jurisdictions(title), types=[SCHEMA + "GovernmentOrganization"],
                            website=_text(record.get("web_url")), status=status)
    out.identifier(node, "govuk", slug)
    abbreviation = _text(details.get("abbreviation"))
    if abbreviation != title:
        out.text(node, SCHEMA + "alternateName", abbreviation, language=None)
    out.text(node, DCTERMS + "type", _text(record.get("format")), language="en")
    analytics = _text(record.get("analytics_identifier"))
    if analytics:
        out.add(node, DCTERMS + "identifier", ox.Literal("GB-GOR:" + analytics))
    out.date(node, SCHEMA + "dissolutionDate", _text(details.get("closed_at")))


def _hierarchy(out: Builder, by_slug: dict[str, Record]) -> None:
    """Parent/child links, stated on either side: org:subOrganizationOf and org:hasSubOrganization."""
    edges: set[tuple[str, str]] = set()
    for slug, record in by_slug.items():
        edges.update((slug, parent) for parent in _links(record, "parent_organisations"))
        edges.update((child, slug) for child in _links(record, "child_organisations"))
    for child, parent in sorted(edges):
        if child in by_slug and parent in by_slug and child != parent:
            out.sub_organisation(org_iri("govuk", child), org_iri("govuk", parent))
        else:
            out.counts.add("parent/child links to organisations not in the file skipped")


def _successions(out: Builder, by_slug: dict[str, Record]) -> None:
    """Superseded organisations, stated on either side; one change event per closing day and successors."""
    pairs: set[tuple[str, str]] = set()
    for slug, record in by_slug.items():
        pairs.update((slug, new) for new in _links(record, "superseding_organisations"))
        pairs.update((old, slug) for old in _links(record, "superseded_organisations"))
    successors: dict[str, set[str]] = {}
    for old, new in sorted(pairs):
        if old not in by_slug or new not in by_slug or old == new:
            out.counts.add("succession links to organisations not in the file skipped")
        elif _text(_details(by_slug[old]).get("govuk_status")) != "closed":
            out.counts.add("succession links from organisations that are not closed skipped")
        else:
            successors.setdefault(old, set()).add(new)
    events: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for old, them in successors.items():
        closed = _text(_details(by_slug[old]).get("closed_at"))[:10]
        events.setdefault((tuple(sorted(them)), closed), []).append(old)
    for (after, closed), before in sorted(events.items()):
        out.succession([org_iri("govuk", s) for s in before], [org_iri("govuk", s) for s in after],
                       closed or None, key="govuk")


def _sectors(title: str) -> list[str]:
    health = HEALTH.search(title) and not NOT_HEALTH.search(title)
    return ["central-government", "health"] if health else ["central-government"]


def _jurisdictions(title: str) -> list[str]:
    if ENGLAND_AND_WALES.search(title):
        return [NATIONS["England"], NATIONS["Wales"]]
    return [code for pattern, code in BY_NATION if pattern.search(title)] or [UK]


def _slug(record: Record) -> str:
    """The record's slug (``details.slug``, else the end of its API ``id``), when it can be part of an IRI."""
    slug = _text(_details(record).get("slug")) or _text(record.get("id")).rstrip("/").rpartition("/")[2]
    try:
        org_iri("govuk", slug)
    except ValueError:
        return ""
    return slug


def _links(record: Record, key: str) -> list[str]:
    """The slugs of the organisations a record lists under ``key``, from their API ``id`` URLs."""
    found = record.get(key)
    return [_text(link.get("id")).rstrip("/").rpartition("/")[2] for link in found if isinstance(link, dict)
            and _text(link.get("id"))] if isinstance(found, list) else []


def _details(record: Record) -> Record:
    details = record.get("details")
    return details if isinstance(details, dict) else {}


def _text(value: object) -> str:
    """A string field, trimmed; UTF-8 that was read as Latin-1 on the way into the file ("ClimbiÃ©") repaired."""
    if not isinstance(value, str):
        return ""
    try:
        return value.encode("latin-1").decode("utf-8").strip()
    except UnicodeError:  # not mangled: it has characters beyond Latin-1, or its bytes are not UTF-8
        return value.strip()
