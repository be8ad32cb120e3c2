"""Identifiers of organisations in public registers: one scheme per register, one node per identifier.

An identifier is written ``scheme:value`` (``gss:E08000035``, ``govuk:cabinet-office``, ``ukprn:10007795``,
``wikidata:Q6515870``) in contributions, the API and the command line. In the store it is the node
``https://w3id.org/ogtgraph/id/identifier/{scheme}/{value}``, an ``adms:Identifier`` with ``skos:notation``
and ``skos:inScheme``; an organisation links to it with ``adms:identifier``. Two organisation nodes that
link to the same identifier node are the same organisation (see :mod:`ogtgraph.reconcile`). A Wikidata
identifier is also stated as ``owl:sameAs`` the Wikidata entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox

from ogtgraph.errors import InputError
from ogtgraph.namespaces import ADMS, IDENTIFIER, IDENTIFIER_SCHEME, OWL, RDF_TYPE, SKOS, WIKIDATA


@dataclass(frozen=True)
class Scheme:
    name: str
    label: str
    agency: str
    pattern: str  # the whole value
    example: str
    merges: bool = True  # whether sharing this identifier makes two nodes one organisation

    @property
    def iri(self) -> str:
        return IDENTIFIER_SCHEME + self.name


SCHEMES: dict[str, Scheme] = {s.name: s for s in (
    Scheme("gss", "ONS GSS code", "Office for National Statistics", r"[EWSNK][0-9]{8}", "E08000035"),
    Scheme("local-authority", "Local authority code (BS 6879 / mySociety)", "mySociety", r"[A-Z]{3,4}(-[A-Z])?", "LDS"),
    Scheme("govuk", "GOV.UK organisation slug", "Government Digital Service", r"[a-z0-9_]+(-[a-z0-9_]+)*",
           "cabinet-office"),
    Scheme("ukprn", "UK Provider Reference Number", "UK Register of Learning Providers", r"1[0-9]{7}", "10007795"),
    Scheme("hesa", "HESA institution identifier", "Higher Education Statistics Agency", r"[0-9]{4}", "0159"),
    Scheme("gtr", "UKRI Gateway to Research organisation", "UK Research and Innovation",
           r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", "2DB7ED73-8E89-457A-A395-FAC12F929C1A"),
    Scheme("wikidata", "Wikidata item", "Wikimedia Foundation", r"Q[1-9][0-9]*", "Q6515870"),
    Scheme("companies-house", "Companies House company number", "Companies House", r"(?:[0-9]{8}|[A-Z]{2}[0-9]{6})",
           "04325234"),
    Scheme("charity", "Charity Commission registered charity number", "Charity Commission for England and Wales",
           r"[0-9]{6,8}", "1110318"),
    Scheme("digital-land", "planning.data.gov.uk organisation", "Ministry of Housing, Communities and Local Government",
           r"[a-z-]+:[A-Za-z0-9-]+", "national-park-authority:Q72617158"),
    # A website's host names an organisation's site, not the organisation: councils share sites
    # (adur-worthing.gov.uk), so it is recorded but never merges two nodes by itself.
    Scheme("domain", "Website domain", "ogtgraph", r"[a-z0-9]+([.-][a-z0-9]+)*\.[a-z]{2,}", "leeds.gov.uk",
           merges=False),
)}
_COMPILED = {name: re.compile(scheme.pattern) for name, scheme in SCHEMES.items()}
# The identifier node IRIs the shapes accept (kept equal to the shape's sh:pattern by a test).
IRI_PATTERN = "^" + re.escape(IDENTIFIER) + "(" + "|".join(
    f"{re.escape(n)}/{s.pattern}" for n, s in SCHEMES.items()) + ")$"


def parse(text: str) -> tuple[Scheme, str]:
    """``scheme:value`` → (scheme, value); InputError naming the schemes when it is not one."""
    name, colon, value = text.strip().partition(":")
    scheme = SCHEMES.get(name.lower())
    if not colon or scheme is None:
        raise InputError(f'"{text}" is not an identifier: write SCHEME:VALUE with SCHEME one of '
                         f'{", ".join(SCHEMES)} (for example gss:E08000035).')
    value = value.strip()
    if name.lower() == "domain":
        value = value.lower()
    if not _COMPILED[scheme.name].fullmatch(value):
        raise InputError(f'"{text}" is not a valid {scheme.label}, which looks like {scheme.example}.')
    return scheme, value


def iri(scheme: str, value: str) -> str:
    return f"{IDENTIFIER}{scheme}/{value}"


def from_iri(node: str) -> str | None:
    """The ``scheme:value`` form of an identifier node IRI or a Wikidata entity IRI, else None."""
    if node.startswith(IDENTIFIER):
        scheme, slash, value = node[len(IDENTIFIER):].partition("/")
        return f"{scheme}:{value}" if slash and scheme in SCHEMES else None
    if node.startswith(WIKIDATA) and re.fullmatch(r"Q[1-9][0-9]*", node[len(WIKIDATA):]):
        return "wikidata:" + node[len(WIKIDATA):]
    return None


def merges(node: str) -> bool:
    """Whether two organisations sharing this identifier node (or sameAs IRI) are one organisation."""
    found = from_iri(node)
    if found is None:
        return True  # another owl:sameAs target: the same thing by definition
    return SCHEMES[found.partition(":")[0]].merges


def domain(url: str | None) -> str | None:
    """The host of a website address, lower case, without ``www.``; None when there is none."""
    if not url:
        return None
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    return host if _COMPILED["domain"].fullmatch(host) else None


def triples(organisation: ox.NamedNode, scheme: str, value: str) -> Iterator[ox.Triple]:
    """``organisation`` has the identifier ``scheme:value``: the link and the identifier node's description."""
    found = SCHEMES[scheme]
    if not _COMPILED[scheme].fullmatch(value):
        raise ValueError(f"{scheme}:{value} is not a valid {found.label}")
    node = ox.NamedNode(iri(scheme, value))
    yield ox.Triple(organisation, ox.NamedNode(ADMS + "identifier"), node)
    yield ox.Triple(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(ADMS + "Identifier"))
    yield ox.Triple(node, ox.NamedNode(SKOS + "notation"), ox.Literal(value))
    yield ox.Triple(node, ox.NamedNode(SKOS + "inScheme"), ox.NamedNode(found.iri))
    yield ox.Triple(node, ox.NamedNode(ADMS + "schemaAgency"), ox.Literal(found.agency))
    if scheme == "wikidata":
        yield ox.Triple(organisation, ox.NamedNode(OWL + "sameAs"), ox.NamedNode(WIKIDATA + value))
