"""One organisation, one node: which organisation IRIs stand for the same organisation.

Registers and contributions may describe one organisation under different IRIs (a council's own IRI in its
contribution, the council minted from mySociety's register). Two organisation nodes are the same
organisation when they share an identifier node (``adms:identifier``, one node per ``scheme:value``; see
:mod:`ogtgraph.identifiers`) of a scheme that identifies organisations uniquely, or an ``owl:sameAs`` target
(a Wikidata entity, say). The groups are closed under that relation; each gets one canonical node:

1. a node minted from a register (``.../id/org/{scheme}/{value}``), by scheme in the order of
   :data:`REGISTER_ORDER`, then
2. any other node; ties go to the smallest IRI.

After every change to the store the graph ``_reconciled`` is rewritten with ``<node> ogt:canonical
<canonical>`` for every other node of a group, so that SPARQL can count each organisation once with
``OPTIONAL { ?o ogt:canonical ?c } BIND(COALESCE(?c, ?o) AS ?organisation)``, and the in-memory index merges
the nodes. Statements stay where they were made: two registers that disagree on a name both keep theirs, each
in its own graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ogtgraph.identifiers import merges
from ogtgraph.namespaces import ADMS, OGT, ORG, ORGANISATION, OWL, RECONCILED_GRAPH

REGISTER_ORDER = ("gss", "govuk", "ukprn", "local-authority", "digital-land", "dpga")
CANONICAL = OGT + "canonical"

_KEYS = f"""
SELECT DISTINCT ?org ?key WHERE {{
  ?org a <{ORG}Organization> .
  {{ ?org <{ADMS}identifier> ?key }} UNION {{ ?org <{OWL}sameAs> ?key }}
  FILTER(isIRI(?key))
}}"""


def groups(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every node of a group of two or more → its group's canonical node, from (node, key) pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent[x]
        return root

    by_key: dict[str, list[str]] = defaultdict(list)
    for node, key in pairs:
        if merges(key):
            by_key[key].append(node)
    for nodes in by_key.values():
        first = find(nodes[0])
        for other in nodes[1:]:
            root = find(other)
            if root != first:
                parent[root] = first
    members: dict[str, set[str]] = defaultdict(set)
    for node in list(parent):
        members[find(node)].add(node)
    canonical: dict[str, str] = {}
    for group in members.values():
        group = group | {find(next(iter(group)))}
        if len(group) > 1:
            chosen = min(group, key=rank)
            canonical.update({node: chosen for node in group})
    return canonical


def rank(iri: str) -> tuple[int, str]:
    """Sort key of a node for the choice of canonical node: register-minted first, then by IRI."""
    if iri.startswith(ORGANISATION):
        scheme = iri[len(ORGANISATION):].partition("/")
        if scheme[1] and scheme[0] in REGISTER_ORDER:
            return REGISTER_ORDER.index(scheme[0]), iri
    return len(REGISTER_ORDER), iri


def refresh(store: ox.Store) -> int:
    """Rewrite the ``_reconciled`` graph of ``store`` (a pyoxigraph store); how many nodes point elsewhere."""
    pairs = [(row["org"].value, row["key"].value)
             for row in store.query(_KEYS, use_default_graph_as_union=True)]  # type: ignore[union-attr]
    canonical = groups(pairs)
    graph = ox.NamedNode(RECONCILED_GRAPH)
    predicate = ox.NamedNode(CANONICAL)
    quads = [ox.Quad(ox.NamedNode(node), predicate, ox.NamedNode(chosen), graph)
             for node, chosen in sorted(canonical.items()) if node != chosen]
    current = set(store.quads_for_pattern(None, None, None, graph))
    if current != set(quads):
        body = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        store.update(f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ GRAPH {graph} {{ {body} }} }}")
    return len(quads)
