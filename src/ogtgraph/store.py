"""The Oxigraph store: one named graph per contribution, provenance in a metadata graph, nothing lost.

The only module that imports pyoxigraph's store API. Writing follows two rules, because pyoxigraph has no
transaction spanning several calls (each ``extend`` / ``update`` is atomic on its own):

* A graph counts as loaded only once its provenance record is in the metadata graph. A new contribution's
  triples are written first, then its record (one atomic ``extend``); a graph found without a record when the
  store is next opened for writing is the remains of an interrupted load, and is dropped.
* A new version of an existing contribution is written to a staging graph, then swapped in by one SPARQL
  update (``MOVE`` plus the provenance change), which is atomic: readers see the old version or the new one.

Queries see the union of all named graphs as their default graph: the contribution graphs, the vocabulary
graph and the metadata graph (whose statements are only about graphs, never about organisations or projects).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ogtgraph.errors import NotFoundError, QueryError, StoreError
from ogtgraph.namespaces import (
    DCTERMS,
    GRAPH,
    META_GRAPH,
    OGT,
    PROV,
    RDF_TYPE,
    SKOS,
    STAGING_GRAPH,
    XSD,
)
from ogtgraph.vocabulary import vocabulary

VOCABULARY_GRAPH = GRAPH + "_vocabulary"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
_META = ox.NamedNode(META_GRAPH)
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


@dataclass(frozen=True)
class Entry:
    """A contribution ready to be written: its graph IRI, triples and provenance."""

    provenance: Provenance
    triples: Sequence[ox.Triple]


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
            records.setdefault(q.subject.value, {})[q.predicate.value] = q.object
        return sorted((_record(g, r) for g, r in records.items()), key=lambda p: p.graph)

    def has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    def describe(self, iris: Iterable[str]) -> list[ox.Triple]:
        """The type and scheme statements the store holds about ``iris``, from any graph."""
        found = []
        for iri in iris:
            node = ox.NamedNode(iri)
            for predicate in _DESCRIBING:
                found.extend(q.triple for q in self._store.quads_for_pattern(node, predicate, None, None))
        return found

    def query(self, sparql: str, *, substitutions: dict[str, Any] | None = None) -> Any:
        """Run a SPARQL query over the union of the graphs; ``substitutions`` bind variables to terms."""
        bound = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            return self._store.query(sparql, use_default_graph_as_union=True, substitutions=bound or None)
        except SyntaxError as e:
            raise QueryError(f"the query is not valid SPARQL: {e}") from e
        except OSError as e:
            raise StoreError(f"the store at {self.path} could not be read: {e}") from e

    def export(self, output: IO[bytes], fmt: str) -> None:
        self._store.dump(output, format=EXPORT_FORMATS[fmt])

    def triple_count(self, graph: str) -> int:
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    # ------------------------------------------------------------------ writing

    def put(self, entries: Sequence[Entry]) -> None:
        """Write contributions: new graphs together, each replacement atomically on its own."""
        self._writable()
        new = [e for e in entries if not self.has_graph(e.provenance.graph)]
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(e.provenance.graph)) for e in new
                for t in e.triples]
        try:
            if len(data) > _BULK_THRESHOLD:
                self._store.bulk_extend(data)
                self._store.extend([q for e in new for q in _meta_quads(e.provenance, _META)])
            else:
                self._store.extend(data + [q for e in new for q in _meta_quads(e.provenance, _META)])
            fresh = {id(e) for e in new}
            for entry in entries:
                if id(entry) not in fresh:
                    self._replace(entry)
        except OSError as e:
            raise StoreError(f"the store at {self.path} could not be written: {e}") from e

    def remove(self, graph: str) -> None:
        """Remove a contribution graph and its provenance, atomically."""
        self._writable()
        if not self.has_graph(graph):
            raise NotFoundError(f"there is no contribution graph <{graph}> in the store; see 'ogtgraph list'.")
        g = ox.NamedNode(graph)
        self._store.update(f"DROP SILENT GRAPH {g} ; DELETE WHERE {{ GRAPH {_META} {{ {g} ?p ?o }} }}")

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def _replace(self, entry: Entry) -> None:
        graph = ox.NamedNode(entry.provenance.graph)
        stage = ox.NamedNode(f"{STAGING_GRAPH}{uuid.uuid4()}")
        stage_meta = ox.NamedNode(f"{stage.value}-meta")
        quads = [ox.Quad(t.subject, t.predicate, t.object, stage) for t in entry.triples]
        self._store.extend(quads + list(_meta_quads(entry.provenance, stage_meta)))
        self._store.update(
            f"DELETE WHERE {{ GRAPH {_META} {{ {graph} ?p ?o }} }} ; MOVE {stage} TO {graph} ; "
            f"ADD {stage_meta} TO {_META} ; DROP GRAPH {stage_meta}"
        )

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only; it cannot be changed now.")

    def _recover(self) -> None:
        """Drop what an interrupted load left: staging graphs, and graphs without a provenance record."""
        recorded = {p.graph for p in self.provenance()}
        for graph in list(self._store.named_graphs()):
            if graph != _META and graph.value not in recorded:
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
        self.put([Entry(record, vocab.triples)])


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
    )


def _open_message(path: Path | None, read_only: bool, error: OSError) -> str:
    reason = str(error)
    if "lock" in reason.lower():
        return (f"the store at {path} is in use by another ogtgraph process (for example 'ogtgraph serve'); "
                "stop that process, or use another store with --store PATH.")
    if read_only:
        return f"there is no readable store at {path} ({reason}); load some contributions first with 'ogtgraph load'."
    return f"the store at {path} could not be opened ({reason}); check the path and its permissions."
