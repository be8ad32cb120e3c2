"""jsonld: the shipped context resolved locally, no remote context ever fetched, nothing silently dropped."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA, FIXTURES, rdflib_graph
from rdflib.compare import isomorphic

from ogtgraph import expansion, jsonld
from ogtgraph.errors import InputError, ParseError, RemoteContextError, UnknownKeyError
from ogtgraph.formats import JSON_LD, parse_contribution, read_contribution
from ogtgraph.namespaces import CONTEXT_IRI, OGT

GRAPH = "https://w3id.org/ogtgraph/graph/test"


class Listener:
    """A real TCP listener on a free loopback port: it records whether anything connected to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.3)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/context.jsonld"

    def connections(self) -> int:
        """How many connections are waiting (each accepted and closed); waits briefly for late ones."""
        count = 0
        while True:
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                return count
            conn.close()
            count += 1
            self.socket.settimeout(0.05)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.socket.close()


def council(fixtures: Path) -> dict:
    return json.loads((fixtures / "valid" / "council.jsonld").read_text())


def parse(doc: object, source: str = "test.jsonld"):
    return parse_contribution(json.dumps(doc, indent=2).encode(), source=source, media_type=JSON_LD, name="test")


# ---------------------------------------------------------------- remote contexts: refused, never fetched


def test_the_listener_sees_a_connection_when_one_is_made(listener: Listener) -> None:
    # The control for the tests below: a connection to the listener is counted.
    socket.create_connection(("127.0.0.1", listener.port), timeout=1).close()
    assert listener.connections() == 1


def test_a_remote_context_is_refused_without_a_request(fixtures: Path, listener: Listener, tmp_path: Path) -> None:
    doc = council(fixtures)
    doc["@context"] = listener.url
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(doc, indent=2))
    with pytest.raises(RemoteContextError) as caught:
        read_contribution(path)
    assert listener.url in str(caught.value)
    assert CONTEXT_IRI in str(caught.value), "the message says what to write instead"
    assert "line 2" in str(caught.value)
    assert listener.connections() == 0


def test_the_remote_context_fixture_is_refused(fixtures: Path) -> None:
    with pytest.raises(RemoteContextError, match=r"http://127\.0\.0\.1:9/x"):
        read_contribution(fixtures / "malformed" / "remote-context.jsonld")


def test_a_file_context_is_refused(fixtures: Path) -> None:
    with pytest.raises(RemoteContextError, match="file:///etc/hostname"):
        read_contribution(fixtures / "malformed" / "file-context.jsonld")


@pytest.mark.parametrize("where", ["in a list", "on a nested node"])
def test_a_remote_context_anywhere_in_the_document_is_refused(fixtures: Path, listener: Listener,
                                                              where: str) -> None:
    doc = council(fixtures)
    if where == "in a list":
        doc["@context"] = [CONTEXT_IRI, listener.url]
    else:
        doc["@graph"][1]["@context"] = listener.url
    with pytest.raises(RemoteContextError):
        parse(doc)
    assert listener.connections() == 0


@pytest.mark.parametrize("how", ["@import", "scoped term context"])
def test_a_remote_context_inside_an_inline_context_is_not_fetched(fixtures: Path, listener: Listener,
                                                                  how: str) -> None:
    doc = council(fixtures)
    if how == "@import":
        doc["@context"] = [CONTEXT_IRI, {"@import": listener.url}]
    else:
        doc["@context"] = [CONTEXT_IRI, {"extra": {"@id": "https://example.org/extra", "@context": listener.url}}]
    with pytest.raises(InputError):
        parse(doc)
    assert listener.connections() == 0


def test_the_ogtgraph_context_iri_is_resolved_from_the_local_copy(fixtures: Path) -> None:
    prepared = json.loads(jsonld.prepare((fixtures / "valid" / "council.jsonld").read_text(),
                                         source="council.jsonld", graph=GRAPH))
    # The context reference is replaced by the context itself: nothing is left for the parser to fetch.
    contexts = prepared["@context"] if isinstance(prepared["@context"], list) else [prepared["@context"]]
    assert all(isinstance(c, dict) for c in contexts)
    assert CONTEXT_IRI not in json.dumps(prepared["@context"])
    assert contexts[0]["phase"]["@id"] == "ogt:phase"


