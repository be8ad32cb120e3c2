"""Read a contribution file (Turtle or JSON-LD) into triples, with file, line and column on any error."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ogtgraph import expansion, jsonld
from ogtgraph.errors import InputError, NotFoundError, ParseError
from ogtgraph.namespaces import RDF_TYPE, graph_iri

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
MEDIA_TYPES = {".ttl": TURTLE, ".jsonld": JSON_LD, ".json": JSON_LD}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


Statement = tuple[Any, str, Any]  # subject term, predicate IRI, object term: cheap to read many times


@dataclass(frozen=True)
class Contribution:
    """One parsed contribution: where it came from, its graph name, checksum and statements.

    ``quads`` are the contribution's triples, distinct, already placed in its named graph ``graph``.
    """

    source: str
    name: str
    media_type: str
    sha256: str
    quads: tuple[ox.Quad, ...]
    given: tuple[Statement, ...] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def statements(self) -> tuple[Statement, ...]:
        """The quads as plain tuples; reading a pyoxigraph term's parts builds new objects each time."""
        if self.given is not None:
            return self.given
        return tuple((q.subject, q.predicate.value, q.object) for q in self.quads)

    @property
    def graph(self) -> str:
        return graph_iri(self.name)

    @property
    def triples(self) -> tuple[ox.Quad, ...]:
        """The statements (quads, which carry subject, predicate and object like triples)."""
        return self.quads

    @property
    def is_jsonld(self) -> bool:
        return self.media_type == JSON_LD

    @cached_property
    def outline(self) -> Outline:
        """Who is described, with which types, and which IRIs are only referred to (one pass, cached)."""
        return Outline.of(self.statements)

    @property
    def referenced(self) -> frozenset[str]:
        """IRIs the contribution names as values (other than classes) but does not describe itself."""
        return self.outline.referenced


@dataclass(frozen=True)
class Outline:
    """What a contribution describes and refers to."""

    subjects: frozenset[Any]
    types: dict[Any, list[Statement]]
    referenced: frozenset[str]
    by_predicate: dict[str, frozenset[str]]  # the referenced IRIs, by the predicate that names them

    @classmethod
    def of(cls, statements: Sequence[Statement]) -> Outline:
        subjects: set[Any] = set()
        types: dict[Any, list[Statement]] = {}
        objects: dict[str, set[str]] = {}
        for statement in statements:
            subject, predicate, obj = statement
            subjects.add(subject)
            if predicate == RDF_TYPE:
                types.setdefault(subject, []).append(statement)
            elif isinstance(obj, ox.NamedNode):
                objects.setdefault(predicate, set()).add(obj.value)
        named = {s.value for s in subjects if isinstance(s, ox.NamedNode)}
        by_predicate = {p: frozenset(iris - named) for p, iris in objects.items()}
        return cls(frozenset(subjects), types, frozenset().union(*by_predicate.values()), by_predicate)


def graph_name(path: Path) -> str:
    """The contribution name for a file: its stem, reduced to letters, digits, dot, dash and underscore."""
    name = _NAME.sub("-", path.stem).strip("-.")
    if not name:
        raise InputError(f"{path}: cannot derive a contribution name from the file name; pass --graph NAME.")
    return name


def media_type_of(path: Path) -> str:
    try:
        return MEDIA_TYPES[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"{path}: unknown file type {path.suffix or '(none)'}; a contribution is .ttl (Turtle) "
            "or .jsonld / .json (JSON-LD)."
        ) from None


def contribution_files(paths: Iterable[Path]) -> list[Path]:
    """The contribution files named, with each folder expanded to its .ttl/.jsonld/.json files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in MEDIA_TYPES))
        elif path.exists():
            found.append(path)
        else:
            raise NotFoundError(f"{path}: no such file or folder.")
    return found


def read_contribution(path: Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Contribution:
    """Read and parse one contribution file."""
    media_type = media_type_of(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: the file is {size:,} bytes, over the limit of {max_bytes:,}; split it into one file "
                "per publisher, or raise OGTGRAPH_MAX_FILE_BYTES."
            )
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the file ({e.strerror or e}).") from e
    return parse_contribution(data, source=str(path), media_type=media_type, name=name or graph_name(path))


def parse_contribution(data: bytes, *, source: str, media_type: str, name: str) -> Contribution:
    """Parse the bytes of a contribution."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ParseError("the file is not UTF-8 text; save it as UTF-8.", source=source, line=line) from e
    try:
        graph = ox.NamedNode(graph_iri(name))
    except ValueError:
        raise InputError(f"{source}: {name!r} cannot name a graph; use letters, digits, '-', '.' and '_'.") from None
    statements: tuple[Statement, ...] | None = None
    if media_type == JSON_LD:
        quads, given = _jsonld_quads(text, source, graph)
        statements = tuple(dict.fromkeys(given)) if given is not None else None
    else:  # one pass: each term is read out of pyoxigraph once, for the quad and the statement alike
        found: dict[ox.Quad, Statement] = {}
        for q in _parse(text, ox.RdfFormat.TURTLE, source, positions=True):
            subject, predicate, obj = q.subject, q.predicate, q.object
            found.setdefault(ox.Quad(subject, predicate, obj, graph), (subject, predicate.value, obj))
        return Contribution(source, name, media_type, hashlib.sha256(data).hexdigest(), tuple(found),
                            tuple(found.values()))
    unique = tuple(dict.fromkeys(quads))
    return Contribution(source, name, media_type, hashlib.sha256(data).hexdigest(), unique, statements)


def _jsonld_quads(text: str, source: str, graph: ox.NamedNode
                  ) -> tuple[Sequence[ox.Quad], Sequence[Statement] | None]:
    checked = jsonld.check(text, source=source)
    try:
        expanded = expansion.expand(checked, graph)
    except expansion.BadValue as e:
        line, column = jsonld.locate(text, json.dumps(e.value))
        raise ParseError(f'"{e.key}" is {json.dumps(e.value)}, which is not a valid code or IRI: remove spaces '
                         'and the characters <>"{}|^`\\ .', source=source, line=line, column=column) from e
    if expanded is not None:
        return expanded
    parsed = _parse(jsonld.for_parser(checked, graph.value), ox.RdfFormat.JSON_LD, source, positions=False)
    if any(q.graph_name != graph for q in parsed):
        raise ParseError("the file puts statements in named graphs of its own; a contribution is one "
                         "graph, so remove the nested \"@graph\" objects that have an \"id\".", source=source)
    return parsed, None


def _parse(text: str, fmt: ox.RdfFormat, source: str, *, positions: bool) -> tuple[ox.Quad, ...]:
    try:
        return tuple(ox.parse(text, format=fmt))
    except SyntaxError as e:
        message = re.sub(r"^Parser error at line \d+ column \d+: ", "", str(e.msg or e))
        line, column = (e.lineno, e.offset) if positions else (None, None)
        raise ParseError(message, source=source, line=line, column=column) from e
