"""Conventions the design asks for, held by tests: named shapes with messages, a closed vocabulary, one-way
dependencies, and every command and setting documented."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from ogtgraph import cli, config, identifiers, namespaces, resources
from ogtgraph.namespaces import OGT, RDF_TYPE, RDFS, SH, SKOS

SRC = REPO / "src" / "ogtgraph"
SHAPE_FILES = sorted((REPO / "shapes").glob("*.ttl"))
ONTOLOGY = REPO / "ontology"
# The core and the leaves: everything but the adapters (cli, terminal, api/, web/) and the entry point.
ADAPTERS = {"cli.py", "terminal.py", "__main__.py"}
CORE_MODULES = sorted(p for p in SRC.glob("*.py") if p.name not in ADAPTERS)


def triples(*paths: Path) -> list[ox.Triple]:
    return [q.triple for p in paths for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)]


def objects(graph: list[ox.Triple], subject: object, predicate: str) -> list[object]:
    return [t.object for t in graph if t.subject == subject and t.predicate.value == predicate]


def notations(scheme_file: str) -> set[str]:
    return {t.object.value for t in triples(ONTOLOGY / scheme_file) if t.predicate.value == SKOS + "notation"}


def message_of(shape: str) -> str:
    graph = triples(*SHAPE_FILES)
    (message,) = objects(graph, ox.NamedNode("https://w3id.org/ogtgraph/shapes#" + shape), SH + "message")
    return message.value  # type: ignore[attr-defined]


def listed(message: str, after: str, until: str = ".") -> list[str]:
    """The comma-separated codes a message lists after ``after`` (up to ``until``)."""
    tail = message.split(after, 1)[1].split(until, 1)[0]
    return [c.strip() for c in re.split(r",\s*(?:or\s+)?", tail) if c.strip()]


# ---------------------------------------------------------------- shapes


def test_every_shape_is_named_by_an_iri() -> None:
    graph = triples(*SHAPE_FILES)
    typed = [t.subject for t in graph if t.predicate.value == RDF_TYPE
             and t.object.value in (SH + "NodeShape", SH + "PropertyShape")]
    referenced = [t.object for t in graph if t.predicate.value == SH + "property"]
    with_path = [t.subject for t in graph if t.predicate.value == SH + "path"]
    assert len(typed) > 30
    for shape in typed + referenced + with_path:
        assert isinstance(shape, ox.NamedNode), f"a blank-node shape: {shape}"


def test_every_property_shape_has_a_plain_english_message() -> None:
    graph = triples(*SHAPE_FILES)
    shapes = {t.subject for t in graph if t.predicate.value == SH + "path"}
    shapes |= {t.subject for t in graph if t.predicate.value == RDF_TYPE and t.object.value == SH + "PropertyShape"}
    for shape in shapes:
        messages = objects(graph, shape, SH + "message")
        assert len(messages) == 1, f"{shape} needs one sh:message"
        (message,) = messages
        assert isinstance(message, ox.Literal) and message.language == "en" and len(message.value) > 20, shape


def test_every_property_shape_is_used_by_a_node_shape() -> None:
    graph = triples(*SHAPE_FILES)
    used = {t.object for t in graph if t.predicate.value == SH + "property"}
    declared = {t.subject for t in graph if t.predicate.value == SH + "path"}
    assert declared == used


def test_no_shape_uses_sh_or_or_sh_xone() -> None:
    predicates = {t.predicate.value for t in triples(*SHAPE_FILES)}
    assert not predicates & {SH + "or", SH + "xone"}


def test_the_topic_pattern_lists_exactly_the_topic_codes() -> None:
    graph = triples(*SHAPE_FILES)
    (pattern,) = objects(graph, ox.NamedNode("https://w3id.org/ogtgraph/shapes#Project-topic"), SH + "pattern")
    alternation = re.search(r"topic/\(([^)]*)\)", pattern.value)  # type: ignore[attr-defined]
    assert alternation is not None
    codes = {c.replace("\\-", "-") for c in alternation.group(1).split("|")}
    assert codes == notations("topics.ttl")


@pytest.mark.parametrize(("shape", "after", "scheme"), [
    ("Project-topic", "each one of ", "topics.ttl"),
    ("Organisation-sector", "one or more of ", "sectors.ttl"),
    ("Organisation-sector-value", "must be one of ", "sectors.ttl"),
    ("Project-phase-value", "must be one of ", "phases.ttl"),
    ("Project-collaborationLevel-value", "must be one of ", "collaboration-levels.ttl"),
    ("Project-budgetBand-value", "must be one of ", "budget-bands.ttl"),
])
def test_a_message_lists_exactly_the_codes_of_its_scheme(shape: str, after: str, scheme: str) -> None:
    codes = listed(message_of(shape), after, until=", or the full IRI" if shape == "Project-topic" else ".")
    assert len(codes) == len(set(codes))
    assert set(codes) == notations(scheme)


def test_the_issue_s_minimum_codes_are_in_the_schemes() -> None:
    assert {"local-government", "central-government", "health", "utility", "higher-education", "civic-tech",
            "voluntary-sector", "private-sector", "transport", "standards-body"} <= notations("sectors.ttl")
    assert {"open-data", "open-source", "data-standards", "service-design", "digital-inclusion", "procurement",
            "climate", "transport", "health-and-care", "housing", "smart-places",
            "digital-collaboration"} <= notations("topics.ttl")
    assert notations("phases.ttl") == {"discovery", "alpha", "beta", "live", "retired"}


# ---------------------------------------------------------------- the ogt: vocabulary is closed


def defined_ogt_terms() -> set[str]:
    graph = triples(ONTOLOGY / "ogt.ttl")
    subjects = {t.subject for t in graph if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(OGT)}
    return {s.value for s in subjects if objects(graph, s, RDFS + "label") and objects(graph, s, RDFS + "comment")}


def context_body() -> dict:
    return json.loads((ONTOLOGY / "context.jsonld").read_text())["@context"]


def expand(value: str) -> str:
    prefix, _, local = value.partition(":")
    return namespaces.PREFIXES[prefix] + local if prefix in namespaces.PREFIXES else value


def used_ogt_terms() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}

    def add(iri: str, where: str) -> None:
        if iri.startswith(OGT) and iri != OGT:
            used.setdefault(iri, set()).add(where)

    for path in sorted(ONTOLOGY.glob("*.ttl")) + SHAPE_FILES:
        for t in triples(path):
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    add(term.value, path.name)
    for value in re.findall(r'"(ogt:[A-Za-z]+)"', (ONTOLOGY / "context.jsonld").read_text()):
        add(expand(value), "context.jsonld")
    for path in sorted((REPO / "queries").glob("*.rq")):
        for local in re.findall(r"\bogt:([A-Za-z]\w*)", path.read_text()):
            add(OGT + local, path.name)
    for path in sorted(SRC.rglob("*.py")):
        for local in re.findall(r'OGT \+ "([A-Za-z]\w*)"', path.read_text()):
            add(OGT + local, path.name)
    return used


def test_every_ogt_term_in_use_is_defined_with_label_and_comment() -> None:
    used = used_ogt_terms()
    assert len(used) > 15
    undefined = {iri: sorted(where) for iri, where in used.items() if iri not in defined_ogt_terms()}
    assert undefined == {}


def test_every_context_key_maps_to_a_defined_iri() -> None:
    body = context_body()
    prefixes = {k: v for k, v in body.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    prefixes |= {k: v["@id"] for k, v in body.items() if isinstance(v, dict) and v.get("@prefix") is True}
    known = {**namespaces.PREFIXES, "lgsl": namespaces.LGSL}
    assert {p: known.get(p) for p in prefixes} == prefixes, "a context prefix differs from namespaces.py"
    for key, definition in body.items():
        if key.startswith("@") or key in prefixes:
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        if iri.startswith("@"):
            assert key in ("id", "type")
            continue
        prefix, _, local = iri.partition(":")
        assert prefix in prefixes and local, f'"{key}" maps to {iri}, which is not a prefixed name'
        expanded = prefixes[prefix] + local
        if expanded.startswith(OGT):
            assert expanded in defined_ogt_terms(), f'"{key}" maps to an undefined term {iri}'
        scoped = definition.get("@context", {}) if isinstance(definition, dict) else {}
        if scoped.get("@vocab"):
            assert scoped["@vocab"] in namespaces.SCHEMES.values(), f'"{key}" expands bare codes with an unknown base'
        scoped_prefixes = {k: v for k, v in scoped.items() if not k.startswith("@")}
        if scoped_prefixes:  # only "identifier": one prefix per identifier scheme
            assert scoped_prefixes == {n: identifiers.iri(n, "") for n in identifiers.SCHEMES}, key


def test_every_path_and_target_of_the_shapes_has_a_context_key() -> None:
    from ogtgraph.jsonld import context

    graph = triples(*SHAPE_FILES)
    paths = {t.object.value for t in graph if t.predicate.value == SH + "path"} - {RDF_TYPE}
    assert paths - set(context().keys) == set(), "a JSON-LD author could not write these"
    classes = {expand(v) for k, v in context().terms.items() if isinstance(v, str) and k[:1].isupper()}
    targets = {t.object.value for t in graph if t.predicate.value == SH + "targetClass"}
    assert targets <= classes


def test_the_context_file_is_the_one_the_package_ships() -> None:
    assert resources.folder("ontology").joinpath("context.jsonld").read_bytes() == \
        (ONTOLOGY / "context.jsonld").read_bytes()


# ---------------------------------------------------------------- dependencies point one way


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def test_the_core_list_is_not_empty() -> None:
    names = {p.name for p in CORE_MODULES}
    assert {"store.py", "validation.py", "compiled_shapes.py", "formats.py", "jsonld.py", "queries.py",
            "publishing.py", "errors.py", "config.py"} <= names


@pytest.mark.parametrize("module", CORE_MODULES, ids=lambda p: p.name)
def test_the_core_never_imports_a_web_or_terminal_framework(module: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(module)}
    assert not roots & {"fastapi", "starlette", "click", "jinja2", "uvicorn"}


def test_errors_imports_nothing_of_ours() -> None:
    modules = imported_modules(SRC / "errors.py")
    assert not any(m.startswith(("ogtgraph", ".")) for m in modules), modules


def test_only_validation_and_its_engine_import_pyshacl() -> None:
    importers = {p.name for p in SRC.rglob("*.py") if any(m.split(".")[0] == "pyshacl" for m in imported_modules(p))}
    assert importers == {"validation.py"}


def test_the_bundled_folders_ship_in_the_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    included = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for kind in ("ontology", "shapes", "queries", "data"):
        assert included.get(kind) == f"ogtgraph/_bundled/{kind}"


# ---------------------------------------------------------------- documented


def readme() -> str:
    path = REPO / "README.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.parametrize("command", sorted(cli.cli.commands))
def test_every_cli_command_is_documented_in_the_readme(command: str) -> None:
    assert f"ogtgraph {command}" in readme(), f"README.md does not show 'ogtgraph {command}'"


@pytest.mark.parametrize("setting", [f.name for f in dataclasses.fields(config.Settings)])
def test_every_setting_is_documented_in_the_readme(setting: str) -> None:
    variable = f"{config.PREFIX}{setting.upper()}"
    assert variable in readme(), f"README.md does not mention {variable}"


@pytest.mark.parametrize("setting", [f.name for f in dataclasses.fields(config.Settings)])
def test_every_setting_is_read_from_its_environment_variable(setting: str, tmp_path: Path) -> None:
    values = {"store": str(tmp_path / "s"), "max_file_bytes": "1234", "query_timeout": "2.5", "max_rows": "77",
              "workers": "3"}
    settings = config.Settings.from_env({f"{config.PREFIX}{setting.upper()}": values[setting]})
    assert str(getattr(settings, setting)) == values[setting]
