"""cli: exit codes, reports, W3C result formats, provenance, export, settings; in-process and as a real command."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import DATA, Invoke

from ogtgraph.cli import cli
from ogtgraph.formats import contribution_files, read_contribution
from ogtgraph.namespaces import GRAPH
from ogtgraph.store import GraphStore
from ogtgraph.validation import validate

Snapshot = Callable[[Path], list[str]]
ID = "https://w3id.org/ogtgraph/id/"
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def ogtgraph_command() -> list[str]:
    """The installed console script (falling back to the interpreter's module when it is not on PATH)."""
    found = shutil.which("ogtgraph")
    return [found] if found else [sys.executable, "-m", "ogtgraph"]


def run_installed(*args: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ogtgraph_command(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        assert "internal error" not in text


# ---------------------------------------------------------------- validate


def test_validate_exits_0_when_every_file_conforms(run_cli: Invoke, fixtures: Path) -> None:
    result = run_cli("validate", fixtures / "valid" / "council.jsonld", fixtures / "batch" / "bradford-council.ttl")
    assert result.exit_code == 0, result.output
    assert "2 of 2 files conform." in result.stdout


def test_validate_exits_1_and_prints_the_report_when_a_file_does_not_conform(run_cli: Invoke,
                                                                            fixtures: Path) -> None:
    result = run_cli("validate", fixtures / "valid" / "council.ttl", fixtures / "invalid" / "phase-unknown.jsonld")
    assert result.exit_code == 1
    assert 'Project <https://w3id.org/ogtgraph/id/project/adult-social-care-bot>: "phase" is "beta-ish"' in \
        result.stdout
    assert "1 of 2 files conform." in result.stdout


@pytest.mark.parametrize(("name", "where"), [("bad-syntax.ttl", "line 6, column 44"),
                                             ("bad-json.jsonld", "line 8, column 5")])
def test_validate_exits_2_on_malformed_input_with_line_and_column(run_cli: Invoke, fixtures: Path, name: str,
                                                                  where: str) -> None:
    path = fixtures / "malformed" / name
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert f"{path}, {where}: " in result.output
    no_traceback(result.output)


def test_an_unknown_jsonld_key_exits_2_with_a_suggestion_and_position(run_cli: Invoke, fixtures: Path) -> None:
    result = run_cli("validate", fixtures / "malformed" / "unknown-key.jsonld")
    assert result.exit_code == 2
    assert 'Did you mean "phase"?' in result.output
    assert "line 18, column 7" in result.output


@pytest.mark.parametrize("name", ["relative-id.jsonld", "remote-context.jsonld", "file-context.jsonld",
                                  "unknown-type.jsonld", "not-utf8.ttl"])
def test_other_unusable_files_exit_2(run_cli: Invoke, fixtures: Path, name: str) -> None:
    result = run_cli("validate", fixtures / "malformed" / name)
    assert result.exit_code == 2
    assert "line " in result.output
    no_traceback(result.output)


def test_validate_of_a_missing_file_exits_2(run_cli: Invoke, tmp_path: Path) -> None:
    result = run_cli("validate", tmp_path / "nothing.ttl")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_validate_without_files_is_a_usage_error(run_cli: Invoke) -> None:
    assert run_cli("validate").exit_code == 2


def test_validate_json_gives_the_same_findings_as_a_list(run_cli: Invoke, fixtures: Path) -> None:
    files = [fixtures / "invalid" / "jurisdiction-bad.jsonld", fixtures / "valid" / "unknown-area.jsonld",
             fixtures / "malformed" / "bad-json.jsonld"]
    result = run_cli("validate", *files, "--format", "json")
    assert result.exit_code == 2
    items = json.loads(result.stdout)
    assert [item["source"] for item in items] == [str(f) for f in files]
    for item, path in zip(items[:2], files[:2], strict=True):
        report = validate(read_contribution(path))
        assert item["conforms"] is report.conforms
        assert item["results"] == report.as_json()["results"]
    assert items[0]["results"][0]["key"] == "jurisdiction" and items[0]["results"][0]["value"] == '"Leeds"'
    assert items[2]["conforms"] is False
    assert items[2]["error"]["code"] == "syntax-error" and "line 8, column 5" in items[2]["error"]["message"]


def test_validate_counts_organisations_already_in_the_store(run_cli: Invoke, fixtures: Path, tmp_path: Path,
                                                            loaded_store_path: Path) -> None:
    # Bradford Council is described in data/odi-leeds.jsonld, which the loaded store holds.
    project = fixtures / "batch" / "bradford-project.jsonld"
    assert run_cli("validate", project, store=tmp_path / "no-store-here").exit_code == 1
    assert run_cli("validate", project, store=loaded_store_path).exit_code == 0


# ---------------------------------------------------------------- load


def test_load_exits_0_and_reports_each_file(run_cli: Invoke, fixtures: Path, store_path: Path) -> None:
    result = run_cli("load", fixtures / "valid" / "council.ttl", fixtures / "batch" / "bradford-council.ttl")
    assert result.exit_code == 0, result.output
    assert f"loaded   {fixtures / 'valid' / 'council.ttl'} -> <{GRAPH}council>" in result.stdout
    assert "2 of 2 files conform; 2 loaded." in result.stdout
    assert GraphStore(store_path, read_only=True).has_graph(GRAPH + "bradford-council")


@pytest.mark.parametrize(("bad", "code"), [("invalid/missing-lead.jsonld", 1), ("malformed/bad-syntax.ttl", 2),
                                           ("malformed/unknown-key.jsonld", 2)])
def test_load_of_a_bad_file_exits_1_or_2_and_changes_nothing(run_cli: Invoke, fixtures: Path,
                                                             loaded_store_path: Path, snapshot: Snapshot,
                                                             bad: str, code: int) -> None:
    before = snapshot(loaded_store_path)
    result = run_cli("load", fixtures / bad, store=loaded_store_path)
    assert result.exit_code == code
    assert "0 loaded" in result.stdout
    no_traceback(result.output)
    assert snapshot(loaded_store_path) == before


def test_load_of_a_folder_loads_each_file(run_cli: Invoke, store_path: Path) -> None:
    result = run_cli("load", DATA)
    assert result.exit_code == 0, result.output
    records = [p for p in GraphStore(store_path, read_only=True).provenance() if p.kind == "contribution"]
    assert sorted(r.source for r in records) == sorted(p.name for p in contribution_files([DATA]))


def test_load_again_says_replaced(run_cli: Invoke, fixtures: Path) -> None:
    run_cli("load", fixtures / "reload" / "v1" / "leeds-pilot.ttl")
    result = run_cli("load", fixtures / "reload" / "v2" / "leeds-pilot.ttl")
    assert result.exit_code == 0
    assert result.stdout.startswith("replaced ")


def test_load_json_report(run_cli: Invoke, fixtures: Path) -> None:
    result = run_cli("load", fixtures / "valid" / "council.ttl", fixtures / "invalid" / "two-leads.jsonld",
                     "--format", "json")
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert [(i["loaded"], i["conforms"]) for i in items] == [(True, True), (False, False)]
    assert items[0]["graph"] == GRAPH + "council"


# ---------------------------------------------------------------- list, remove, export, summary


def test_list_shows_provenance(run_cli: Invoke, fixtures: Path) -> None:
    path = fixtures / "valid" / "council.ttl"
    run_cli("load", path)
    result = run_cli("list")
    assert result.exit_code == 0
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("council ")]
    assert "council.ttl" in row
    assert "text/turtle" in row
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:12] in row
    assert f"{ID}org/leeds-city-council" in row
    as_json = json.loads(run_cli("list", "--format", "json").stdout)
    assert [(r["source"], r["sha256"]) for r in as_json] == [("council.ttl",
                                                              hashlib.sha256(path.read_bytes()).hexdigest())]


def test_remove_takes_a_graph_out_and_a_missing_one_exits_2(run_cli: Invoke, loaded_store_path: Path) -> None:
    result = run_cli("remove", "odi-leeds", store=loaded_store_path)
    assert result.exit_code == 0, result.output
    assert f"<{GRAPH}odi-leeds>" in result.stdout
    listed = run_cli("list", store=loaded_store_path).stdout
    assert "odi-leeds.jsonld" not in listed and "leeds-city-council.jsonld" in listed
    again = run_cli("remove", "odi-leeds", store=loaded_store_path)
    assert again.exit_code == 2
    assert "ogtgraph list" in again.stderr


@pytest.mark.parametrize(("fmt", "rdf_format"), [("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)])
def test_export_parses_back_with_graph_names(run_cli: Invoke, loaded_store_path: Path, fmt: str,
                                             rdf_format: ox.RdfFormat) -> None:
    result = run_cli("export", "--format", fmt, store=loaded_store_path)
    assert result.exit_code == 0
    quads = list(ox.parse(result.stdout_bytes, format=rdf_format))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert {GRAPH + p.stem for p in contribution_files([DATA])} <= graphs
    assert GRAPH + "_meta" in graphs


def test_export_to_a_file(run_cli: Invoke, loaded_store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.nq"
    assert run_cli("export", "-o", out, store=loaded_store_path).exit_code == 0
    assert out.read_bytes() == run_cli("export", store=loaded_store_path).stdout_bytes


def test_summary_on_an_empty_store_loads_the_bundled_data_and_counts(run_cli: Invoke, store_path: Path,
                                                                    data_store: GraphStore) -> None:
    counts = next(iter(data_store.query(
        "SELECT (COUNT(DISTINCT ?o) AS ?orgs) (COUNT(DISTINCT ?p) AS ?projects) WHERE { "
        "{ ?o a <http://www.w3.org/ns/org#Organization> } UNION { ?p a <https://schema.org/Project> } }")))
    result = run_cli("summary")
    assert result.exit_code == 0, result.output
    files = len(contribution_files([DATA]))
    assert (f"{files} contributions, {counts['orgs'].value} organisations, {counts['projects'].value} projects"
            in result.stdout)
    assert "Local government" in result.stdout and "Open data" in result.stdout
    assert len(GraphStore(store_path, read_only=True).provenance()) == files + 1


def test_summary_does_not_reload_a_store_that_has_contributions(run_cli: Invoke, fixtures: Path) -> None:
    run_cli("load", fixtures / "valid" / "council.ttl")
    result = run_cli("summary")
    assert "1 contributions, 1 organisations, 1 projects" in result.stdout


def test_queries_lists_every_named_query(run_cli: Invoke) -> None:
    result = run_cli("queries")
    assert result.exit_code == 0
    for path in (DATA.parent / "queries").glob("*.rq"):
        assert path.stem in result.stdout


# ---------------------------------------------------------------- query


def test_query_formats_are_the_w3c_ones(run_cli: Invoke, loaded_store_path: Path) -> None:
    args = ("--name", "organisations_by_jurisdiction", "-p", "area=E47000003")
    as_json = json.loads(run_cli("query", *args, "--format", "json", store=loaded_store_path).stdout)
    assert as_json["head"]["vars"] == ["area", "organisation", "name", "where"]
    bindings = as_json["results"]["bindings"]
    assert {b["organisation"]["type"] for b in bindings} == {"uri"}
    assert {b["name"]["type"] for b in bindings} == {"literal"}
    leeds = {b["organisation"]["value"] for b in bindings}
    assert {f"{ID}org/leeds-city-council", f"{ID}org/bradford-council"} <= leeds

    rows = list(csv.reader(io.StringIO(run_cli("query", *args, "--format", "csv", store=loaded_store_path).stdout)))
    assert rows[0] == ["area", "organisation", "name", "where"]
    assert {r[1] for r in rows[1:]} == leeds

    tsv = run_cli("query", *args, "--format", "tsv", store=loaded_store_path).stdout.splitlines()
    assert tsv[0].split("\t") == ["?area", "?organisation", "?name", "?where"]
    assert {line.split("\t")[1] for line in tsv[1:]} == {f"<{iri}>" for iri in leeds}

    xml = ET.fromstring(run_cli("query", *args, "--format", "xml", store=loaded_store_path).stdout_bytes)
    assert len(xml.findall(f"{SPARQL_RESULTS}results/{SPARQL_RESULTS}result")) == len(bindings)

    table = run_cli("query", *args, store=loaded_store_path).stdout
    assert table.rstrip().endswith(f"({len(bindings)} rows)")


def test_ask_and_construct_results(run_cli: Invoke, loaded_store_path: Path) -> None:
    ask = run_cli("query", "ASK { ?p a <https://schema.org/Project> }", "--format", "json", store=loaded_store_path)
    assert json.loads(ask.stdout)["boolean"] is True
    construct = run_cli("query", "CONSTRUCT { ?o a <http://www.w3.org/ns/org#Organization> } WHERE "
                        "{ ?o a <http://www.w3.org/ns/org#Organization> }", "--format", "turtle",
                        store=loaded_store_path)
    assert construct.exit_code == 0
    assert len(list(ox.parse(construct.stdout_bytes, format=ox.RdfFormat.TURTLE))) >= 25
    assert run_cli("query", "ASK {}", "--format", "csv", store=loaded_store_path).exit_code == 2


def test_query_from_a_file(run_cli: Invoke, loaded_store_path: Path, tmp_path: Path) -> None:
    query = tmp_path / "projects.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://schema.org/Project> }")
    result = run_cli("query", "--file", query, "--format", "csv", store=loaded_store_path)
    assert int(list(csv.reader(io.StringIO(result.stdout)))[1][0]) >= 10


@pytest.mark.parametrize("args", [("SELEC ?x WHERE { ?x ?y ?z }",), ("--name", "no_such_query"),
                                  ("SELECT * {}", "--name", "projects_by_topic"), (),
                                  ("--name", "projects_by_topic"), ("--name", "projects_by_topic", "-p", "topic"),
                                  ("--name", "projects_by_topic", "-p", "topic=open-data", "-p", "colour=red"),
                                  ("INSERT DATA { <a:b> <a:c> <a:d> }",)],
                         ids=["bad-sparql", "unknown-name", "two-queries", "no-query", "missing-param",
                              "param-without-value", "unknown-param", "update"])
def test_unusable_queries_exit_2(run_cli: Invoke, loaded_store_path: Path, snapshot: Snapshot,
                                 args: tuple[str, ...]) -> None:
    before = snapshot(loaded_store_path)
    result = run_cli("query", *args, store=loaded_store_path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("ogtgraph: ")
    no_traceback(result.output)
    assert snapshot(loaded_store_path) == before


@pytest.mark.parametrize("value", ["} ; DROP ALL", '} ; DROP ALL ; INSERT DATA { <a:b> <a:c> "x" } #',
                                   "leeds-city-council> } ; CLEAR ALL ; SELECT * { <x"])
def test_a_hostile_iri_parameter_is_refused_cleanly(run_cli: Invoke, loaded_store_path: Path,
                                                    snapshot: Snapshot, value: str) -> None:
    before = snapshot(loaded_store_path)
    result = run_cli("query", "--name", "partners_of_organisation", "-p", f"organisation={value}",
                     store=loaded_store_path)
    assert result.exit_code == 2
    assert "not an IRI or a code" in result.stderr
    no_traceback(result.output)
    assert snapshot(loaded_store_path) == before


def test_a_hostile_string_parameter_stays_a_value(run_cli: Invoke, loaded_store_path: Path, snapshot: Snapshot,
                                                  tmp_path: Path) -> None:
    query = tmp_path / "by-name.rq"
    query.write_text("#+ summary: organisations by name\n#+ param: name string -- the name\n"
                     "PREFIX schema: <https://schema.org/>\n"
                     "SELECT ?org ?name WHERE { ?org schema:name ?name }\n")
    before = snapshot(loaded_store_path)
    hostile = run_cli("query", "--file", query, "-p", 'name="} ; DROP ALL ; {', "--format", "json",
                      store=loaded_store_path)
    assert hostile.exit_code == 0
    assert json.loads(hostile.stdout)["results"]["bindings"] == []
    assert snapshot(loaded_store_path) == before
    found = run_cli("query", "--file", query, "-p", "name=Leeds City Council", "--format", "json",
                    store=loaded_store_path)
    assert [b["org"]["value"] for b in json.loads(found.stdout)["results"]["bindings"]] == [
        f"{ID}org/leeds-city-council"]


def test_a_parameter_missing_from_the_projection_is_a_usage_error(run_cli: Invoke, loaded_store_path: Path,
                                                                  tmp_path: Path) -> None:
    query = tmp_path / "unprojected.rq"
    query.write_text("#+ summary: names\n#+ param: name string -- the name\n"
                     "SELECT ?org WHERE { ?org <https://schema.org/name> ?name }\n")
    result = run_cli("query", "--file", query, "-p", "name=Leeds City Council", store=loaded_store_path)
    assert result.exit_code == 2
    no_traceback(result.output)


def test_querying_a_store_that_does_not_exist_says_to_load_first(run_cli: Invoke, tmp_path: Path) -> None:
    result = run_cli("query", "ASK {}", store=tmp_path / "never")
    assert result.exit_code != 0
    assert "ogtgraph load" in result.stderr
    no_traceback(result.output)


# ---------------------------------------------------------------- settings


def test_the_store_comes_from_ogtgraph_store(run_cli: Invoke, fixtures: Path, tmp_path: Path) -> None:
    where = tmp_path / "from-env"
    result = run_cli("load", fixtures / "valid" / "council.ttl", store=None, env={"OGTGRAPH_STORE": str(where)})
    assert result.exit_code == 0
    assert GraphStore(where, read_only=True).has_graph(GRAPH + "council")
    listed = run_cli("list", store=None, env={"OGTGRAPH_STORE": str(where)})
    assert "council.ttl" in listed.stdout
    gc.collect()


def test_the_store_option_wins_over_the_environment(run_cli: Invoke, fixtures: Path, tmp_path: Path,
                                                    store_path: Path) -> None:
    result = run_cli("load", fixtures / "valid" / "council.ttl", env={"OGTGRAPH_STORE": str(tmp_path / "other")})
    assert result.exit_code == 0
    assert GraphStore(store_path, read_only=True).has_graph(GRAPH + "council")
    assert not (tmp_path / "other").exists()


def test_the_default_store_follows_xdg_data_home(run_cli: Invoke, fixtures: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OGTGRAPH_STORE")
    assert run_cli("load", fixtures / "valid" / "council.ttl", store=None).exit_code == 0
    assert (tmp_path / "xdg" / "ogtgraph" / "store" / "CURRENT").exists()


def test_max_file_bytes_is_honoured(run_cli: Invoke, fixtures: Path) -> None:
    result = run_cli("validate", fixtures / "valid" / "council.ttl", env={"OGTGRAPH_MAX_FILE_BYTES": "100"})
    assert result.exit_code == 2
    assert "over the limit of 100" in result.output


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_setting_exits_2_and_names_it(run_cli: Invoke, fixtures: Path, value: str) -> None:
    result = run_cli("validate", fixtures / "valid" / "council.ttl", env={"OGTGRAPH_MAX_FILE_BYTES": value})
    assert result.exit_code == 2
    assert "OGTGRAPH_MAX_FILE_BYTES" in result.stderr
    no_traceback(result.output)


# ---------------------------------------------------------------- the installed command, as a real process


def test_installed_command_reports_malformed_turtle_with_exit_2(fixtures: Path, tmp_path: Path) -> None:
    result = run_installed("validate", fixtures / "malformed" / "bad-syntax.ttl", cwd=tmp_path)
    assert result.returncode == 2
    assert "bad-syntax.ttl, line 6, column 44" in result.stdout + result.stderr
    no_traceback(result.stdout, result.stderr)


def test_installed_command_loads_and_queries_with_the_store_from_the_environment(tmp_path: Path) -> None:
    where = Path(os.environ["OGTGRAPH_STORE"])
    loaded = run_installed("load", DATA, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert (where / "CURRENT").exists()
    queried = run_installed("query", "--name", "projects_by_jurisdiction", "-p", "area=E47000003", "--format",
                            "json", cwd=tmp_path)
    assert queried.returncode == 0, queried.stderr
    projects = {b["project"]["value"] for b in json.loads(queried.stdout)["results"]["bindings"]}
    assert f"{ID}project/data-mill-north" in projects
    malformed = run_installed("load", DATA.parent / "tests" / "fixtures" / "malformed" / "bad-json.jsonld",
                              cwd=tmp_path)
    assert malformed.returncode == 2
    assert "line 8, column 5" in malformed.stdout + malformed.stderr
    no_traceback(malformed.stdout, malformed.stderr)


def test_installed_export_into_a_closed_pipe_is_quiet(loaded_store_path: Path, tmp_path: Path) -> None:
    process = subprocess.Popen([*ogtgraph_command(), "export", "--store", str(loaded_store_path)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(100)
    process.stdout.close()  # as `| head -1` does; the export is far larger than a pipe's buffer
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) in (0, 141, -13)
    no_traceback(error)


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "0." in result.output
