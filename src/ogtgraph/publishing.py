"""Validate contribution files and load the conforming ones: the core of ``validate`` and ``load``.

Files checked together see each other: an organisation described in one file may be referred to from
another, in any order. A file that fails takes its organisations with it, and files that leaned on them are
checked again, so nothing is loaded that refers to something that was not.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ogtgraph import resources
from ogtgraph.errors import InputError, OgtGraphError
from ogtgraph.formats import (
    DEFAULT_MAX_BYTES,
    Contribution,
    Statement,
    contribution_files,
    graph_name,
    read_contribution,
)
from ogtgraph.namespaces import OGT, ORG, RDF_TYPE, graph_iri
from ogtgraph.store import GraphStore, Provenance, now
from ogtgraph.validation import Report, validate

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: an input error, or a validation report (and whether it was loaded)."""

    source: str
    report: Report | None = None
    error: OgtGraphError | None = None
    graph: str | None = None
    loaded: bool = False
    replaced: bool = False
    unchanged: bool = False  # the store already holds this very file (same SHA-256); nothing was done

    @property
    def conforms(self) -> bool:
        return self.unchanged or (self.error is None and self.report is not None and self.report.conforms)


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """0 if every file conforms, 2 if any could not be used, else 1."""
    if any(o.error is not None for o in outcomes):
        return max(o.error.exit_code for o in outcomes if o.error is not None)
    return 0 if all(o.conforms for o in outcomes) else 1


