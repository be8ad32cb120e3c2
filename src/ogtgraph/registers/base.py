"""What every register importer shares: the register's description, a builder for its triples, and the import.

An importer reads one register file into a :class:`Builder` (organisations, their identifiers, hierarchy,
successions); :func:`import_register` checks the result against the same SHACL shapes as any contribution
and writes it as one graph with provenance (source file, checksum, licence, attribution, where the file is
published, when it was imported). Importing again replaces the graph in one atomic swap; a file that cannot
be read or does not conform changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ogtgraph import identifiers
from ogtgraph.errors import InputError
from ogtgraph.formats import Contribution
from ogtgraph.namespaces import (
    DCTERMS,
    GRAPH,
    GSS,
    ID,
    ORG,
    ORGANISATION,
    PROV,
    RDF_TYPE,
    SCHEMA,
    SECTOR,
    XSD,
)
from ogtgraph.store import Entry, GraphStore, Provenance, now

STATUS = ID + "status/"
OGT_STATUS = "https://w3id.org/ogtgraph/def#status"
MAX_BYTES = 200 * 1024 * 1024  # a register file larger than this is not one of these registers


@dataclass(frozen=True)
class Register:
    """A public register ogtgraph imports, and the terms it is published under."""

    kind: str  # the name on the command line: ogtgraph import KIND PATH
    title: str
    keeper: str
    license: str  # the licence's IRI
    attribution: str
    download: str  # where a user gets the file
    file: str  # the file's usual name

    @property
    def graph(self) -> str:
        return GRAPH + "register-" + self.kind


@dataclass
class Counts:
    organisations: int = 0
    identifiers: int = 0
    closed: int = 0
    other: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.other[what] = self.other.get(what, 0) + n


def org_iri(scheme: str, value: str) -> ox.NamedNode:
    """The node a register mints for an organisation it identifies by ``scheme:value``."""
    return ox.NamedNode(f"{ORGANISATION}{scheme}/{value}")


class Builder:
    """The triples of one register import, built organisation by organisation."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []
        self.counts = Counts()
        self._seen: set[ox.Triple] = set()

    def add(self, subject: Any, predicate: str, obj: Any) -> None:
        """One triple (once, however often it is added): subject and object are pyoxigraph terms."""
        triple = ox.Triple(subject, ox.NamedNode(predicate), obj)
        if triple not in self._seen:
            self._seen.add(triple)
            self.triples.append(triple)

    def text(self, subject: ox.NamedNode, predicate: str, value: str | None, language: str | None = "en") -> None:
        if value and value.strip():
            self.add(subject, predicate, ox.Literal(" ".join(value.split()), language=language))

    def organisation(self, node: ox.NamedNode, *, name: str, sectors: Iterable[str], jurisdictions: Iterable[str],
                     types: Iterable[str] = (), website: str | None = None, status: str = "live") -> ox.NamedNode:
        """An organisation: name, sector codes, jurisdictions (GSS codes or area IRIs), status, website."""
        self.counts.organisations += 1
        self.add(node, RDF_TYPE, ox.NamedNode(ORG + "Organization"))
        for kind in types:
            self.add(node, RDF_TYPE, ox.NamedNode(kind))
        self.add(node, SCHEMA + "name", ox.Literal(" ".join(name.split())))
        for sector in sectors:
            self.add(node, ORG + "classification", ox.NamedNode(SECTOR + sector))
        for area in jurisdictions:
            self.add(node, DCTERMS + "spatial", ox.NamedNode(area if ":" in area else GSS + area))
        self.add(node, OGT_STATUS, ox.NamedNode(STATUS + status))
        if status == "closed":
            self.counts.closed += 1
        self.website(node, website)
        return node

    def website(self, node: ox.NamedNode, url: str | None) -> None:
        """The organisation's website (schema:url) and its domain as an identifier that does not merge."""
        url = (url or "").strip()
        if not url.startswith(("http://", "https://")):
            url = "https://" + url if url and "." in url and " " not in url else ""
        if not url:
            return
        try:
            self.add(node, SCHEMA + "url", ox.NamedNode(url))
        except ValueError:
            return
        host = identifiers.domain(url)
        if host and host not in SHARED_HOSTS:
            self.identifier(node, "domain", host)

    def identifier(self, node: ox.NamedNode, scheme: str, value: str | None) -> bool:
        """``node`` has the identifier ``scheme:value`` (skipped, and counted, when it is not a valid one)."""
        value = (value or "").strip()
        if not value:
            return False
        try:
            found = list(identifiers.triples(node, scheme, value))
        except ValueError:
            self.counts.add(f"invalid {scheme} identifiers skipped")
            return False
        for t in found:
            self.add(t.subject, t.predicate.value, t.object)
        self.counts.identifiers += 1
        return True

    def date(self, node: ox.NamedNode, predicate: str, value: str | None) -> None:
        value = (value or "").strip()[:10]
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            self.add(node, predicate, ox.Literal(value, datatype=ox.NamedNode(XSD + "date")))

    def sub_organisation(self, child: ox.NamedNode, parent: ox.NamedNode) -> None:
        self.add(child, ORG + "subOrganizationOf", parent)
        self.add(parent, ORG + "hasSubOrganization", child)

    def succession(self, before: Iterable[ox.NamedNode], after: Iterable[ox.NamedNode], date: str | None = None,
                   key: str = "") -> None:
        """Organisations replaced by others: dcterms:replaces / isReplacedBy, and one org:ChangeEvent."""
        before, after = sorted(set(before), key=str), sorted(set(after), key=str)
        if not before or not after:
            return
        event = ox.NamedNode(f"{ID}change/{hashlib.sha256((key + repr((before, after))).encode()).hexdigest()[:16]}")
        self.add(event, RDF_TYPE, ox.NamedNode(ORG + "ChangeEvent"))
        for old in before:
            self.add(event, ORG + "originalOrganization", old)
            self.add(old, ORG + "changedBy", event)
            for new in after:
                self.add(new, DCTERMS + "replaces", old)
                self.add(old, DCTERMS + "isReplacedBy", new)
        for new in after:
            self.add(event, ORG + "resultingOrganization", new)
            self.add(new, ORG + "resultedFrom", event)
        if date:
            self.date(event, PROV + "atTime", date)
        self.counts.add("successions")


