"""compiled_shapes: the fast engine gives the same findings as pySHACL, and steps aside when it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import DATA, FIXTURES

from ogtgraph.compiled_shapes import compile_shapes
from ogtgraph.errors import InternalError, OgtGraphError
from ogtgraph.formats import JSON_LD, TURTLE, Contribution, contribution_files, parse_contribution, read_contribution
from ogtgraph.namespaces import RDF_TYPE
from ogtgraph.validation import Report, ShapeValidator, validate
from ogtgraph.vocabulary import shape_files

SHAPES = FIXTURES / "shapes"


def _parses(path: Path) -> bool:
    try:
        read_contribution(path)
    except OgtGraphError:
        return False
    return True


CONTRIBUTIONS = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".ttl", ".jsonld") and "shapes" not in p.parts
                       and _parses(p)) + contribution_files([DATA])


def _param(path: Path) -> object:
    return pytest.param(path, id=str(path.relative_to(path.parents[1])))


def same_findings(a: Report, b: Report) -> None:
    assert a.findings == b.findings, (
        "only compiled: " + "; ".join(f.text() for f in set(a.findings) - set(b.findings))
        + " | only pySHACL: " + "; ".join(f.text() for f in set(b.findings) - set(a.findings)))
    assert a.conforms == b.conforms


def triples_of(path: Path) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def data_types() -> list[ox.Triple]:
    """The type statements of every file in data/: what validating them together would see of each other."""
    return [t for p in contribution_files([DATA]) for t in read_contribution(p).triples
            if t.predicate.value == RDF_TYPE]


# ---------------------------------------------------------------- the two engines agree


def test_there_are_contributions_to_compare() -> None:
    names = {p.name for p in CONTRIBUTIONS}
    assert {"council.jsonld", "phase-unknown.ttl", "leeds-city-council.jsonld"} <= names
    assert len(CONTRIBUTIONS) > 30


@pytest.mark.parametrize("path", [_param(p) for p in CONTRIBUTIONS])
def test_compiled_and_pyshacl_agree_on_each_file_alone(path: Path) -> None:
    contribution = read_contribution(path)
    same_findings(validate(contribution, engine="compiled"), validate(contribution, engine="pyshacl"))


@pytest.mark.parametrize("path", contribution_files([DATA]), ids=lambda p: p.name)
def test_compiled_and_pyshacl_agree_on_data_seen_together(path: Path, data_types: list[ox.Triple]) -> None:
    contribution = read_contribution(path)

    def references(iris):
        wanted = set(iris)
        return [t for t in data_types if t.subject.value in wanted]

    compiled = validate(contribution, references=references, engine="compiled")
    same_findings(compiled, validate(contribution, references=references, engine="pyshacl"))
    assert compiled.conforms, compiled.lines()


def _contribution(path: Path) -> Contribution:
    return parse_contribution(path.read_bytes(), source=path.name, media_type=TURTLE, name=path.stem)


@pytest.mark.parametrize("data", ["core-subset-good.ttl", "core-subset-bad.ttl"])
def test_the_engines_agree_on_core_features_the_bundled_shapes_do_not_use(data: str) -> None:
    validator = ShapeValidator(triples_of(SHAPES / "core-subset.ttl"))
    assert validator.compiled
    contribution = _contribution(SHAPES / data)
    same_findings(validator.validate(contribution, engine="compiled"),
                  validator.validate(contribution, engine="pyshacl"))


def test_core_features_find_what_they_should() -> None:
    validator = ShapeValidator(triples_of(SHAPES / "core-subset.ttl"))
    good = validator.validate(_contribution(SHAPES / "core-subset-good.ttl"), engine="compiled")
    assert good.findings == ()
    bad = validator.validate(_contribution(SHAPES / "core-subset-bad.ttl"), engine="compiled")
    by_shape = {f.shape.rsplit("#", 1)[-1]: f.severity for f in bad.findings}  # type: ignore[union-attr]
    assert by_shape == {"status": "violation", "tracked": "violation", "count": "violation", "code": "violation",
                        "lead": "violation", "name": "info"}
    assert not bad.conforms


def test_only_info_findings_still_conform() -> None:
    validator = ShapeValidator(triples_of(SHAPES / "core-subset.ttl"))
    text = (SHAPES / "core-subset-good.ttl").read_bytes().replace(b'schema:name "P" ;', b"")
    report = validator.validate(parse_contribution(text, source="x.ttl", media_type=TURTLE, name="x"))
    assert [f.severity for f in report.findings] == ["info"]
    assert report.conforms


# ---------------------------------------------------------------- outside the subset: fall back to pySHACL


def test_the_bundled_shapes_compile() -> None:
    compiled = compile_shapes(t for p in shape_files() for t in triples_of(p))
    assert compiled is not None


@pytest.mark.parametrize("shapes", ["uses-or.ttl", "uses-node.ttl"])
def test_shapes_outside_the_subset_do_not_compile(shapes: str) -> None:
    assert compile_shapes(triples_of(SHAPES / shapes)) is None


def test_removing_the_unsupported_feature_makes_the_shapes_compile() -> None:
    # The control: the same shapes without sh:or compile, so None above is about sh:or.
    shapes = [t for t in triples_of(SHAPES / "uses-or.ttl")
              if not t.predicate.value.endswith("#or") and isinstance(t.subject, ox.NamedNode)]
    assert compile_shapes(shapes) is not None


def test_validation_falls_back_to_pyshacl_for_shapes_it_cannot_compile(fixtures: Path) -> None:
    validator = ShapeValidator(triples_of(SHAPES / "uses-or.ttl"))
    assert not validator.compiled
    doc = json.loads((fixtures / "valid" / "council.jsonld").read_text())
    assert validator.validate(parse_contribution(json.dumps(doc).encode(), source="ok.jsonld",
                                                 media_type=JSON_LD, name="ok")).conforms
    doc["@graph"][1]["startDate"] = "soon"
    report = validator.validate(parse_contribution(json.dumps(doc).encode(), source="bad.jsonld",
                                                   media_type=JSON_LD, name="bad"))
    assert [(f.key, f.value, f.message) for f in report.findings] == [
        ("startDate", '"soon"', "startDate must be a date or a date and time")]
    with pytest.raises(InternalError, match="pySHACL"):
        validator.validate(read_contribution(fixtures / "valid" / "council.jsonld"), engine="compiled")


# ---------------------------------------------------------------- a stable report


def test_findings_that_differ_only_in_value_are_listed_in_value_order(fixtures: Path) -> None:
    doc = json.loads((fixtures / "valid" / "council.jsonld").read_text())
    partners = [f"https://w3id.org/ogtgraph/id/org/unknown-{n}" for n in "hgfedcba"]
    doc["@graph"][1]["partner"] = partners
    contribution = parse_contribution(json.dumps(doc).encode(), source="p.jsonld", media_type=JSON_LD, name="p")
    for engine in ("compiled", "pyshacl"):
        values = [f.value for f in validate(contribution, engine=engine).findings]  # type: ignore[arg-type]
        assert values == sorted(f"<{p}>" for p in partners), engine
