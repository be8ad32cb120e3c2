"""The Oxigraph store: one named graph per contribution, provenance in a metadata graph, nothing lost.

The only module that imports pyoxigraph's store API. pyoxigraph has no transaction spanning several calls
(each ``extend`` / ``update`` / ``bulk_load`` is atomic on its own), so loading follows one rule: **a graph
counts as loaded only once its provenance record is in the metadata graph**.

* A new contribution's triples are written into its graph first (while other files are still being read
  and checked), and its record last; one that fails validation is dropped before any record is written.
* A new version of an existing contribution is written to a staging graph and swapped in by one SPARQL
  update (``MOVE`` plus the provenance change), which is atomic: readers see the old version or the new one.
* A graph found without a record when the store is next opened for writing (the remains of a load that was
  killed) is dropped, so after a crash every contribution is at its old or its new version.

Queries see the union of all named graphs as their default graph: the contribution graphs, the vocabulary
graph and the metadata graph (whose statements are only about graphs, never about organisations or projects).
"""

from __future__ import annotations

import hashlib
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from ogtgraph.errors import InternalError, NotFoundError, QueryError, StoreError
from ogtgraph.namespaces import (
    DCTERMS,
    GRAPH,
    META_GRAPH,
    OGT,
    PROV,
    RDF_TYPE,
    RECONCILED_GRAPH,
    SKOS,
    STAGING_GRAPH,
    XSD,
)
from ogtgraph.vocabulary import vocabulary

VOCABULARY_GRAPH = GRAPH + "_vocabulary"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
ATTRIBUTION = "http://creativecommons.org/ns#attributionText"
_META = ox.NamedNode(META_GRAPH)
_RECONCILED = ox.NamedNode(RECONCILED_GRAPH)
_TYPE = ox.NamedNode(RDF_TYPE)
_DESCRIBING = (_TYPE, ox.NamedNode(SKOS + "inScheme"))
_BULK_THRESHOLD = 20_000
EXPORT_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


@dataclass(frozen=True)
class Provenance:
    """Where a contribution graph came from and when it was loaded."""

    graph: str
    source: str
    sha256: str
    media_type: str
    loaded_at: str
    publisher: str | None
    triples: int
    kind: str = "contribution"
    license: str | None = None  # IRI of the data's licence (register imports)
    attribution: str | None = None  # the attribution the licence asks for
    derived_from: str | None = None  # where the imported file is published


