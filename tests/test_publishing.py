"""publishing: files validated together, only conforming ones loaded, a failed load changes nothing, reload replaces."""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ogtgraph import publishing
from ogtgraph.errors import InputError
from ogtgraph.formats import read_contribution
from ogtgraph.namespaces import GRAPH, STAGING_GRAPH
from ogtgraph.publishing import Outcome, check, exit_code, load, publisher_of
from ogtgraph.store import GraphStore

Snapshot = Callable[[Path], list[str]]
ORG = "https://w3id.org/ogtgraph/id/org/"


def batch(fixtures: Path, *names: str) -> list[Path]:
    return [fixtures / "batch" / n for n in names]


def load_into(path: Path, files: list[Path], **options: object) -> list[Outcome]:
    """Load ``files`` into the store at ``path`` and close it again."""
    store = GraphStore(path)
    try:
        return load(files, store=store, **options)  # type: ignore[arg-type]
    finally:
        del store
        gc.collect()


def without(lines: list[str], *graphs: str) -> list[str]:
    """The snapshot lines that mention none of ``graphs`` (neither as graph name nor in provenance)."""
    marks = [f"<{g}>" for g in graphs]
    return [line for line in lines if not any(m in line for m in marks)]


# ---------------------------------------------------------------- a failed load leaves the store unchanged


@pytest.mark.parametrize("bad", ["invalid/phase-unknown.jsonld", "invalid/lead-unknown.jsonld",
                                 "malformed/bad-syntax.ttl", "malformed/bad-json.jsonld",
                                 "malformed/remote-context.jsonld", "malformed/unknown-key.jsonld"])
def test_a_failed_load_leaves_the_store_exactly_as_it_was(loaded_store_path: Path, fixtures: Path,
                                                         snapshot: Snapshot, bad: str) -> None:
    before = snapshot(loaded_store_path)
    assert len(before) > 1000
    (outcome,) = load_into(loaded_store_path, [fixtures / bad])
    assert not outcome.loaded and not outcome.conforms
    assert snapshot(loaded_store_path) == before


def test_good_files_load_and_bad_ones_do_not_when_mixed(loaded_store_path: Path, fixtures: Path,
                                                       snapshot: Snapshot) -> None:
    before = snapshot(loaded_store_path)
    files = [fixtures / "valid" / "council.jsonld", fixtures / "invalid" / "phase-unknown.ttl",
             fixtures / "malformed" / "bad-syntax.ttl", fixtures / "batch" / "bradford-council.ttl",
             fixtures / "malformed" / "bad-json.jsonld", fixtures / "invalid" / "two-leads.jsonld"]
    outcomes = load_into(loaded_store_path, files)
    assert [o.loaded for o in outcomes] == [True, False, False, True, False, False]
    assert exit_code(outcomes) == 2
    after = snapshot(loaded_store_path)
    new_graphs = (GRAPH + "council", GRAPH + "bradford-council")
    assert without(after, *new_graphs) == before, "the graphs that were there are untouched"
    assert len(after) > len(before)
    for bad in ("phase-unknown", "bad-syntax", "bad-json", "two-leads"):
        assert not any(f"<{GRAPH}{bad}>" in line for line in after)


def test_a_bad_new_version_does_not_replace_the_good_one(loaded_store_path: Path, data_dir: Path, tmp_path: Path,
                                                        snapshot: Snapshot) -> None:
    before = snapshot(loaded_store_path)
    invalid = tmp_path / "invalid" / "leeds-city-council.jsonld"
    malformed = tmp_path / "malformed" / "odi-leeds.jsonld"
    invalid.parent.mkdir()
    malformed.parent.mkdir()
    invalid.write_text((data_dir / "leeds-city-council.jsonld").read_text().replace('"live"', '"beta-ish"'))
    malformed.write_text((data_dir / "odi-leeds.jsonld").read_text()[:-20])
    outcomes = load_into(loaded_store_path, [invalid, malformed])
    assert [o.loaded for o in outcomes] == [False, False]
    assert outcomes[0].report is not None and not outcomes[0].report.conforms
    assert outcomes[1].error is not None and outcomes[1].error.exit_code == 2
    assert snapshot(loaded_store_path) == before


# ---------------------------------------------------------------- reload replaces


def test_reloading_a_file_replaces_its_graph(store_path: Path, fixtures: Path, snapshot: Snapshot) -> None:
    v1, v2 = fixtures / "reload" / "v1" / "leeds-pilot.ttl", fixtures / "reload" / "v2" / "leeds-pilot.ttl"
    graph = GRAPH + "leeds-pilot"
    store = GraphStore(store_path)
    (first,) = load([v1], store=store)
    assert first.loaded and not first.replaced
    old = next(p for p in store.provenance() if p.graph == graph)
    (second,) = load([v2], store=store)
    assert second.loaded and second.replaced and second.graph == graph
    records = [p for p in store.provenance() if p.graph == graph]
    assert len(records) == 1
    assert records[0].sha256 == hashlib.sha256(v2.read_bytes()).hexdigest() != old.sha256
    assert records[0].triples == store.triple_count(graph) == len(read_contribution(v2).triples)
    names = {r["n"].value for r in store.query(
        "SELECT ?n WHERE { <https://w3id.org/ogtgraph/id/project/leeds-air-quality-pilot> "
        "<https://schema.org/name> ?n }")}
    assert names == {"Air quality sensors near schools"}
    del store
    gc.collect()
    lines = snapshot(store_path)
    assert not any('"Air quality sensor pilot"' in line or "/phase/alpha>" in line
                   for line in lines if f"<{graph}> ." in line), "nothing of version 1 is left"
    assert not any(STAGING_GRAPH in line for line in lines)
    assert sum(1 for line in lines if f"<{graph}> <https://w3id.org/ogtgraph/def#sha256>" in line) == 1


