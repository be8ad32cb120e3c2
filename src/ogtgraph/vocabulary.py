"""The bundled vocabulary (ontology and SKOS schemes) and the shapes, parsed once per process."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import resources
from ogtgraph.namespaces import RDF_TYPE, SKOS

# The statements about a referenced IRI that validation needs: what it is and which scheme it belongs to.
DESCRIBING = frozenset({RDF_TYPE, SKOS + "inScheme"})


@dataclass(frozen=True)
class Vocabulary:
    """Triples of the bundled ontology files, and an index of the statements that describe each IRI."""

    files: tuple[Path, ...]
    triples: tuple[ox.Triple, ...]
    index: dict[str, tuple[ox.Triple, ...]]

    def describe(self, iris: Iterable[str]) -> list[ox.Triple]:
        """The type and scheme statements the vocabulary makes about ``iris``."""
        found: list[ox.Triple] = []
        for iri in iris:
            found.extend(self.index.get(iri, ()))
        return found


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    files = tuple(resources.files("ontology", "*.ttl"))
    triples = tuple(q.triple for f in files for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
    index: dict[str, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        if t.predicate.value in DESCRIBING and isinstance(t.subject, ox.NamedNode):
            index[t.subject.value].append(t)
    return Vocabulary(files, triples, {k: tuple(v) for k, v in index.items()})


def shape_files() -> list[Path]:
    return resources.files("shapes", "*.ttl")
