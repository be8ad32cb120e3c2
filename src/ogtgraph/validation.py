"""Check a contribution against the SHACL shapes; the only module that imports pySHACL.

A contribution is validated together with what it refers to: the type and scheme statements about every
IRI it names, drawn from the vocabulary, from files loaded with it and from the store (``references``).
Resources it only refers to are validated where they are described, so results about them are dropped.

Two engines read the same shapes: the compiled SHACL Core subset (:mod:`ogtgraph.compiled_shapes`, fast,
used whenever the shapes stay inside it) and pySHACL (the reference, used otherwise or when asked for).
Returns a :class:`Report` value; raises only if validation cannot run.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal

import pyoxigraph as ox

from ogtgraph.compiled_shapes import CompiledShapes, Result, compile_shapes
from ogtgraph.errors import InternalError
from ogtgraph.formats import Contribution, Statement
from ogtgraph.jsonld import context
from ogtgraph.namespaces import RDF_TYPE, SH, short
from ogtgraph.vocabulary import shape_files, vocabulary

References = Callable[[Iterable[str]], Iterable[Any]]  # triples or quads: subject, predicate, object
Engine = Literal["auto", "compiled", "pyshacl"]
_ENTITIES = {"http://www.w3.org/ns/org#Organization", "https://schema.org/Project"}
_SEVERITY = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
CLASS_NAMES = {
    "http://www.w3.org/ns/org#Organization": "Organisation",
    "https://schema.org/Project": "Project",
    "http://www.w3.org/2006/vcard/ns#Kind": "Contact",
    "https://w3id.org/ogtgraph/def#StatusUpdate": "StatusUpdate",
    "https://schema.org/Event": "Event",
    "http://www.w3.org/ns/dcat#Dataset": "Dataset",
}


@dataclass(frozen=True)
class Finding:
    """One result, for a person: which resource, which key, which value, and what to do."""

    severity: str
    resource: str
    key: str | None
    value: str | None
    message: str
    shape: str | None

    def text(self) -> str:
        said = f'"{self.key}" is {self.value}. ' if self.key and self.value is not None else ""
        return f"{self.resource}: {said}{self.message}"


@dataclass(frozen=True)
class Report:
    """The outcome of validating one contribution; ``conforms`` is False only for violations."""

    source: str
    conforms: bool
    findings: tuple[Finding, ...]

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "violation"]

    def lines(self) -> list[str]:
        return [("warning: " if f.severity != "violation" else "") + f.text() for f in self.findings]

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "conforms": self.conforms, "results": [asdict(f) for f in self.findings]}


class ShapeValidator:
    """A shapes graph, parsed once, ready to validate many contributions (thread-safe)."""

    def __init__(self, shapes: list[ox.Triple]):
        self._compiled: CompiledShapes | None = compile_shapes(shapes)
        self._class_paths = self._compiled.class_paths if self._compiled is not None else None
        self._shape_triples = shapes
        self._pyshacl: _PyShacl | None = None
        self._lock = threading.Lock()

    @property
    def compiled(self) -> bool:
        return self._compiled is not None

    def validate(
        self, contribution: Contribution, *, references: References | None = None, engine: Engine = "auto"
    ) -> Report:
        outline = contribution.outline
        own = outline.subjects
        if not any(o.value in _ENTITIES for typed in outline.types.values() for _, _, o in typed):
            return Report(contribution.source, False, (_empty_finding(contribution),))
        data = [*contribution.statements, *_context(contribution, references, self._class_paths)]
        results = [r for r in self._results(data, engine, contribution.source) if r.focus in own]
        findings = _findings(results, data, contribution.is_jsonld) if results else ()
        return Report(contribution.source, not any(f.severity == "violation" for f in findings), findings)

    def _results(self, data: list[Statement], engine: Engine, source: str) -> list[Result]:
        if self._compiled is not None and engine in ("auto", "compiled"):
            return self._compiled.validate(data)
        if engine == "compiled":
            raise InternalError("the shapes use SHACL features outside the compiled subset; use pySHACL.")
        with self._lock:
            if self._pyshacl is None:
                self._pyshacl = _PyShacl(self._shape_triples)
            try:
                return self._pyshacl.run(data)
            except Exception as e:  # pySHACL raises many kinds; none of them is the contributor's fault
                raise InternalError(f"{source}: validation could not run ({e}).") from e


@lru_cache(maxsize=1)
def bundled_validator() -> ShapeValidator:
    """The validator for the bundled shapes, built once per process."""
    triples = [q.triple for path in shape_files() for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    return ShapeValidator(triples)


def validate(
    contribution: Contribution, *, references: References | None = None, engine: Engine = "auto"
) -> Report:
    return bundled_validator().validate(contribution, references=references, engine=engine)


def _context(contribution: Contribution, references: References | None, class_paths: frozenset[str] | None
             ) -> list[Statement]:
    """What the vocabulary, then ``references``, say about the IRIs the contribution names through a
    property whose values the shapes check by class (all of them when that is not known)."""
    vocab = vocabulary()
    outline = contribution.outline
    wanted = outline.referenced if class_paths is None else frozenset().union(
        *(iris for predicate, iris in outline.by_predicate.items() if predicate in class_paths))
    found = [_statement(t) for t in vocab.describe(wanted)]
    if references is not None:
        found.extend(_statement(t) for t in references(i for i in wanted if i not in vocab.index))
    return found


def _statement(item: Any) -> Statement:
    """A (subject, predicate IRI, object) tuple from a tuple, triple or quad."""
    if isinstance(item, tuple):
        return item
    return (item.subject, item.predicate.value, item.object)


class _PyShacl:
    """pySHACL with its harvested shapes kept between runs (building them costs ~28 ms a run).

    pySHACL and rdflib are imported here, on first use, so that commands that never need them start fast.
    """

    def __init__(self, shapes: list[ox.Triple]):
        import rdflib

        self._shapes = rdflib.Graph(bind_namespaces="none")
        for t in shapes:
            self._shapes.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
        self._validator: Any = None

    def run(self, data: list[Statement]) -> list[Result]:
        import rdflib
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        graph = rdflib.Graph(bind_namespaces="none")
        for subject, predicate, obj in data:
            graph.add((_rdflib(subject), rdflib.URIRef(predicate), _rdflib(obj)))
        wrapped = DataGraph.from_rdflib_graph(graph)
        if self._validator is None:
            options = {"inference": "none", "inplace": True, "allow_warnings": True, "allow_infos": True}
            self._validator = Validator(wrapped, shacl_graph=self._shapes, options=options)
        else:  # keep the harvested shapes; swap the data graph in
            self._validator.data_graph = wrapped
            self._validator._target_graph = None
        _, report, _ = self._validator.run()
        return _results_of(report)


def _results_of(report: Any) -> list[Result]:
    import rdflib

    def node(iri: str) -> Any:
        return rdflib.URIRef(iri)

    nested = set(report.objects(None, node(SH + "detail")))
    results = []
    for result in report.subjects(node(RDF_TYPE), node(SH + "ValidationResult")):
        if result in nested:
            continue

        def get(name: str, result: Any = result) -> Any:
            return report.value(result, node(SH + name))

        path, value, message, shape = get("resultPath"), get("value"), get("resultMessage"), get("sourceShape")
        results.append(Result(
            focus=_ox(get("focusNode")),
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            value=_ox(value) if value is not None else None,
            severity=_SEVERITY.get(str(get("resultSeverity")), "violation"),
            message=str(message) if message is not None else None,
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
        ))
    return results


def _rdflib(term: Any) -> Any:
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise InternalError(f"unsupported RDF term {term!r}")


def _ox(term: Any) -> Any:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or rdflib.XSD.string)))
    raise InternalError(f"unsupported RDF term {term!r}")


def _findings(results: list[Result], data: list[Statement], jsonld: bool) -> tuple[Finding, ...]:
    types: dict[Any, list[str]] = defaultdict(list)
    parents: dict[Any, Any] = {}
    for subject, predicate, obj in data:
        if predicate == RDF_TYPE:
            types[subject].append(obj.value)
        if isinstance(obj, ox.BlankNode):
            parents.setdefault(obj, subject)
    found = {
        Finding(
            severity=r.severity,
            resource=_describe(r.focus, types, parents),
            key=_key(r.path, jsonld) if r.path else None,
            value=_value(r.value, jsonld) if r.value is not None else None,
            message=r.message or "does not conform to the ogtgraph shapes.",
            shape=r.shape,
        )
        for r in results
    }
    return tuple(sorted(found, key=lambda f: (f.severity != "violation", f.resource, f.key or "", f.message,
                                              f.value or "")))


def _describe(node: Any, types: dict[Any, list[str]], parents: dict[Any, Any], depth: int = 0) -> str:
    kind = next((CLASS_NAMES[t] for t in types.get(node, ()) if t in CLASS_NAMES), "Resource")
    if isinstance(node, ox.NamedNode):
        return f"{kind} <{node.value}>"
    parent = parents.get(node)
    if parent is None or depth > 3:
        return f"a {kind} without an id"
    return f"a {kind} of {_describe(parent, types, parents, depth + 1)}"


def _key(path: str, jsonld: bool) -> str:
    if jsonld and path in context().keys:
        return context().keys[path]
    return short(path).strip("<>")


def _value(value: Any, jsonld: bool) -> str:
    if isinstance(value, ox.Literal):
        return f'"{value.value}"'
    if isinstance(value, ox.NamedNode):
        shown = short(value.value) if jsonld else f"<{value.value}>"
        return f'"{shown}"' if jsonld and not shown.startswith("<") else shown
    return "a blank node"


def _empty_finding(contribution: Contribution) -> Finding:
    return Finding(
        "violation",
        contribution.source,
        None,
        None,
        'describes no Organisation or Project: a contribution must describe at least one, with its "type".',
        None,
    )
