"""The SHACL Core subset that ogtgraph's shapes use, compiled once and evaluated over plain triples.

pySHACL is the reference engine, but it spends ~10 ms of Python overhead on every run, which is more than
the whole budget for validating one contribution (5 ms) and far more than bulk loading allows. The shapes
graph stays the only source of the rules: this module reads it and compiles what it finds. A shapes graph
that uses anything outside the subset below makes :func:`compile_shapes` return ``None``, and validation
falls back to pySHACL. Tests hold both engines to the same results on every fixture and on ``data/``.

Supported: node shapes with ``sh:targetClass`` and ``sh:property``; property shapes whose ``sh:path`` is
one predicate IRI, with ``sh:minCount``, ``sh:maxCount``, ``sh:class``, ``sh:nodeKind``, ``sh:pattern``
(``sh:flags``), ``sh:datatype``, ``sh:hasValue``, ``sh:in``, ``sh:lessThanOrEquals``, ``sh:severity``,
``sh:message``, ``sh:deactivated``. Class membership follows SHACL instance semantics (``rdfs:subClassOf*``
in the data graph).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from ogtgraph.namespaces import RDF, RDF_TYPE, RDFS, SH, XSD

Term = Any  # pyoxigraph NamedNode | BlankNode | Literal

_SUPPORTED_PROPERTY = {
    SH + p
    for p in ("path minCount maxCount class nodeKind pattern flags datatype hasValue in lessThanOrEquals "
              "severity message deactivated name description order group").split()
} | {RDF_TYPE, RDFS + "label", RDFS + "comment"}
_SUPPORTED_NODE = {SH + p for p in ("targetClass property severity message deactivated").split()} | {
    RDF_TYPE, RDFS + "label", RDFS + "comment"}
_NODE_KINDS = {
    SH + "IRI": (ox.NamedNode,),
    SH + "BlankNode": (ox.BlankNode,),
    SH + "Literal": (ox.Literal,),
    SH + "BlankNodeOrIRI": (ox.NamedNode, ox.BlankNode),
    SH + "IRIOrLiteral": (ox.NamedNode, ox.Literal),
    SH + "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
}
_SUB_CLASS_OF = RDFS + "subClassOf"
_NONE: list[Term] = []
_SEVERITIES = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(frozen=True)
class Result:
    """One validation result, as SHACL defines it."""

    focus: Term
    path: str | None
    value: Term | None
    severity: str
    message: str | None
    shape: str | None


@dataclass
class PropertyShape:
    iri: str
    path: str
    severity: str = "violation"
    message: str | None = None
    min_count: int | None = None
    max_count: int | None = None
    classes: list[str] = field(default_factory=list)
    node_kind: tuple[type, ...] | None = None
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    datatype: str | None = None
    has_value: list[Term] = field(default_factory=list)
    allowed: list[Term] | None = None
    less_or_equal: list[str] = field(default_factory=list)
    checks_absence: bool = False  # whether the shape can fail for a focus node with no value at all


@dataclass
class NodeShape:
    iri: str
    target_classes: list[str]
    properties: list[PropertyShape]


@dataclass(frozen=True)
class CompiledShapes:
    shapes: tuple[NodeShape, ...]

    @property
    def class_paths(self) -> frozenset[str]:
        """The predicates whose values some shape checks with sh:class."""
        return frozenset(p.path for s in self.shapes for p in s.properties if p.classes)

    def validate(self, statements: Iterable[tuple[Term, str, Term]]) -> list[Result]:
        """Results for (subject, predicate IRI, object) statements."""
        data = _Data(statements)
        results: list[Result] = []
        values = data.values
        for node_shape in self.shapes:
            for focus in data.instances(node_shape.target_classes):
                for prop in node_shape.properties:
                    found = values.get((focus, prop.path))
                    if found is None and not prop.checks_absence:
                        continue  # the usual case: an optional property the focus node does not have
                    results.extend(_check(prop, focus, found or _NONE, data))
        return results


class _Data:
    """An index of the data graph: values by subject and predicate, and class membership."""

    def __init__(self, statements: Iterable[tuple[Term, str, Term]]):
        self.values: dict[tuple[Term, str], list[Term]] = {}
        self.by_type: dict[str, list[Term]] = defaultdict(list)
        self.types: dict[Term, set[str]] = defaultdict(set)
        self.sub_classes: dict[str, set[str]] = defaultdict(set)
        values = self.values
        for subject, predicate, obj in statements:
            found = values.get((subject, predicate))
            if found is None:
                values[(subject, predicate)] = [obj]
            else:
                found.append(obj)
            if predicate == RDF_TYPE:
                self.by_type[obj.value].append(subject)
                self.types[subject].add(obj.value)
            elif predicate == _SUB_CLASS_OF and isinstance(obj, ox.NamedNode):
                self.sub_classes[obj.value].add(subject.value if isinstance(subject, ox.NamedNode) else "")

    def closure(self, cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self.sub_classes.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return seen

    def instances(self, classes: Sequence[str]) -> list[Term]:
        found: dict[Term, None] = {}
        for cls in classes:
            for c in self.closure(cls):
                found.update(dict.fromkeys(self.by_type.get(c, ())))
        return list(found)

    def is_instance(self, node: Term, cls: str) -> bool:
        types = self.types.get(node)
        return types is not None and not types.isdisjoint(self.closure(cls))

    def objects(self, node: Term, predicate: str) -> list[Term]:
        return self.values.get((node, predicate), _NONE)


def _check(prop: PropertyShape, focus: Term, values: list[Term], data: _Data) -> Iterable[Result]:
    def result(value: Term | None) -> Result:
        return Result(focus, prop.path, value, prop.severity, prop.message, prop.iri)

    if prop.min_count is not None and len(values) < prop.min_count:
        yield result(None)
    if prop.max_count is not None and len(values) > prop.max_count:
        yield result(None)
    for wanted in prop.has_value:
        if wanted not in values:
            yield result(None)
    for value in values:
        if not _value_conforms(prop, value, data):
            yield result(value)
    for other in prop.less_or_equal:
        for value in values:
            for limit in data.objects(focus, other):
                if not _less_or_equal(value, limit):
                    yield result(value)


def _value_conforms(prop: PropertyShape, value: Term, data: _Data) -> bool:
    if prop.node_kind is not None and not isinstance(value, prop.node_kind):
        return False
    if prop.allowed is not None and value not in prop.allowed:
        return False
    for cls in prop.classes:
        if isinstance(value, ox.Literal) or not data.is_instance(value, cls):
            return False
    if prop.datatype is not None and not _has_datatype(value, prop.datatype):
        return False
    for pattern in prop.patterns:
        if isinstance(value, ox.BlankNode) or not pattern.search(value.value):
            return False
    return True


_LEXICAL = {
    XSD + "date": re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "dateTime": re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
}


def _has_datatype(value: Term, datatype: str) -> bool:
    if not isinstance(value, ox.Literal):
        return False
    if datatype == RDF + "langString":
        return bool(value.language)
    if value.language or value.datatype.value != datatype:
        return False
    lexical = _LEXICAL.get(datatype)
    if lexical is None:
        return True
    if not lexical.match(value.value):
        return False
    return _comparable(value) is not None if datatype in (XSD + "date", XSD + "dateTime") else True


def _comparable(term: Term) -> Any:
    """A Python value to order ``term`` by, or None when it has no order SHACL can use."""
    if not isinstance(term, ox.Literal):
        return None
    datatype = term.datatype.value
    try:
        if datatype == XSD + "date":
            return ("date", date.fromisoformat(term.value[:10]))
        if datatype == XSD + "dateTime":
            return ("dateTime", datetime.fromisoformat(term.value.replace("Z", "+00:00")))
        if datatype in (XSD + "integer", XSD + "decimal", XSD + "double", XSD + "float"):
            return ("number", Decimal(term.value))
        if datatype == XSD + "string":
            return ("string", term.value)
    except (ValueError, InvalidOperation):
        return None
    return None


def _less_or_equal(value: Term, limit: Term) -> bool:
    """Whether value <= limit; an ill-typed literal (reported by sh:datatype) is not held against the order."""
    if _ill_typed(value) or _ill_typed(limit):
        return True
    a, b = _comparable(value), _comparable(limit)
    return a is not None and b is not None and a[0] == b[0] and a[1] <= b[1]


def _ill_typed(term: Term) -> bool:
    if not isinstance(term, ox.Literal) or term.datatype.value not in _LEXICAL:
        return False
    return not _has_datatype(term, term.datatype.value)


def compile_shapes(triples: Iterable[ox.Triple]) -> CompiledShapes | None:
    """Compile a shapes graph, or return None if it uses anything outside the supported subset."""
    graph: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        graph[t.subject][t.predicate.value].append(t.object)
    node_shapes = []
    for subject, props in graph.items():
        if props.get(SH + "targetClass") is None:
            continue
        if not set(props) <= _SUPPORTED_NODE:
            return None
        if _deactivated(props):
            continue
        properties = [_property_shape(node, graph) for node in props.get(SH + "property", [])]
        if any(p is None for p in properties):
            return None
        targets = [c.value for c in props[SH + "targetClass"]]
        active = [p for p in properties if p is not None and not _deactivated(graph[_node(p.iri)])]
        node_shapes.append(NodeShape(_iri(subject), targets, active))
    return CompiledShapes(tuple(sorted(node_shapes, key=lambda s: s.iri)))


def _property_shape(node: Term, graph: dict[Term, dict[str, list[Term]]]) -> PropertyShape | None:
    props = graph.get(node, {})
    paths = props.get(SH + "path", [])
    if not set(props) <= _SUPPORTED_PROPERTY or len(paths) != 1 or not isinstance(paths[0], ox.NamedNode):
        return None
    one = {k: v[0] for k, v in props.items() if v}
    shape = PropertyShape(_iri(node), paths[0].value)
    shape.severity = _SEVERITIES.get(one[SH + "severity"].value, "violation") if SH + "severity" in one else "violation"
    shape.message = one[SH + "message"].value if SH + "message" in one else None
    shape.min_count = int(one[SH + "minCount"].value) if SH + "minCount" in one else None
    shape.max_count = int(one[SH + "maxCount"].value) if SH + "maxCount" in one else None
    shape.classes = [c.value for c in props.get(SH + "class", [])]
    shape.node_kind = _NODE_KINDS[one[SH + "nodeKind"].value] if SH + "nodeKind" in one else None
    flags = one[SH + "flags"].value if SH + "flags" in one else ""
    re_flags = (re.IGNORECASE if "i" in flags else 0) | (re.MULTILINE if "m" in flags else 0) | (
        re.DOTALL if "s" in flags else 0) | (re.VERBOSE if "x" in flags else 0)
    shape.patterns = [re.compile(p.value, re_flags) for p in props.get(SH + "pattern", [])]
    shape.datatype = one[SH + "datatype"].value if SH + "datatype" in one else None
    shape.has_value = list(props.get(SH + "hasValue", []))
    shape.allowed = _rdf_list(one[SH + "in"], graph) if SH + "in" in one else None
    shape.less_or_equal = [p.value for p in props.get(SH + "lessThanOrEquals", [])]
    shape.checks_absence = bool(shape.min_count) or bool(shape.has_value)
    return shape


def _deactivated(props: dict[str, list[Term]]) -> bool:
    return any(v.value == "true" for v in props.get(SH + "deactivated", []))


def _rdf_list(head: Term, graph: dict[Term, dict[str, list[Term]]]) -> list[Term]:
    items = []
    while head != ox.NamedNode(RDF + "nil") and head in graph:
        items.append(graph[head][RDF + "first"][0])
        head = graph[head][RDF + "rest"][0]
    return items


def _iri(node: Term) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)


def _node(iri: str) -> Term:
    return ox.BlankNode(iri[2:]) if iri.startswith("_:") else ox.NamedNode(iri)