def test_a_context_of_the_document_s_own_terms_is_allowed(fixtures: Path) -> None:
    doc = council(fixtures)
    doc["@context"] = [CONTEXT_IRI, {"eventbrite": "https://example.org/def#eventbrite"}]
    doc["@graph"][1]["eventbrite"] = "ogt-leeds-2019"
    predicates = {t.predicate.value for t in parse(doc).triples}
    assert "https://example.org/def#eventbrite" in predicates


# ---------------------------------------------------------------- nothing silently dropped


def test_an_unknown_key_is_reported_with_a_suggestion_and_position(fixtures: Path) -> None:
    path = fixtures / "malformed" / "unknown-key.jsonld"
    with pytest.raises(UnknownKeyError) as caught:
        read_contribution(path)
    message = str(caught.value)
    assert 'Did you mean "phase"' in message
    assert '"phse"' in message
    # "phse" is on line 18, after six spaces and the opening quote at column 7
    assert f"{path}, line 18, column 7" in message
    assert caught.value.exit_code == 2


def test_an_unknown_key_in_a_nested_object_is_reported(fixtures: Path) -> None:
    doc = council(fixtures)
    doc["@graph"][1]["contactPoint"][0]["emial"] = "mailto:digital@leeds.gov.uk"
    with pytest.raises(UnknownKeyError, match='Did you mean "email"'):
        parse(doc)


def test_a_relative_id_is_refused_with_its_position(fixtures: Path) -> None:
    path = fixtures / "malformed" / "relative-id.jsonld"
    with pytest.raises(ParseError) as caught:
        read_contribution(path)
    assert '"leeds-city-council"' in str(caught.value)
    assert "absolute IRI" in str(caught.value)
    assert (caught.value.line, caught.value.column) == (5, 13)


def test_a_relative_iri_value_is_refused(fixtures: Path) -> None:
    doc = council(fixtures)
    doc["@graph"][1]["leadOrganisation"] = "leeds-city-council"
    with pytest.raises(ParseError, match='"leadOrganisation" is "leeds-city-council"'):
        parse(doc)


def test_an_unknown_type_is_reported_with_a_suggestion(fixtures: Path) -> None:
    with pytest.raises(UnknownKeyError, match='Did you mean "Organisation"') as caught:
        read_contribution(fixtures / "malformed" / "unknown-type.jsonld")
    assert "line 6" in str(caught.value)


def test_prefixed_keys_of_known_vocabularies_are_accepted(fixtures: Path) -> None:
    doc = council(fixtures)
    doc["@graph"][1]["schema:keywords"] = "chatbot"
    predicates = {t.predicate.value for t in parse(doc).triples}
    assert "https://schema.org/keywords" in predicates


def test_a_key_written_twice_is_reported(fixtures: Path) -> None:
    text = (fixtures / "valid" / "council.jsonld").read_text().replace(
        '"phase": "beta",', '"phase": "beta",\n      "phase": "live",')
    with pytest.raises(InputError, match="phase"):
        parse_contribution(text.encode(), source="twice.jsonld", media_type=JSON_LD, name="twice")


def test_a_document_may_be_a_single_node(fixtures: Path) -> None:
    org = council(fixtures)["@graph"][0]
    contribution = parse({"@context": CONTEXT_IRI, **org})
    assert {t.subject.value for t in contribution.triples} == {org["id"]}


def test_the_context_maps_each_property_iri_back_to_its_key() -> None:
    keys = jsonld.context().keys
    assert keys[OGT + "phase"] == "phase"
    assert keys[OGT + "leadOrganisation"] == "leadOrganisation"
    assert keys["http://www.w3.org/ns/org#classification"] == "sector"
    assert keys["http://purl.org/dc/terms/spatial"] == "jurisdiction"
    assert keys["http://www.w3.org/ns/dcat#theme"] == "topic"


# ---------------------------------------------------------------- the fast expansion and the JSON-LD parser agree


