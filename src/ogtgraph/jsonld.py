"""JSON-LD contributions: the shipped context, resolved locally, and checks that nothing is silently dropped.

A JSON-LD processor drops what it cannot map (an unknown key, a relative ``id``, a misspelt ``type``) without
a word. A council's typo must not vanish, so before parsing, every key, type and IRI value of a contribution
is checked against the context, and reported with its line and column.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ogtgraph import resources
from ogtgraph.errors import ParseError, RemoteContextError, UnknownKeyError
from ogtgraph.namespaces import CONTEXT_IRI

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_KEYWORDS_ID = ("@id", "id")
_KEYWORDS_TYPE = ("@type", "type")


@dataclass(frozen=True)
class Context:
    """The ogtgraph context: its JSON, term definitions, prefixes and the key for each property IRI."""

    body: dict[str, Any]
    terms: dict[str, Any]
    prefixes: dict[str, str]
    keys: dict[str, str]


@lru_cache(maxsize=1)
def context() -> Context:
    """The shipped context, read once per process."""
    body = json.loads((resources.folder("ontology") / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    terms = {k: v for k, v in body.items() if not k.startswith("@")}
    prefixes = {k: v for k, v in terms.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    prefixes.update({k: v["@id"] for k, v in terms.items() if isinstance(v, dict) and v.get("@prefix") is True})
    keys: dict[str, str] = {}
    for key, definition in terms.items():
        iri = definition if isinstance(definition, str) else definition.get("@id", "")
        if key not in prefixes and key not in ("id", "type"):
            keys.setdefault(_expand(iri, prefixes), key)
    return Context(body=body, terms=terms, prefixes=prefixes, keys=keys)


def _expand(value: str, prefixes: dict[str, str]) -> str:
    prefix, _, local = value.partition(":")
    return prefixes[prefix] + local if prefix in prefixes else value


@dataclass(frozen=True)
class Checked:
    """A JSON-LD document that passed the checks, and the context terms it uses."""

    doc: Any
    used: frozenset[str]


def prepare(text: str, *, source: str, graph: str) -> str:
    """Check a JSON-LD document and return it ready for pyoxigraph's parser (see :func:`for_parser`)."""
    return for_parser(check(text, source=source), graph)


def check(text: str, *, source: str) -> Checked:
    """Read a JSON-LD document and check every key, type and IRI value against the context."""
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as e:
        raise ParseError(f'"{e.key}" is written twice in {e.where}, so one of its values would be lost; '
                         "give all the values once, as a list.", source=source) from e
    except json.JSONDecodeError as e:
        raise ParseError(f"not valid JSON: {e.msg}", source=source, line=e.lineno, column=e.colno) from e
    except RecursionError as e:
        raise ParseError("the JSON is nested too deeply to be a contribution", source=source) from e
    checker = _Checker(text, source)
    checker.node_or_list(doc, extra_terms=set())
    if isinstance(doc, dict) and any(k in doc for k in ("@id", "id")) and "@graph" in doc:
        checker.fail(ParseError, "a contribution cannot name its own graph (a top-level \"id\" with "
                     "\"@graph\"); ogtgraph names the graph after the file.", '"@graph"')
    return Checked(doc, frozenset(checker.used))


def for_parser(checked: Checked, graph: str) -> str:
    """The document for the parser: the ogtgraph context inlined (only the terms the document uses, which
    halves the parser's context processing) and every node placed in the named graph ``graph``, so that the
    parser emits the contribution's quads directly."""
    inline = json.dumps(_used_context(set(checked.used)), separators=(",", ":"))
    return _inline_contexts(_in_graph(checked.doc, graph), inline)


def _used_context(used: set[str]) -> dict[str, Any]:
    ctx = context()
    keep = {k: v for k, v in ctx.body.items()
            if k.startswith("@") or k in used or k in ctx.prefixes or k in ("id", "type")}
    return keep


def _in_graph(doc: Any, graph: str) -> dict[str, Any]:
    """The document as the content of the named graph ``graph``."""
    if isinstance(doc, dict) and "@graph" in doc:
        outer = {k: v for k, v in doc.items() if k in ("@context",)}
        return {**outer, "@id": graph, "@graph": doc["@graph"]}
    if isinstance(doc, dict):
        inner = {k: v for k, v in doc.items() if k != "@context"}
        outer = {"@context": doc["@context"]} if "@context" in doc else {}
        return {**outer, "@id": graph, "@graph": [inner]}
    return {"@id": graph, "@graph": doc}


