"""Check a contribution against the SHACL shapes; the only module that imports pySHACL.

The shapes are parsed once per process and the pySHACL validator keeps its harvested shapes between runs.
A contribution is validated together with what it refers to: the type and scheme statements about every
IRI it names, drawn from the vocabulary, from files loaded with it and from the store (``references``).
Returns a :class:`Report` value; raises only if validation cannot run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from rdflib.namespace import RDF, SH

from ogtgraph.errors import InternalError
from ogtgraph.formats import Contribution
from ogtgraph.jsonld import context
from ogtgraph.namespaces import RDF_TYPE, short
from ogtgraph.vocabulary import shape_files, vocabulary

References = Callable[[Iterable[str]], Iterable[ox.Triple]]
_SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_CLASS_NAMES = {
    "http://www.w3.org/ns/org#Organization": "Organisation",
    "https://schema.org/Project": "Project",
    "http://www.w3.org/2006/vcard/ns#Kind": "Contact",
    "https://w3id.org/ogtgraph/def#StatusUpdate": "StatusUpdate",
    "https://schema.org/Event": "Event",
    "http://www.w3.org/ns/dcat#Dataset": "Dataset",
}


@dataclass(frozen=True)
class Finding:
    """One result: which resource, which key, which value, and what to do."""

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
    """The bundled shapes, ready to validate many contributions (thread-safe)."""

    def __init__(self, shapes: rdflib.Graph):
        self._shapes = shapes
        self._validator: Validator | None = None
        self._lock = threading.Lock()

    def validate(self, contribution: Contribution, *, references: References | None = None) -> Report:
        data, described = _data_graph(contribution, references)
        if not described:
            return Report(contribution.source, False, (_empty_finding(contribution),))
        with self._lock:
            try:
                conforms, report, _ = self._run(data)
            except Exception as e:  # pySHACL raises many kinds; none of them is the contributor's fault
                raise InternalError(f"{contribution.source}: validation could not run ({e}).") from e
        findings = _findings(report, data, contribution.is_jsonld, _own_nodes(contribution))
        return Report(contribution.source, not any(f.severity == "violation" for f in findings), findings)

    def _run(self, data: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
        graph = DataGraph.from_rdflib_graph(data)
        if self._validator is None:
            options = {"inference": "none", "inplace": True, "allow_warnings": True, "allow_infos": True}
            self._validator = Validator(graph, shacl_graph=self._shapes, options=options)
        else:  # keep the harvested shapes; swap the data graph in
            self._validator.data_graph = graph
            self._validator._target_graph = None
        result: tuple[bool, rdflib.Graph, str] = self._validator.run()
        return result


@lru_cache(maxsize=1)
def bundled_validator() -> ShapeValidator:
    """The validator for the bundled shapes, built once per process."""
    shapes = rdflib.Graph(bind_namespaces="none")
    for path in shape_files():
        shapes.parse(path, format="turtle")
    return ShapeValidator(shapes)


def validate(contribution: Contribution, *, references: References | None = None) -> Report:
    return bundled_validator().validate(contribution, references=references)


def referenced_iris(contribution: Contribution) -> set[str]:
    """IRIs the contribution names as values but does not describe itself."""
    subjects = {t.subject.value for t in contribution.triples if isinstance(t.subject, ox.NamedNode)}
    return {
        t.object.value
        for t in contribution.triples
        if isinstance(t.object, ox.NamedNode) and t.predicate.value != RDF_TYPE and t.object.value not in subjects
    }


def _data_graph(contribution: Contribution, references: References | None) -> tuple[rdflib.Graph, bool]:
    graph = rdflib.Graph(bind_namespaces="none")
    add = graph.add
    described = False
    for t in contribution.triples:
        add((_term(t.subject), _term(t.predicate), _term(t.object)))
        described = described or (t.predicate.value == RDF_TYPE and t.object.value in _CLASS_NAMES)
    wanted = referenced_iris(contribution)
    context_triples = list(vocabulary().describe(wanted))
    if references is not None:
        context_triples.extend(references(wanted))
    for t in context_triples:
        add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph, described


def _term(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise InternalError(f"unsupported RDF term {term!r}")


def _own_nodes(contribution: Contribution) -> set[str]:
    return {t.subject.value for t in contribution.triples}


def _findings(report: rdflib.Graph, data: rdflib.Graph, jsonld: bool, own: set[str]) -> tuple[Finding, ...]:
    found = []
    nested = set(report.objects(None, SH.detail))
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if result in nested or str(focus) not in own:
            continue  # a detail of another result, or a resource described elsewhere (validated there)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        severity = _SEVERITY.get(report.value(result, SH.resultSeverity), "violation")  # type: ignore[arg-type]
        shape = report.value(result, SH.sourceShape)
        found.append(
            Finding(
                severity=severity,
                resource=_describe(focus, data),
                key=_key(path, jsonld) if isinstance(path, rdflib.URIRef) else None,
                value=_value(value, jsonld) if value is not None else None,
                message=str(message) if message else "does not conform to the ogtgraph shapes.",
                shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
            )
        )
    return tuple(sorted(found, key=lambda f: (f.severity != "violation", f.resource, f.key or "", f.message)))


def _describe(node: Any, data: rdflib.Graph, depth: int = 0) -> str:
    kind = next((_CLASS_NAMES[str(t)] for t in data.objects(node, RDF.type) if str(t) in _CLASS_NAMES), "Resource")
    if isinstance(node, rdflib.URIRef):
        return f"{kind} <{node}>"
    parent = next(iter(data.subjects(None, node)), None)
    if parent is None or depth > 3:
        return f"a {kind} without an id"
    return f"a {kind} of {_describe(parent, data, depth + 1)}"


def _key(path: rdflib.URIRef, jsonld: bool) -> str:
    if jsonld and str(path) in context().keys:
        return context().keys[str(path)]
    return short(str(path)).strip("<>")


def _value(value: Any, jsonld: bool) -> str:
    if isinstance(value, rdflib.Literal):
        return f'"{value}"'
    if isinstance(value, rdflib.URIRef):
        shown = short(str(value)) if jsonld else f"<{value}>"
        return f'"{shown}"' if jsonld and not shown.startswith("<") else shown
    return "a blank node"


def _empty_finding(contribution: Contribution) -> Finding:
    return Finding(
        "violation",
        contribution.source,
        None,
        None,
        "describes no Organisation or Project: a contribution must describe at least one, with its \"type\".",
        None,
    )
