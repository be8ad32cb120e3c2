"""Where the ontology, shapes, queries and bundled data live.

Installed, they ship inside the package (``ogtgraph/_bundled/...``); in a source checkout (an editable
install or ``python -m`` from the repository) they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_KINDS = ("ontology", "shapes", "queries", "data")


def folder(kind: str) -> Path:
    """The folder holding ``kind`` (one of ontology, shapes, queries, data)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown resource kind {kind!r}")
    bundled = _PACKAGE / "_bundled" / kind
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent.parent / kind


def files(kind: str, pattern: str) -> list[Path]:
    """The files of ``kind`` matching ``pattern``, sorted by name."""
    return sorted(folder(kind).glob(pattern))
