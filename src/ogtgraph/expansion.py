"""Expand a contribution written in the plain profile of the ogtgraph context straight to quads.

pyoxigraph's JSON-LD parser processes the context for every document and costs about as much as storing
the result, which makes it the slowest step of a bulk load. Nearly every contribution uses the context in
one plain way: the shipped context only, node objects with ``id``/``type`` and context terms, strings,
integers, booleans, value objects and nested nodes. For those documents this module produces the same
quads directly; :func:`expand` returns ``None`` for anything else (inline contexts, lists, reverse
properties, floats, keywords it does not know...) and the caller falls back to pyoxigraph's parser. Tests
hold the two to isomorphic results on every contribution in ``data/``, the fixtures and generated data.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ogtgraph.jsonld import Checked, context
from ogtgraph.namespaces import CONTEXT_IRI, RDF_TYPE, XSD

_TYPE = ox.NamedNode(RDF_TYPE)
_STRING = ox.NamedNode(XSD + "string")
_INTEGER = ox.NamedNode(XSD + "integer")
_BOOLEAN = ox.NamedNode(XSD + "boolean")


_IRIS: dict[str, ox.NamedNode] = {}  # IRIs repeat across contributions (predicates, classes, concepts)
# context terms, read once: predicate, type coercion, scoped @vocab, scoped prefixes
_PROPERTIES: dict[str, tuple[ox.NamedNode, str | None, str | None, dict[str, str] | None]] = {}
_MAX_CACHED = 200_000


class BadValue(ValueError):
    """A code or IRI value that is no IRI once expanded (a stray space, say): JSON-LD would drop it silently."""

    def __init__(self, key: str, value: str):
        super().__init__(f"{key}={value!r}")
        self.key = key
        self.value = value


class _Unsupported(Exception):
    """The document leaves the plain profile; let pyoxigraph's parser expand it."""


