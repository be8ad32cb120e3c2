"""formats: reading a contribution file (Turtle or JSON-LD) into statements, with file, line and column on errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import rdflib
from conftest import rdflib_graph
from rdflib.compare import isomorphic, to_isomorphic

from ogtgraph.errors import InputError, NotFoundError, ParseError
from ogtgraph.formats import (
    JSON_LD,
    TURTLE,
    contribution_files,
    graph_name,
    media_type_of,
    parse_contribution,
    read_contribution,
)

# ---------------------------------------------------------------- JSON-LD and Turtle say the same thing


def test_jsonld_and_turtle_of_the_same_content_are_isomorphic(fixtures: Path) -> None:
    from_jsonld = rdflib_graph(read_contribution(fixtures / "valid" / "council.jsonld").triples)
    from_turtle = rdflib_graph(read_contribution(fixtures / "valid" / "council.ttl").triples)
    assert len(from_jsonld) == len(from_turtle) > 20
    assert isomorphic(from_jsonld, from_turtle), (
        "in JSON-LD only:\n" + "\n".join(map(str, to_isomorphic(from_jsonld) - to_isomorphic(from_turtle)))
        + "\nin Turtle only:\n" + "\n".join(map(str, to_isomorphic(from_turtle) - to_isomorphic(from_jsonld)))
    )


def test_the_isomorphism_check_can_tell_a_difference(fixtures: Path) -> None:
    # The same Turtle with one value changed must not compare equal: the check above is not vacuous.
    text = (fixtures / "valid" / "council.ttl").read_bytes().replace(b"phase:beta", b"phase:alpha")
    changed = parse_contribution(text, source="changed.ttl", media_type=TURTLE, name="changed")
    original = read_contribution(fixtures / "valid" / "council.jsonld")
    assert not isomorphic(rdflib_graph(changed.triples), rdflib_graph(original.triples))


def test_jsonld_values_are_expanded_with_the_schemes_of_the_context(fixtures: Path) -> None:
    graph = rdflib_graph(read_contribution(fixtures / "valid" / "council.jsonld").triples)
    project = rdflib.URIRef("https://w3id.org/ogtgraph/id/project/adult-social-care-bot")
    org = rdflib.URIRef("https://w3id.org/ogtgraph/id/org/leeds-city-council")
    ogt = rdflib.Namespace("https://w3id.org/ogtgraph/def#")
    assert graph.value(project, ogt.phase) == rdflib.URIRef("https://w3id.org/ogtgraph/id/phase/beta")
    assert graph.value(project, ogt.leadOrganisation) == org
    assert set(graph.objects(project, rdflib.URIRef("http://www.w3.org/ns/dcat#theme"))) == {
        rdflib.URIRef("https://w3id.org/ogtgraph/id/topic/health-and-care"),
        rdflib.URIRef("https://w3id.org/ogtgraph/id/topic/service-design"),
    }
    assert graph.value(org, rdflib.URIRef("http://purl.org/dc/terms/spatial")) == rdflib.URIRef(
        "http://statistics.data.gov.uk/id/statistical-geography/E08000035")
    assert graph.value(org, rdflib.URIRef("http://www.w3.org/ns/org#classification")) == rdflib.URIRef(
        "https://w3id.org/ogtgraph/id/sector/local-government")
    start = graph.value(project, rdflib.URIRef("https://schema.org/startDate"))
    assert isinstance(start, rdflib.Literal) and start.datatype == rdflib.XSD.date


# ---------------------------------------------------------------- what a Contribution records


def test_contribution_records_source_name_media_type_and_checksum(fixtures: Path) -> None:
    path = fixtures / "valid" / "council.ttl"
    contribution = read_contribution(path)
    assert contribution.source == str(path)
    assert contribution.name == "council"
    assert contribution.media_type == TURTLE
    assert not contribution.is_jsonld
    assert contribution.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_given_name_overrides_the_file_name(fixtures: Path) -> None:
    contribution = read_contribution(fixtures / "valid" / "council.jsonld", name="leeds-2019")
    assert contribution.name == "leeds-2019"
    assert contribution.is_jsonld


def test_statements_are_distinct(fixtures: Path) -> None:
    text = (fixtures / "valid" / "council.ttl").read_bytes()
    doubled = text + b"\nogtorg:leeds-city-council schema:name \"Leeds City Council\" .\n"
    once = parse_contribution(text, source="a.ttl", media_type=TURTLE, name="a")
    twice = parse_contribution(doubled, source="b.ttl", media_type=TURTLE, name="b")
    assert len(twice.triples) == len(once.triples)


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("leeds-city-council.jsonld", "leeds-city-council"),
        ("Leeds City Council (v2).ttl", "Leeds-City-Council-v2"),
        ("odi_leeds.2019.json", "odi_leeds.2019"),
    ],
)
def test_graph_name_comes_from_the_file_stem(file_name: str, expected: str) -> None:
    assert graph_name(Path(file_name)) == expected


def test_a_file_name_with_no_usable_characters_needs_a_graph_name() -> None:
    with pytest.raises(InputError, match="--graph"):
        graph_name(Path("!!!.ttl"))


@pytest.mark.parametrize(("suffix", "media_type"), [(".ttl", TURTLE), (".jsonld", JSON_LD), (".json", JSON_LD),
                                                    (".TTL", TURTLE)])
def test_media_type_follows_the_suffix(suffix: str, media_type: str) -> None:
    assert media_type_of(Path("x" + suffix)) == media_type


@pytest.mark.parametrize("suffix", [".rdf", ".csv", ""])
def test_an_unknown_file_type_is_an_input_error(suffix: str) -> None:
    with pytest.raises(InputError, match=r"\.ttl.*\.jsonld"):
        media_type_of(Path("contribution" + suffix))


# ---------------------------------------------------------------- finding the files


def test_a_folder_expands_to_its_contribution_files_sorted(tmp_path: Path) -> None:
    for name in ("b.ttl", "a.jsonld", "c.json", "notes.md", "d.rdf"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "e.ttl").write_text("")
    assert [p.name for p in contribution_files([tmp_path])] == ["a.jsonld", "b.ttl", "c.json"]


def test_a_named_file_is_kept_whatever_its_suffix(tmp_path: Path) -> None:
    (tmp_path / "x.rdf").write_text("")
    assert contribution_files([tmp_path / "x.rdf"]) == [tmp_path / "x.rdf"]


def test_a_missing_path_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        contribution_files([tmp_path / "nowhere.ttl"])


# ---------------------------------------------------------------- errors with a position


def test_malformed_turtle_reports_line_and_column(fixtures: Path) -> None:
    path = fixtures / "malformed" / "bad-syntax.ttl"
    with pytest.raises(ParseError) as caught:
        read_contribution(path)
    # line 6 is `    schema:url <https://www.leeds.gov.uk/> >`: the stray ">" is at column 44
    assert (caught.value.line, caught.value.column) == (6, 44)
    assert str(caught.value).startswith(f"{path}, line 6, column 44: ")
    assert caught.value.exit_code == 2


def test_malformed_json_reports_line_and_column(fixtures: Path) -> None:
    path = fixtures / "malformed" / "bad-json.jsonld"
    with pytest.raises(ParseError) as caught:
        read_contribution(path)
    # the trailing comma on line 7 makes the "}" on line 8, column 5, unexpected
    assert (caught.value.line, caught.value.column) == (8, 5)
    assert "not valid JSON" in str(caught.value)
    assert f"{path}, line 8, column 5" in str(caught.value)


def test_a_file_that_is_not_utf8_names_the_line(fixtures: Path) -> None:
    with pytest.raises(ParseError, match="UTF-8") as caught:
        read_contribution(fixtures / "malformed" / "not-utf8.ttl")
    assert caught.value.line == 3


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(fixtures: Path) -> None:
    path = fixtures / "valid" / "council.ttl"
    with pytest.raises(InputError, match="OGTGRAPH_MAX_FILE_BYTES"):
        read_contribution(path, max_bytes=path.stat().st_size - 1)
    assert read_contribution(path, max_bytes=path.stat().st_size).triples


def test_an_unreadable_path_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    with pytest.raises(InputError, match="cannot read"):
        read_contribution(folder)