def both_ways(text: str, source: str = "x.jsonld"):
    """The quads of the plain-profile expansion (None if it declines) and of pyoxigraph's JSON-LD parser."""
    checked = jsonld.check(text, source=source)
    expanded = expansion.expand(checked, ox.NamedNode(GRAPH))
    fast = expanded[0] if expanded is not None else None
    full = list(ox.parse(jsonld.for_parser(checked, GRAPH), format=ox.RdfFormat.JSON_LD))
    return fast, full


def _checks(path: Path) -> bool:
    try:
        jsonld.check(path.read_text(), source=str(path))
    except InputError:
        return False
    return True


JSONLD_FILES = sorted(p for p in [*FIXTURES.rglob("*.jsonld"), *DATA.glob("*.jsonld")] if _checks(p))


def test_every_data_file_takes_the_fast_expansion() -> None:
    declined = [p.name for p in DATA.glob("*.jsonld") if both_ways(p.read_text())[0] is None]
    assert declined == []


@pytest.mark.parametrize("path", JSONLD_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_expansion_and_the_parser_give_isomorphic_graphs(path: Path) -> None:
    fast, full = both_ways(path.read_text(), source=str(path))
    assert fast is not None, "a plain-profile file"
    assert {q.graph_name for q in fast} <= {ox.NamedNode(GRAPH)}
    assert isomorphic(rdflib_graph(fast), rdflib_graph(full))


def _edit(fixtures: Path, where: int, key: str, value: object) -> dict:
    doc = council(fixtures)
    doc["@graph"][where][key] = value
    return doc


EDGE_CASES = {
    "language tag in capitals": (1, "name", {"@value": "Chatbot", "@language": "EN-GB"}),
    "boolean": (1, "schema:isAccessibleForFree", True),
    "negative integer": (1, "schema:numberOfEmployees", -3),
    "compact topic IRIs": (1, "topic", ["lgsl:123", "wd:Q42", "open-data"]),
    "a topic that is also a term": (1, "topic", ["Project"]),
    "compact and absolute types": (0, "type", ["Organisation", "schema:GovernmentOrganization", "https://ex.org/C"]),
    "compact id": (0, "id", "wd:Q6515870"),
    "typed value object": (1, "name", {"@value": "x", "@type": "xsd:token"}),
    "null value": (1, "department", None),
    "empty list": (1, "schema:keywords", []),
    "absolute sector": (0, "sector", ["https://w3id.org/ogtgraph/id/sector/health"]),
    "country jurisdiction": (0, "jurisdiction", ["country:CAN", "wd:Q1904"]),
    "value object for a vocab term": (1, "phase", {"@value": "beta"}),
    "node object for a vocab term": (1, "phase", {"id": "https://w3id.org/ogtgraph/id/phase/beta"}),
    "a full-IRI key": (1, "https://schema.org/keywords", "bot"),
    "unicode text": (1, "name", "Café ✓ — Hebden Bridge"),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_fast_expansion_matches_the_parser_on_edge_cases(fixtures: Path, case: str) -> None:
    fast, full = both_ways(json.dumps(_edit(fixtures, *EDGE_CASES[case])))
    assert fast is not None, "the plain profile covers this"
    assert isomorphic(rdflib_graph(fast), rdflib_graph(full))


def test_shared_blank_node_labels_expand_alike(fixtures: Path) -> None:
    doc = _edit(fixtures, 1, "partner", ["_:partner"])
    doc["@graph"].append({"id": "_:partner", "type": "Organisation", "name": "A partner without an IRI"})
    fast, full = both_ways(json.dumps(doc))
    assert fast is not None and isomorphic(rdflib_graph(fast), rdflib_graph(full))


def test_fast_expansion_matches_the_parser_on_huge_integers(fixtures: Path) -> None:
    fast, full = both_ways(json.dumps(_edit(fixtures, 1, "schema:numberOfEmployees", 10**21)))
    assert fast is None or isomorphic(rdflib_graph(fast), rdflib_graph(full))


def test_a_node_with_both_id_and_at_id_is_refused(fixtures: Path) -> None:
    doc = _edit(fixtures, 1, "@id", "https://w3id.org/ogtgraph/id/project/another-id")
    with pytest.raises(InputError):
        parse(doc)