def check(
    paths: Sequence[Path],
    *,
    store: GraphStore | None = None,
    graph: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> tuple[list[Outcome], dict[str, Contribution]]:
    """Parse and validate files together; returns the outcomes and the conforming contributions by source."""
    outcomes, parsed = _read_all(paths, graph=graph, max_bytes=max_bytes, progress=progress)
    reports = _validate_together(list(parsed.values()), store)
    return _ordered(paths, outcomes, parsed, reports), {s: c for s, c in parsed.items() if reports[s].conforms}


def load(
    paths: Sequence[Path],
    *,
    store: GraphStore,
    graph: str | None = None,
    publisher: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Validate files together and load every conforming one into its own graph.

    Each file's triples are written while the rest are read and checked (see :class:`LoadSession`); only
    the conforming ones are committed, so a file that fails leaves the store as it was. A file the store
    already holds byte for byte (same graph, same SHA-256, same publisher) is left as it is, unless ``force``.
    """
    same = {} if force else _unchanged(paths, store, graph=graph, publisher=publisher)
    paths_to_read = [p for p in paths if p not in same]
    with store.session() as session:
        outcomes, parsed = _read_all(paths_to_read, graph=graph, max_bytes=max_bytes, progress=progress,
                                     stage=session.stage)
        for path, iri in same.items():
            outcomes[str(path)] = Outcome(str(path), graph=iri, unchanged=True)
            if progress is not None:
                progress(1)

        def drop(failed: set[str]) -> None:
            session.wait()
            session.discard(parsed[s].graph for s in failed)

        reports = _validate_together(list(parsed.values()), store, on_failure=drop)
        session.wait()
        conforming = {s: c for s, c in parsed.items() if reports[s].conforms}
        replaced = {s for s, c in conforming.items() if session.is_replacement(c.graph)}
        loaded_at = now()
        session.commit([
            Provenance(c.graph, Path(c.source).name, c.sha256, c.media_type, loaded_at,
                       publisher or publisher_of(c), len(c.quads))
            for c in conforming.values()
        ])
    store.flush()
    if progress is not None:
        progress(1)
    return [
        replace(o, loaded=o.source in conforming, replaced=o.source in replaced)
        for o in _ordered(paths, outcomes, parsed, reports)
    ]


def _unchanged(paths: Sequence[Path], store: GraphStore, *, graph: str | None, publisher: str | None
               ) -> dict[Path, str]:
    """The files whose graph the store holds from this very file: {path: graph IRI}."""
    records = {p.graph: p for p in store.provenance() if p.kind == "contribution"}
    found = {}
    for path in paths:
        try:
            iri = graph_iri(graph or graph_name(path))
            record = records.get(iri)
            if record is None or (publisher is not None and publisher != record.publisher):
                continue
            if record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest():
                found[path] = iri
        except (OgtGraphError, OSError):
            continue  # reading it properly will say what is wrong
    return found


def _read_all(
    paths: Sequence[Path],
    *,
    graph: str | None,
    max_bytes: int,
    progress: Progress | None,
    stage: Callable[[str, Sequence[ox.Quad]], None] | None = None,
) -> tuple[dict[str, Outcome], dict[str, Contribution]]:
    """Read every file; unusable ones become outcomes with an error, the rest contributions by source."""
    if graph is not None and len(paths) != 1:
        raise InputError("--graph names the graph of one file; give exactly one file with it.")
    outcomes: dict[str, Outcome] = {}
    parsed: dict[str, Contribution] = {}
    names: dict[str, str] = {}
    for path in paths:
        if progress is not None:
            progress(1)
        try:
            contribution = read_contribution(path, name=graph, max_bytes=max_bytes)
        except OgtGraphError as e:
            outcomes[str(path)] = Outcome(str(path), error=e)
            continue
        clash = names.get(contribution.name)
        if clash is not None:
            error = InputError(f"{path}: {clash} is loaded with it and would become the same graph "
                               f"<{contribution.graph}>; rename one of them.")
            outcomes[str(path)] = Outcome(str(path), error=error)
            continue
        names[contribution.name] = str(path)
        parsed[contribution.source] = contribution
        if stage is not None:
            stage(contribution.graph, contribution.quads)
    return outcomes, parsed


def _ordered(paths: Sequence[Path], outcomes: dict[str, Outcome], parsed: dict[str, Contribution],
             reports: dict[str, Report]) -> list[Outcome]:
    for source, report in reports.items():
        outcomes[source] = Outcome(source, report=report, graph=parsed[source].graph)
    return [outcomes[str(p)] for p in paths if str(p) in outcomes]


def load_bundled_if_empty(store: GraphStore, *, progress: Progress | None = None) -> list[Outcome] | None:
    """Load the contributions that ship with ogtgraph into a store that has none; None if it has some."""
    if any(p.kind == "contribution" for p in store.provenance()):
        return None
    return load(contribution_files([resources.folder("data")]), store=store, progress=progress)


def publisher_of(contribution: Contribution) -> str | None:
    """The publisher: the one lead organisation of its projects, else the one organisation it describes."""
    statements = contribution.statements
    leads = {o.value for _, p, o in statements if p == OGT + "leadOrganisation"}
    if len(leads) == 1:
        return str(leads.pop())
    orgs = {s.value for s, p, o in statements
            if p == RDF_TYPE and o.value == ORG + "Organization" and isinstance(s, ox.NamedNode)}
    return orgs.pop() if len(orgs) == 1 else None


def _validate_together(
    contributions: list[Contribution],
    store: GraphStore | None,
    *,
    on_failure: Callable[[set[str]], None] | None = None,
) -> dict[str, Report]:
    """Validate each file with the others' descriptions; drop failures and re-check who leaned on them.

    ``on_failure`` hears of each round's failures before the next round looks anything up in the store.
    """
    described = {c.source: _described(c) for c in contributions}
    wanted = {c.source: c.referenced for c in contributions}
    passing = {c.source: c for c in contributions}
    reports: dict[str, Report] = {}
    todo: Iterable[Contribution] = contributions
    while True:
        index = _index(passing.values(), described)
        lookup = _lookup(index, store)
        for contribution in todo:
            reports[contribution.source] = validate(contribution, references=lookup)
        failed = {s for s in passing if not reports[s].conforms}
        if not failed:
            return reports
        if on_failure is not None:
            on_failure(failed)
        lost = set().union(*(described[s].keys() for s in failed))
        for s in failed:
            del passing[s]
        todo = [c for s, c in passing.items() if wanted[s] & lost]
        if not todo:
            return reports


def _described(contribution: Contribution) -> dict[str, list[Statement]]:
    return {s.value: typed for s, typed in contribution.outline.types.items() if isinstance(s, ox.NamedNode)}


def _index(passing: Iterable[Contribution], described: dict[str, dict[str, list[Statement]]]
           ) -> dict[str, list[Statement]]:
    index: dict[str, list[Statement]] = defaultdict(list)
    for c in passing:
        for iri, triples in described[c.source].items():
            index[iri].extend(triples)
    return index


def store_references(store: GraphStore) -> Callable[[Iterable[str]], list[Any]]:
    """What the store says about IRIs (their types and schemes), for validating data against what it holds."""
    return _lookup({}, store)


def _lookup(index: dict[str, list[Statement]], store: GraphStore | None) -> Callable[[Iterable[str]], list[Any]]:
    def references(iris: Iterable[str]) -> list[Any]:
        found: list[Any] = []
        elsewhere: list[str] = []
        for iri in iris:
            known = index.get(iri)
            if known:
                found.extend(known)
            else:
                elsewhere.append(iri)
        if store is not None and elsewhere:
            found.extend(store.describe(elsewhere))
        return found

    return references


