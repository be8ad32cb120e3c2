"""A load killed part-way leaves a usable store with every contribution at its old or its new version."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph.store import META_GRAPH, GraphStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import generate  # noqa: E402

FILES = 300  # a replacement load of these takes ~3 s here: long enough to be killed at any step


def _version(folder: Path, version: int) -> list[Path]:
    """The generated contributions, with every project description marked with ``version``."""
    paths = generate.write(folder, FILES)
    for path in paths:
        doc = json.loads(path.read_text())
        for node in doc["@graph"]:
            if "description" in node:
                node["description"] = f"{node['description']} (version {version})"
        path.write_text(json.dumps(doc))
    return paths


def _load(folder: Path, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ogtgraph", "load", str(folder), "--store", str(store)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _check_consistent(store_path: Path, shas: dict[str, set[str]]) -> dict[str, int]:
    """Every recorded graph is complete and one of its versions; nothing unrecorded remains."""
    store = GraphStore(store_path)  # opening for writing runs the recovery
    records = {p.graph: p for p in store.provenance() if p.kind == "contribution"}
    graphs = {g.value for g in store._store.named_graphs()} - {META_GRAPH}
    assert graphs - set(records) == {"https://w3id.org/ogtgraph/graph/_vocabulary"}
    versions: dict[str, int] = {}
    for graph, record in records.items():
        assert store.triple_count(graph) == record.triples, graph
        assert record.sha256 in shas[graph], graph
        described = {
            q.object.value for q in store._store.quads_for_pattern(None, ox.NamedNode("https://schema.org/description"),
                                                                  None, ox.NamedNode(graph))
        }
        marks = {d.rsplit("(version ", 1)[-1] for d in described}
        assert len(marks) == 1, f"{graph} mixes versions: {marks}"
        versions[graph] = int(marks.pop().rstrip(")"))
    del store
    return versions


@pytest.mark.parametrize("delay", [0.9, 2.2])
def test_killed_replacement_leaves_old_or_new_versions(tmp_path: Path, delay: float) -> None:
    v1 = _version(tmp_path / "v1", 1)
    v2 = _version(tmp_path / "v2", 2)
    shas: dict[str, set[str]] = {}
    import hashlib

    for path in [*v1, *v2]:
        graph = "https://w3id.org/ogtgraph/graph/" + path.stem
        shas.setdefault(graph, set()).add(hashlib.sha256(path.read_bytes()).hexdigest())
    store = tmp_path / "store"
    first = _load(tmp_path / "v1", store)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""

    second = _load(tmp_path / "v2", store)
    time.sleep(delay)
    killed = second.poll() is None
    if killed:
        os.kill(second.pid, signal.SIGKILL)
    second.wait(timeout=60)

    versions = _check_consistent(store, shas)
    assert len(versions) == FILES  # nothing lost: every contribution is still there
    assert set(versions.values()) <= {1, 2}
    if not killed:
        assert set(versions.values()) == {2}


def test_killed_first_load_leaves_nothing_half_loaded(tmp_path: Path) -> None:
    v1 = _version(tmp_path / "v1", 1)
    import hashlib

    shas = {"https://w3id.org/ogtgraph/graph/" + p.stem: {hashlib.sha256(p.read_bytes()).hexdigest()} for p in v1}
    store = tmp_path / "store"
    process = _load(tmp_path / "v1", store)
    time.sleep(1.0)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    versions = _check_consistent(store, shas)
    assert set(versions.values()) <= {1}
    assert len(versions) in (0, FILES)  # one load commits its provenance records in one step