def test_reloading_leaves_the_other_graphs_alone(loaded_store_path: Path, fixtures: Path,
                                                 snapshot: Snapshot) -> None:
    load_into(loaded_store_path, [fixtures / "reload" / "v1" / "leeds-pilot.ttl"])
    before = without(snapshot(loaded_store_path), GRAPH + "leeds-pilot")
    (outcome,) = load_into(loaded_store_path, [fixtures / "reload" / "v2" / "leeds-pilot.ttl"])
    assert outcome.replaced
    assert without(snapshot(loaded_store_path), GRAPH + "leeds-pilot") == before


def test_reloading_the_data_folder_replaces_every_graph(loaded_store_path: Path, data_dir: Path,
                                                       snapshot: Snapshot) -> None:
    def contributions(lines: list[str]) -> list[str]:
        # Statements of contribution graphs, blank-node labels set aside (a reload mints new ones)
        return sorted(re.sub(r"_:\w+", "_:b", line) for line in lines if "/graph/_meta>" not in line)

    before = snapshot(loaded_store_path)
    outcomes = load_into(loaded_store_path, sorted(data_dir.iterdir()), force=True)
    assert all(o.replaced for o in outcomes) and len(outcomes) >= 10
    assert contributions(snapshot(loaded_store_path)) == contributions(before)


def test_loading_the_same_files_again_changes_nothing(loaded_store_path: Path, data_dir: Path,
                                                      snapshot: Snapshot) -> None:
    before = snapshot(loaded_store_path)
    outcomes = load_into(loaded_store_path, sorted(data_dir.iterdir()))
    assert len(outcomes) >= 10
    assert all(o.unchanged and o.conforms and not o.loaded and not o.replaced for o in outcomes)
    assert exit_code(outcomes) == 0
    assert snapshot(loaded_store_path) == before  # provenance too: not even the time loaded moves


def test_a_changed_file_among_unchanged_ones_is_replaced(loaded_store_path: Path, data_dir: Path,
                                                         tmp_path: Path) -> None:
    copies = tmp_path / "data"
    copies.mkdir()
    for path in sorted(data_dir.iterdir()):
        (copies / path.name).write_bytes(path.read_bytes())
    changed = copies / "leeds-city-council.jsonld"
    changed.write_text(changed.read_text().replace("Data Mill North", "Data Mill North (renamed)"))
    outcomes = {Path(o.source).name: o for o in load_into(loaded_store_path, sorted(copies.iterdir()))}
    assert outcomes["leeds-city-council.jsonld"].replaced
    assert not outcomes["leeds-city-council.jsonld"].unchanged
    assert all(o.unchanged for name, o in outcomes.items() if name != "leeds-city-council.jsonld")
    store = GraphStore(loaded_store_path, read_only=True)
    names = {r["name"].value for r in store.query(
        "SELECT ?name WHERE { GRAPH <https://w3id.org/ogtgraph/graph/leeds-city-council> "
        "{ ?p a <https://schema.org/Project> ; <https://schema.org/name> ?name } }")}
    assert "Data Mill North (renamed)" in names and "Data Mill North" not in names


# ---------------------------------------------------------------- files that refer to each other


@pytest.mark.parametrize("order", [("bradford-council.ttl", "bradford-project.jsonld"),
                                   ("bradford-project.jsonld", "bradford-council.ttl")])
def test_files_checked_together_see_each_other_in_either_order(fixtures: Path, order: tuple[str, str]) -> None:
    outcomes, conforming = check(batch(fixtures, *order))
    assert [o.conforms for o in outcomes] == [True, True]
    assert len(conforming) == 2


def test_a_project_alone_fails_on_an_empty_store_and_passes_once_its_lead_is_loaded(store_path: Path,
                                                                                   fixtures: Path) -> None:
    project, org = batch(fixtures, "bradford-project.jsonld", "bradford-council.ttl")
    store = GraphStore(store_path)
    (alone,) = load([project], store=store)
    assert not alone.loaded
    assert alone.report is not None
    assert [(f.key, f.value) for f in alone.report.violations] == [
        ("leadOrganisation", f"<{ORG}bradford-council>")]
    assert [o.loaded for o in load([org], store=store)] == [True]
    (later,) = load([project], store=store)
    assert later.loaded and later.conforms