@dataclass(frozen=True)
class Entry:
    """A contribution ready to be written: its provenance and its quads, in graph ``provenance.graph``."""

    provenance: Provenance
    quads: Sequence[ox.Quad]


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class GraphStore:
    """An Oxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: Path | None, *, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if not (path / "CURRENT").exists():
                    raise NotFoundError(f"there is no store at {path}; load some contributions first with "
                                        "'ogtgraph load FILE --store PATH', or point --store at an existing one.")
                self._store = ox.Store.read_only(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as e:
            raise StoreError(_open_message(path, read_only, e)) from e
        if not read_only:
            self._recover()
            self._ensure_vocabulary()

    # ------------------------------------------------------------------ reading

    def provenance(self) -> list[Provenance]:
        """Every graph's provenance record, sorted by graph IRI."""
        records: dict[str, dict[str, Any]] = {}
        for q in self._store.quads_for_pattern(None, None, None, _META):
            records.setdefault(cast(Any, q.subject).value, {})[q.predicate.value] = q.object
        return sorted((_record(g, r) for g, r in records.items()), key=lambda p: p.graph)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def describe(self, iris: Iterable[str]) -> list[ox.Triple]:
        """The type and scheme statements the store holds about ``iris``, from any graph."""
        found: list[ox.Triple] = []
        for iri in iris:
            node = ox.NamedNode(iri)
            for predicate in _DESCRIBING:
                found.extend(q.triple for q in self._store.quads_for_pattern(node, predicate, None, None))
        return found

    def query(
        self,
        sparql: str,
        *,
        substitutions: dict[str, Any] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> Any:
        """Run a SPARQL query; ``substitutions`` bind variables to terms. The default graph is the union of
        all graphs unless ``default_graphs`` lists some (SPARQL Protocol ``default-graph-uri``);
        ``named_graphs`` limits what ``GRAPH`` sees (``named-graph-uri``)."""
        bound = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        options: dict[str, Any] = {"use_default_graph_as_union": default_graphs is None}
        if default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, substitutions=bound or None, base_iri=base_iri, **options)
        except SyntaxError as e:
            raise QueryError(f"the query is not valid SPARQL: {e}") from e
        except RuntimeError as e:  # e.g. a substituted variable that the SELECT does not project
            raise QueryError(f"the query cannot be run with these parameters: {e}") from e
        except OSError as e:
            raise StoreError(f"the store at {self.path} could not be read: {e}") from e

    def export(self, output: IO[bytes], fmt: str) -> None:
        self._store.dump(output, format=EXPORT_FORMATS[fmt])

    def triple_count(self, graph: str) -> int:
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    # ------------------------------------------------------------------ writing

    def put(self, entries: Sequence[Entry]) -> None:
        """Write contributions that are already known to be good, and commit them."""
        session = self.session()
        with session:
            for entry in entries:
                session.stage(entry.provenance.graph, entry.quads)
            session.wait()
            session.commit([e.provenance for e in entries])

    def session(self) -> LoadSession:
        """A load: stage contribution data first, commit the good ones, discard the rest."""
        self._writable()
        return LoadSession(self, self._store)

    def remove(self, graph: str) -> None:
        """Remove a contribution graph and its provenance, atomically."""
        self._writable()
        if not self.has_graph(graph):
            raise NotFoundError(f"there is no contribution graph <{graph}> in the store; see 'ogtgraph list'.")
        g = ox.NamedNode(graph)
        self._store.update(f"DROP SILENT GRAPH {g} ; DELETE WHERE {{ GRAPH {_META} {{ {g} ?p ?o }} }}")
        self.reconcile()

    def reconcile(self) -> int:
        """Rewrite the derived graph of which organisation nodes are one organisation (see reconcile.py)."""
        from ogtgraph import reconcile

        self._writable()
        return reconcile.refresh(self._store)

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store (and its lock), so that other processes may open it."""
        import gc

        self.flush()
        del self._store
        gc.collect()

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only; it cannot be changed now.")

    def _recover(self) -> None:
        """Drop what an interrupted load left: staging graphs, and graphs without a provenance record."""
        recorded = {p.graph for p in self.provenance()}
        for graph in list(self._store.named_graphs()):
            if graph not in (_META, _RECONCILED) and graph.value not in recorded:
                self._store.remove_graph(graph)

    def _ensure_vocabulary(self) -> None:
        """Load (or refresh) the bundled ontology, schemes and areas as the vocabulary graph."""
        vocab = vocabulary()
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in vocab.files)).hexdigest()
        current = next((p for p in self.provenance() if p.graph == VOCABULARY_GRAPH), None)
        if current is not None and current.sha256 == digest:
            return
        record = Provenance(VOCABULARY_GRAPH, "ogtgraph ontology/*.ttl", digest, "text/turtle", now(), None,
                            len(vocab.triples), kind="vocabulary")
        graph = ox.NamedNode(VOCABULARY_GRAPH)
        self.put([Entry(record, [ox.Quad(t.subject, t.predicate, t.object, graph) for t in vocab.triples])])


class LoadSession:
    """Contribution data written ahead of validation, so that writing overlaps checking.

    A new contribution's triples go straight into its graph (a large load in a background thread, by
    ``bulk_load``, which releases the GIL); a new version of an existing one goes into a staging graph.
    Nothing counts as loaded until :meth:`commit` writes its provenance record (new graphs) or swaps the
    staging graph in (replacements) with one atomic update. :meth:`discard` drops what failed; leaving the
    ``with`` block without committing drops everything staged. A crash leaves only graphs without records,
    which the next opening for writing removes.
    """

    def __init__(self, store: GraphStore, backend: ox.Store):
        self._owner = store
        self._store = backend
        self._targets: dict[str, ox.NamedNode] = {}
        self._buffer: list[ox.Quad] = []
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        self._errors: list[BaseException] = []
        self._committed: set[str] = set()

    def __enter__(self) -> LoadSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wait(raise_errors=False)
        leftover = [g for g in self._targets if g not in self._committed]
        self.discard(leftover)

    def stage(self, graph: str, quads: Sequence[ox.Quad]) -> None:
        """Write ``quads`` (in graph ``graph``) ahead of validation."""
        if graph in self._targets:
            raise InternalError(f"<{graph}> is staged twice in one load.")
        existing = self._owner.has_graph(graph)
        target = ox.NamedNode(f"{STAGING_GRAPH}{uuid.uuid4()}") if existing else ox.NamedNode(graph)
        self._targets[graph] = target
        if existing or any(q.graph_name != target for q in quads[:1]):
            quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
        self._buffer.extend(quads)
        if len(self._buffer) >= _BULK_THRESHOLD:
            self._send()

    def is_replacement(self, graph: str) -> bool:
        return graph in self._targets and self._targets[graph].value != graph

    def wait(self, *, raise_errors: bool = True) -> None:
        """Finish writing what was staged."""
        if self._thread is None:
            if self._buffer:
                self._guard(lambda: self._store.extend(self._buffer))
                self._buffer = []
        else:
            self._send()
            assert self._queue is not None
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._errors and raise_errors:
            error = self._errors[0]
            raise StoreError(f"the store at {self._owner.path} could not be written: {error}") from error

    def discard(self, graphs: Iterable[str]) -> None:
        """Drop what was staged for ``graphs`` (after :meth:`wait`)."""
        for graph in graphs:
            target = self._targets.pop(graph, None)
            if target is not None:
                self._drop(target)

    def commit(self, records: Sequence[Provenance]) -> None:
        """Make staged contributions loaded: provenance for new graphs, an atomic swap for replacements."""
        new = [r for r in records if self._targets[r.graph].value == r.graph]
        self._guard(lambda: self._store.extend([q for r in new for q in _meta_quads(r, _META)]))
        for record in records:
            if self._targets[record.graph].value != record.graph:
                self._swap(record, self._targets[record.graph])
        self._committed.update(r.graph for r in records)
        self._owner.reconcile()

    def _swap(self, record: Provenance, stage: ox.NamedNode) -> None:
        """Swap a staged replacement in, with its provenance, in one atomic update."""
        graph = ox.NamedNode(record.graph)
        stage_meta = ox.NamedNode(f"{stage.value}-meta")
        self._guard(lambda: self._store.extend(list(_meta_quads(record, stage_meta))))
        self._guard(lambda: self._store.update(
            f"DELETE WHERE {{ GRAPH {_META} {{ {graph} ?p ?o }} }} ; MOVE {stage} TO {graph} ; "
            f"ADD {stage_meta} TO {_META} ; DROP GRAPH {stage_meta}"
        ))

    def _drop(self, graph: ox.NamedNode) -> None:
        self._guard(lambda: self._store.remove_graph(graph))

    def _send(self) -> None:
        if not self._buffer:
            return
        data = ox.serialize(self._buffer, format=ox.RdfFormat.N_QUADS)
        self._buffer = []
        if self._thread is None:
            self._queue = queue.Queue(maxsize=4)
            self._thread = threading.Thread(target=self._write, name="ogtgraph-load", daemon=True)
            self._thread.start()
        assert self._queue is not None
        self._queue.put(data)

    def _write(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            if self._errors:
                continue
            try:
                self._store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            except BaseException as e:  # reported by wait() in the caller's thread
                self._errors.append(e)

    def _guard(self, action: Callable[[], object]) -> None:
        try:
            action()
        except OSError as e:
            raise StoreError(f"the store at {self._owner.path} could not be written: {e}") from e


def probe_query(sparql: str, variables: Sequence[str] = ()) -> None:
    """Check that a query parses and can bind ``variables``, on an empty store; raise QueryError if not."""
    try:
        ox.Store().query(sparql, substitutions={ox.Variable(v): ox.Literal("") for v in variables} or None)
    except (SyntaxError, RuntimeError, ValueError) as e:
        raise QueryError(str(e)) from e


def _meta_quads(p: Provenance, graph: ox.NamedNode) -> Iterator[ox.Quad]:
    g = ox.NamedNode(p.graph)
    kind = OGT + ("Vocabulary" if p.kind == "vocabulary" else "Contribution")
    yield ox.Quad(g, _TYPE, ox.NamedNode(kind), graph)
    yield ox.Quad(g, ox.NamedNode(DCTERMS + "source"), ox.Literal(p.source), graph)
    yield ox.Quad(g, ox.NamedNode(OGT + "sha256"), ox.Literal(p.sha256), graph)
    yield ox.Quad(g, ox.NamedNode(DCTERMS + "format"), ox.Literal(p.media_type), graph)
    yield ox.Quad(g, ox.NamedNode(PROV + "generatedAtTime"),
                  ox.Literal(p.loaded_at, datatype=ox.NamedNode(XSD + "dateTime")), graph)
    yield ox.Quad(g, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(p.triples), datatype=ox.NamedNode(XSD + "integer")),
                  graph)
    if p.publisher:
        yield ox.Quad(g, ox.NamedNode(DCTERMS + "publisher"), ox.NamedNode(p.publisher), graph)
    if p.license:
        yield ox.Quad(g, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(p.license), graph)
    if p.attribution:
        yield ox.Quad(g, ox.NamedNode(ATTRIBUTION), ox.Literal(p.attribution), graph)
    if p.derived_from:
        yield ox.Quad(g, ox.NamedNode(PROV + "wasDerivedFrom"), ox.NamedNode(p.derived_from), graph)


def _record(graph: str, values: dict[str, Any]) -> Provenance:
    def text(predicate: str) -> str:
        term = values.get(predicate)
        return term.value if term is not None else ""

    return Provenance(
        graph=graph,
        source=text(DCTERMS + "source"),
        sha256=text(OGT + "sha256"),
        media_type=text(DCTERMS + "format"),
        loaded_at=text(PROV + "generatedAtTime"),
        publisher=text(DCTERMS + "publisher") or None,
        triples=int(text(VOID_TRIPLES) or 0),
        kind="vocabulary" if text(RDF_TYPE) == OGT + "Vocabulary" else "contribution",
        license=text(DCTERMS + "license") or None,
        attribution=text(ATTRIBUTION) or None,
        derived_from=text(PROV + "wasDerivedFrom") or None,
    )


def _open_message(path: Path | None, read_only: bool, error: OSError) -> str:
    reason = str(error)
    if "lock" in reason.lower():
        return (f"the store at {path} is in use by another ogtgraph process (for example 'ogtgraph serve'); "
                "stop that process, or use another store with --store PATH.")
    if read_only:
        return f"there is no readable store at {path} ({reason}); load some contributions first with 'ogtgraph load'."
    return f"the store at {path} could not be opened ({reason}); check the path and its permissions."