# Hosts that serve many organisations' pages: never an organisation's own domain.
SHARED_HOSTS = frozenset({"gov.uk", "github.com", "gitlab.com", "wikipedia.org", "en.wikipedia.org", "twitter.com",
                          "x.com", "facebook.com", "linkedin.com", "nhs.uk", "gov.scot", "gov.wales", "nidirect.gov.uk",
                          "data.gov.uk", "london.gov.uk"})


def read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size:,} bytes is too large for a register file (limit {MAX_BYTES:,}).")
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give the register file itself.") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read it ({e.strerror or e}).") from e


STEPS = ("read", "build", "check", "write")


def import_register(register: Register, path: Path, store: GraphStore, build: Callable[[bytes, Path], Builder],
                    media_type: str, read: Callable[[Path], bytes] = read_file,
                    progress: Callable[[str], None] | None = None) -> Counts:
    """Read ``path`` (``read`` gives the bytes the checksum is of), turn it into triples with ``build``, check
    them against the shapes, and write them as the register's graph."""
    from ogtgraph.publishing import store_references
    from ogtgraph.validation import validate

    step = progress or (lambda _: None)
    data = read(path)
    step("read")
    builder = build(data, path)
    step("build")
    if not builder.counts.organisations:
        raise InputError(f"{path}: no organisations found; is this the {register.title} ({register.file})?")
    graph = ox.NamedNode(register.graph)
    quads = tuple(ox.Quad(t.subject, t.predicate, t.object, graph) for t in builder.triples)
    sha256 = hashlib.sha256(data).hexdigest()
    contribution = Contribution(str(path), "register-" + register.kind, media_type, sha256, quads)
    report = validate(contribution, references=store_references(store))
    step("check")
    if not report.conforms:
        raise InputError(f"{path}: the {register.title} did not import, as {len(report.violations)} statements "
                         "do not conform to the shapes; nothing was changed. The first:\n"
                         + "\n".join(f"  {f.text()}" for f in report.violations[:10]))
    record = Provenance(register.graph, path.name, sha256, media_type, now(), None, len(quads),
                        license=register.license, attribution=register.attribution, derived_from=register.download)
    store.put([Entry(record, quads)])
    step("write")
    return builder.counts
