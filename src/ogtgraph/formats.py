"""Read a contribution file (Turtle or JSON-LD) into triples, with file, line and column on any error."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import jsonld
from ogtgraph.errors import InputError, NotFoundError, ParseError

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
MEDIA_TYPES = {".ttl": TURTLE, ".jsonld": JSON_LD, ".json": JSON_LD}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Contribution:
    """One parsed contribution: where it came from, its graph name, checksum and triples."""

    source: str
    name: str
    media_type: str
    sha256: str
    triples: tuple[ox.Triple, ...]

    @property
    def is_jsonld(self) -> bool:
        return self.media_type == JSON_LD


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
    if media_type == JSON_LD:
        triples = _parse(jsonld.prepare(text, source=source), ox.RdfFormat.JSON_LD, source, positions=False)
    else:
        triples = _parse(text, ox.RdfFormat.TURTLE, source, positions=True)
    return Contribution(source, name, media_type, hashlib.sha256(data).hexdigest(), triples)


def _parse(text: str, fmt: ox.RdfFormat, source: str, *, positions: bool) -> tuple[ox.Triple, ...]:
    try:
        return tuple(q.triple for q in ox.parse(text, format=fmt))
    except SyntaxError as e:
        message = re.sub(r"^Parser error at line \d+ column \d+: ", "", str(e.msg or e))
        line, column = (e.lineno, e.offset) if positions else (None, None)
        raise ParseError(message, source=source, line=line, column=column) from e