class _Expander:
    def __init__(self, graph: ox.NamedNode):
        ctx = context()
        self.graph = graph
        self.terms = ctx.terms
        self.prefixes = ctx.prefixes
        self.blank: dict[str, ox.BlankNode] = {}
        self.quads: list[ox.Quad] = []
        self.statements: list[tuple[Any, str, Any]] = []

    @staticmethod
    def iri(value: str) -> ox.NamedNode:
        node = _IRIS.get(value)
        if node is None:
            node = ox.NamedNode(value)
            if len(_IRIS) < _MAX_CACHED:
                _IRIS[value] = node
        return node

    def expand_iri(self, value: str, *, vocab: str | None = None, prefixes: dict[str, str] | None = None
                   ) -> ox.NamedNode | ox.BlankNode:
        """An IRI value: a blank node label, a term (vocab only), a compact IRI, absolute, or vocab-relative.
        ``prefixes`` are a property's scoped prefixes, which come before the context's."""
        if value.startswith("_:"):
            return self.blank.setdefault(value, ox.BlankNode())
        if vocab is not None and value in self.terms:
            definition = self.terms[value]
            target = definition if isinstance(definition, str) else definition.get("@id")
            if not isinstance(target, str):
                raise _Unsupported(value)
            return self.expand_iri(target)
        prefix, colon, local = value.partition(":")
        if colon and prefixes and not local.startswith("//") and prefix in prefixes:
            return self.iri(prefixes[prefix] + local)
        if colon and not local.startswith("//") and prefix in self.prefixes:
            return self.iri(self.prefixes[prefix] + local)
        if colon:
            return self.iri(value)
        if vocab is None:
            raise _Unsupported(value)  # a relative IRI: the checker stops these, pyoxigraph would drop it
        return self.iri(vocab + value)

    def datatype(self, value: Any) -> ox.NamedNode:
        iri = self.expand_iri(value) if isinstance(value, str) else None
        if not isinstance(iri, ox.NamedNode):
            raise _Unsupported("datatype")
        return iri

    def node(self, node: dict[str, Any]) -> ox.NamedNode | ox.BlankNode:
        if "@context" in node or "@value" in node:
            raise _Unsupported("@context")
        ident = node.get("@id", node.get("id"))
        if ident is not None and not isinstance(ident, str):
            raise _Unsupported("id")
        subject = self.expand_iri(ident) if ident is not None else ox.BlankNode()
        for key, value in node.items():
            if key in ("@id", "id"):
                continue
            if key in ("@type", "type"):
                for t in value if isinstance(value, list) else [value]:
                    if not isinstance(t, str):
                        raise _Unsupported("type")
                    self.add(subject, _TYPE, self.expand_iri(t, vocab=""))
            elif key.startswith("@"):
                raise _Unsupported(key)
            else:
                self.property(subject, key, value)
        return subject

    def property(self, subject: ox.NamedNode | ox.BlankNode, key: str, value: Any) -> None:
        known = _PROPERTIES.get(key)
        predicate, coerce, vocab, scoped = known if known is not None else self.definition(key)
        append, state, graph, iri = self.quads.append, self.statements.append, self.graph, predicate.value
        for item in value if isinstance(value, list) else [value]:
            try:
                obj = self.value(item, coerce, vocab, scoped)
            except ValueError as e:
                if coerce in ("@id", "@vocab") and isinstance(item, str):
                    raise BadValue(key, item) from e
                raise
            if obj is not None:
                append(ox.Quad(subject, predicate, obj, graph))
                state((subject, iri, obj))

    def definition(self, key: str) -> tuple[ox.NamedNode, str | None, str | None, dict[str, str] | None]:
        """What a key means: its predicate, type coercion, scoped @vocab and scoped prefixes (remembered for
        context terms)."""
        definition = self.terms.get(key)
        scoped_prefixes: dict[str, str] | None = None
        if definition is None:
            predicate, coerce, vocab = self.expand_iri(key), None, None
        elif isinstance(definition, str):
            predicate, coerce, vocab = self.expand_iri(definition), None, None
        else:
            unknown = set(definition) - {"@id", "@type", "@container", "@context"}
            if unknown or definition.get("@container", "@set") != "@set":
                raise _Unsupported(key)
            predicate, coerce = self.expand_iri(definition["@id"]), definition.get("@type")
            scoped = definition.get("@context", {})
            vocab = scoped.get("@vocab")
            scoped_prefixes = {k: v for k, v in scoped.items() if not k.startswith("@")}
            if set(scoped) - {"@vocab"} - set(scoped_prefixes) or coerce != "@id" and scoped_prefixes or any(
                    not isinstance(v, str) or not v.endswith(("/", "#")) for v in scoped_prefixes.values()):
                raise _Unsupported(key)  # only prefixes for IRI values are in the plain profile
        if not isinstance(predicate, ox.NamedNode):
            raise _Unsupported(key)
        if definition is not None:
            _PROPERTIES[key] = (predicate, coerce, vocab, scoped_prefixes or None)
        return predicate, coerce, vocab, scoped_prefixes or None

    def value(self, item: Any, coerce: str | None, vocab: str | None, scoped: dict[str, str] | None = None) -> Any:
        if item is None:
            return None
        if isinstance(item, list):
            raise _Unsupported("nested list")
        if isinstance(item, dict):
            if "@value" in item:
                return self.value_object(item)
            if scoped:
                raise _Unsupported("node in a scoped context")  # the scoped prefixes would apply inside it
            return self.node(item)
        if coerce == "@id" and isinstance(item, str):
            return self.expand_iri(item, prefixes=scoped)
        if coerce == "@vocab" and isinstance(item, str):
            return self.expand_iri(item, vocab=vocab or "")
        if coerce not in (None, "@id", "@vocab"):
            if not isinstance(item, str):
                raise _Unsupported("typed non-string")
            return ox.Literal(item, datatype=self.datatype(coerce))
        if isinstance(item, bool):
            return ox.Literal("true" if item else "false", datatype=_BOOLEAN)
        if isinstance(item, int) and abs(item) < 10**21:  # JSON-LD writes larger numbers as doubles
            return ox.Literal(str(item), datatype=_INTEGER)
        if isinstance(item, str):
            return ox.Literal(item, datatype=_STRING)
        raise _Unsupported("number")  # doubles have a canonical form; leave them to the parser

    def value_object(self, item: dict[str, Any]) -> ox.Literal:
        if set(item) - {"@value", "@language", "@type"} or not isinstance(item["@value"], str):
            raise _Unsupported("value object")
        if "@language" in item:
            if "@type" in item or not isinstance(item["@language"], str):
                raise _Unsupported("value object")
            return ox.Literal(item["@value"], language=item["@language"].lower())
        if "@type" in item:
            return ox.Literal(item["@value"], datatype=self.datatype(item["@type"]))
        return ox.Literal(item["@value"], datatype=_STRING)

    def add(self, s: Any, p: ox.NamedNode, o: Any) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))
        self.statements.append((s, p.value, o))


def expand(checked: Checked, graph: ox.NamedNode) -> tuple[list[ox.Quad], list[tuple[Any, str, Any]]] | None:
    """The quads of a plain-profile document in ``graph`` and the same as (subject, predicate IRI, object)
    tuples, or None if the document needs the full JSON-LD algorithm."""
    doc = checked.doc
    if not isinstance(doc, dict) or doc.get("@context") not in (CONTEXT_IRI, [CONTEXT_IRI]):
        return None
    expander = _Expander(graph)
    try:
        if "@graph" in doc:
            if set(doc) - {"@context", "@graph"} or not isinstance(doc["@graph"], list):
                return None
            for node in doc["@graph"]:
                if not isinstance(node, dict):
                    return None
                expander.node(node)
        else:
            expander.node({k: v for k, v in doc.items() if k != "@context"})
    except BadValue:
        raise
    except (_Unsupported, ValueError):
        return None
    return expander.quads, expander.statements
