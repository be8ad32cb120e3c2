"""`ogtgraph areas import`: mySociety's list of UK local authorities, with its hierarchy, read from ../shared."""

from __future__ import annotations

import csv
import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from ogtgraph.areas import AREAS_GRAPH, import_areas
from ogtgraph.cli import cli
from ogtgraph.errors import InputError
from ogtgraph.store import GraphStore

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "uk-local-authorities" / "uk_local_authorities.csv"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"

pytestmark = pytest.mark.skipif(not SOURCE.exists(), reason="the shared copy of uk_local_authorities.csv is missing")


def parents(store: GraphStore, code: str) -> set[str]:
    query = ("SELECT ?area ?parent WHERE { GRAPH <" + AREAS_GRAPH + "> "
             "{ ?area <https://schema.org/containedInPlace> ?parent } }")
    return {r["parent"].value.rsplit("/", 1)[-1] for r in store.query(query, substitutions={"area": _iri(code)})}


def _iri(code: str) -> object:
    import pyoxigraph as ox

    return ox.NamedNode(GSS + code)


def test_every_area_with_a_gss_code_is_imported_once(tmp_path: Path) -> None:
    with SOURCE.open(encoding="utf-8-sig") as handle:
        expected = {row["gss-code"] for row in csv.DictReader(handle) if row["gss-code"]}
    store = GraphStore(tmp_path / "store")
    assert import_areas(SOURCE, store) == len(expected)
    found = {r["n"].value for r in store.query(
        "SELECT ?n WHERE { GRAPH <" + AREAS_GRAPH + "> { ?a <http://www.w3.org/2004/02/skos/core#notation> ?n } }")}
    assert found == expected


def test_districts_lie_inside_their_county_combined_authority_region_and_nation(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    import_areas(SOURCE, store)
    assert parents(store, "E07000178") == {"E10000025", "E12000008"}  # Oxford: Oxfordshire, South East
    assert {"E47000003", "E12000003"} <= parents(store, "E08000035")  # Leeds: West Yorkshire CA, Yorkshire
    assert "W92000004" in parents(store, "W06000015")  # Cardiff: Wales
    names = {r["l"].value for r in store.query(
        "SELECT ?l WHERE { GRAPH <" + AREAS_GRAPH + "> { <" + GSS + "E08000035> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }")}
    assert names == {"Leeds"}


def test_importing_again_replaces_the_import(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    import_areas(SOURCE, store)
    first = store.triple_count(AREAS_GRAPH)
    smaller = tmp_path / "few.csv"
    lines = SOURCE.read_text(encoding="utf-8-sig").splitlines()
    smaller.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")
    assert import_areas(smaller, store) == 10
    assert 0 < store.triple_count(AREAS_GRAPH) < first
    records = [p for p in store.provenance() if p.graph == AREAS_GRAPH]
    assert len(records) == 1 and records[0].source == "few.csv"


def test_a_file_of_another_shape_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,name\nX,Y\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns"):
        import_areas(wrong, store)
    assert not store.has_graph(AREAS_GRAPH)


def test_the_command_imports_and_an_imported_code_is_no_longer_a_warning(tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    contribution = tmp_path / "wirral.jsonld"
    contribution.write_text('{"@context": "https://w3id.org/ogtgraph/context.jsonld", '
                            '"id": "https://w3id.org/ogtgraph/id/org/wirral", "type": "Organisation", '
                            '"name": "Wirral Council", "sector": "local-government", "jurisdiction": "E08000015"}')
    runner = CliRunner()
    before = runner.invoke(cli, ["validate", str(contribution), "--store", str(store_path)])
    assert before.exit_code == 0 and "warning" in before.output  # Wirral is not in the bundled area list
    result = runner.invoke(cli, ["areas", "import", str(SOURCE), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    gc.collect()
    after = runner.invoke(cli, ["validate", str(contribution), "--store", str(store_path)])
    assert after.exit_code == 0 and "warning" not in after.output
    missing = runner.invoke(cli, ["areas", "import", str(tmp_path / "nope.csv"), "--store", str(store_path)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