def _inline_contexts(doc: Any, inline: str) -> str:
    """The document as JSON, with every reference to the ogtgraph context replaced by ``inline``."""
    marker = "\u0000ogtgraph-context\u0000"

    def swap(node: Any) -> Any:
        if isinstance(node, list):
            return [swap(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: swap(v) for k, v in node.items() if k != "@context"}
        if "@context" in node:
            ctx = node["@context"]
            items = ctx if isinstance(ctx, list) else [ctx]
            out = {"@context": [marker if c == CONTEXT_IRI else c for c in items], **out}
        return out

    return json.dumps(swap(doc)).replace(json.dumps(marker), inline)


class _Checker:
    """Walks a JSON-LD document and raises on anything the parser would drop or fetch."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self.ctx = context()
        self.used: set[str] = set()

    def fail(self, error: type[Exception], message: str, needle: str) -> None:
        line, column = locate(self.text, needle)
        if error is ParseError:
            raise ParseError(message, source=self.source, line=line, column=column)
        where = f"{self.source}" + (f", line {line}, column {column}" if line else "")
        raise error(f"{where}: {message}")

    def node_or_list(self, value: Any, extra_terms: set[str]) -> None:
        if isinstance(value, list):
            for item in value:
                self.node_or_list(item, extra_terms)
        elif isinstance(value, dict):
            self.node(value, extra_terms)

    def node(self, node: dict[str, Any], extra_terms: set[str]) -> None:
        terms = extra_terms | self.contexts(node.get("@context"))
        if "@value" in node:
            return
        for both in (("id", "@id"), ("type", "@type")):
            if all(k in node for k in both):
                self.fail(ParseError, f'an object has both "{both[0]}" and "{both[1]}"; use only "{both[0]}".',
                          f'"{both[1]}"')
        for key, value in node.items():
            if key == "@context":
                continue
            if key in _KEYWORDS_ID:
                self.iri_value(key, value)
            elif key in _KEYWORDS_TYPE:
                for t in value if isinstance(value, list) else [value]:
                    self.type_value(t, terms)
            elif key in ("@graph", "@list", "@set", "@included", "@reverse", "@nest"):
                self.node_or_list(value, terms)
            elif key.startswith("@"):
                continue
            else:
                self.property(key, value, terms)

    def contexts(self, ctx: Any) -> set[str]:
        found: set[str] = set()
        for item in ctx if isinstance(ctx, list) else ([] if ctx is None else [ctx]):
            if isinstance(item, str) and item != CONTEXT_IRI:
                self.fail(
                    RemoteContextError,
                    f'the context "{item}" is not fetched: ogtgraph never loads a remote or local-file context. '
                    f'Use "@context": "{CONTEXT_IRI}", or put your own terms inline.',
                    item,
                )
            if isinstance(item, dict):
                found |= {k for k in item if not k.startswith("@")}
        return found

    def known_key(self, key: str, terms: set[str]) -> bool:
        if key in self.ctx.terms or key in terms:
            return True
        prefix = key.partition(":")[0]
        return ":" in key and (prefix in self.ctx.prefixes or key.startswith(("http://", "https://", "urn:")))

    def property(self, key: str, value: Any, terms: set[str]) -> None:
        self.used.add(key)
        if not self.known_key(key, terms):
            close = difflib.get_close_matches(key, list(self.ctx.terms), n=1)
            hint = f' Did you mean "{close[0]}"?' if close else " See the keys in the ogtgraph context."
            self.fail(UnknownKeyError, f'"{key}" is not a key of the ogtgraph context, so it would be lost.{hint}',
                      f'"{key}"')
        definition = self.ctx.terms.get(key)
        coerced = definition.get("@type") if isinstance(definition, dict) else None
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                self.node(item, terms)
            elif coerced == "@id" and isinstance(item, str):
                self.iri_value(key, item)

    def iri_value(self, key: str, value: Any) -> None:
        if not isinstance(value, str) or not (value.startswith("_:") or _ABSOLUTE.match(value)):
            self.fail(
                ParseError,
                f'"{key}" is {json.dumps(value)}, which is not an absolute IRI: '
                'write a full web address such as "https://w3id.org/ogtgraph/id/org/leeds-city-council".',
                json.dumps(value),
            )

    def type_value(self, value: Any, terms: set[str]) -> None:
        self.used.add(str(value))
        if isinstance(value, str) and (value in self.ctx.terms or value in terms or _ABSOLUTE.match(value)):
            return
        names = [k for k, v in self.ctx.terms.items() if k[:1].isupper()]
        close = difflib.get_close_matches(str(value), names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else f" Use one of {', '.join(names)}."
        self.fail(UnknownKeyError, f'"type" is {json.dumps(value)}, which is not a type of the ogtgraph context.{hint}',
                  json.dumps(value))


class _DuplicateKey(ValueError):
    def __init__(self, key: str, where: str):
        super().__init__(key)
        self.key = key
        self.where = where


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key written twice (``json`` would keep only the last value)."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            ident = next((v for k, v in pairs if k in ("id", "@id") and isinstance(v, str)), None)
            raise _DuplicateKey(key, f"the object with id {ident}" if ident else "an object without an id")
        obj[key] = value
    return obj


def locate(text: str, needle: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the first occurrence of ``needle`` in ``text``."""
    at = text.find(needle)
    if at < 0:
        return None, None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1
