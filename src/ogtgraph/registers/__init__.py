"""Importers of public registers: ``ogtgraph import KIND PATH``. Each kind is a module with ``REGISTER``
(a :class:`~ogtgraph.registers.base.Register`), ``MEDIA_TYPE`` and ``build(data, path) -> Builder``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from ogtgraph.errors import InputError
from ogtgraph.registers.base import Counts, Register
from ogtgraph.store import GraphStore

# kind → module, in the order a full import runs them (councils first: others reconcile onto them)
KINDS = {
    "local-authorities": "local_authorities",
    "digital-land": "digital_land",
    "govuk-organisations": "govuk_organisations",
    "universities": "universities",
    "digital-public-goods": "digital_public_goods",
}


def module(kind: str) -> ModuleType:
    name = KINDS.get(kind)
    if name is None:
        raise InputError(f'"{kind}" is not a register ogtgraph imports; the kinds are: {", ".join(KINDS)}.')
    return importlib.import_module(f"ogtgraph.registers.{name}")


def register(kind: str) -> Register:
    found: Register = module(kind).REGISTER
    return found


def import_file(kind: str, path: Path, store: GraphStore, progress: Callable[[str], None] | None = None) -> Counts:
    """Import the register file at ``path`` as ``kind`` (replacing an earlier import of that kind);
    ``progress`` hears of each step done (read, build, check, write)."""
    from ogtgraph.registers.base import import_register, read_file

    found = module(kind)
    return import_register(found.REGISTER, path, store, found.build, found.MEDIA_TYPE,
                           getattr(found, "read", read_file), progress)