def test_a_failing_file_takes_its_organisations_with_it(fixtures: Path) -> None:
    outcomes, conforming = check(batch(fixtures, "leans-on-kirklees.jsonld", "kirklees-with-bad-project.jsonld"))
    assert [o.conforms for o in outcomes] == [False, False]
    assert conforming == {}
    leaner = outcomes[0].report
    assert leaner is not None
    assert [(f.key, f.value) for f in leaner.violations] == [("leadOrganisation", f"<{ORG}kirklees-council>")]


def test_the_loss_of_an_organisation_travels_down_a_chain_of_files(fixtures: Path) -> None:
    files = batch(fixtures, "leans-on-kirklees-team.jsonld", "kirklees-team-leans-on-kirklees.jsonld",
                  "kirklees-with-bad-project.jsonld")
    outcomes, _ = check(files)
    assert [o.conforms for o in outcomes] == [False, False, False]


def test_an_organisation_also_described_by_a_passing_file_still_counts(fixtures: Path, data_dir: Path) -> None:
    # West Yorkshire's file describes Kirklees Council too, so the failing file's loss of it does not matter.
    files = [*batch(fixtures, "leans-on-kirklees.jsonld", "kirklees-with-bad-project.jsonld"),
             data_dir / "west-yorkshire-combined-authority.ttl"]
    outcomes, _ = check(files)
    assert [o.conforms for o in outcomes] == [True, False, True]


def test_nothing_of_a_failing_chain_is_loaded(store_path: Path, fixtures: Path, snapshot: Snapshot) -> None:
    GraphStore(store_path)
    gc.collect()
    before = snapshot(store_path)
    files = batch(fixtures, "leans-on-kirklees-team.jsonld", "kirklees-team-leans-on-kirklees.jsonld",
                  "kirklees-with-bad-project.jsonld")
    assert not any(o.loaded for o in load_into(store_path, files))
    assert snapshot(store_path) == before


# ---------------------------------------------------------------- outcomes, names and publishers


def test_exit_code_is_0_1_or_2(fixtures: Path) -> None:
    good, _ = check([fixtures / "valid" / "council.ttl"])
    bad, _ = check([fixtures / "valid" / "council.ttl", fixtures / "invalid" / "missing-lead.jsonld"])
    broken, _ = check([fixtures / "invalid" / "missing-lead.jsonld", fixtures / "malformed" / "bad-json.jsonld"])
    assert (exit_code(good), exit_code(bad), exit_code(broken)) == (0, 1, 2)


def test_two_files_that_would_share_a_graph_are_refused(fixtures: Path) -> None:
    outcomes, conforming = check([fixtures / "valid" / "council.jsonld", fixtures / "valid" / "council.ttl"])
    assert outcomes[0].conforms
    assert isinstance(outcomes[1].error, InputError)
    assert "rename one of them" in str(outcomes[1].error)
    assert list(conforming) == [str(fixtures / "valid" / "council.jsonld")]


def test_a_graph_name_may_be_given_for_one_file(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    (outcome,) = load([fixtures / "valid" / "council.ttl"], store=store, graph="leeds-2019")
    assert outcome.graph == GRAPH + "leeds-2019" and store.has_graph(GRAPH + "leeds-2019")
    (by_iri,) = load([fixtures / "valid" / "council.jsonld"], store=store, graph="https://example.org/g/leeds")
    assert by_iri.loaded and store.has_graph("https://example.org/g/leeds")
    with pytest.raises(InputError, match="exactly one file"):
        load([fixtures / "valid" / "council.ttl", fixtures / "batch" / "bradford-council.ttl"], store=store,
             graph="both")


def test_the_publisher_is_the_lead_organisation_or_the_only_organisation(fixtures: Path, data_dir: Path) -> None:
    assert publisher_of(read_contribution(fixtures / "valid" / "council.ttl")) == ORG + "leeds-city-council"
    assert publisher_of(read_contribution(fixtures / "batch" / "bradford-council.ttl")) == ORG + "bradford-council"
    assert publisher_of(read_contribution(data_dir / "west-yorkshire-combined-authority.ttl")) is None


def test_a_publisher_given_by_the_caller_is_recorded(store_path: Path, fixtures: Path) -> None:
    store = GraphStore(store_path)
    load([fixtures / "valid" / "council.ttl"], store=store, publisher=ORG + "west-yorkshire-combined-authority")
    (record,) = [p for p in store.provenance() if p.kind == "contribution"]
    assert record.publisher == ORG + "west-yorkshire-combined-authority"


def test_progress_is_reported_for_every_file(store_path: Path, fixtures: Path) -> None:
    steps: list[int] = []
    files = [fixtures / "valid" / "council.ttl", fixtures / "malformed" / "bad-json.jsonld"]
    load(files, store=GraphStore(store_path), progress=steps.append)
    assert sum(steps) == len(files) + 1


def test_the_size_limit_applies_to_each_file(fixtures: Path) -> None:
    (outcome,) = publishing.check([fixtures / "valid" / "council.ttl"], max_bytes=100)[0]
    assert outcome.error is not None and "OGTGRAPH_MAX_FILE_BYTES" in str(outcome.error)
