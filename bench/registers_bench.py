"""Import every register into a fresh store: time per register and in all, and the store's size after.

    python bench/registers_bench.py                 # the real files in ../shared/data
    python bench/registers_bench.py --data DIR      # another folder laid out the same way

Baseline, measured in the same run: the same quads written by pyoxigraph's own ``bulk_load`` (one N-Quads
document) into another fresh store, with no reading of the registers, no shape check and no provenance.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from ogtgraph import collaborators, registers
from ogtgraph.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "local-authorities": "uk-local-authorities/uk_local_authorities.csv",
    "digital-land": "digital-land-organisations/organisation.csv",
    "govuk-organisations": "govuk-organisations/gov.uk_api_organisations.json",
    "universities": "uk-learning-providers/learning-providers-plus.csv",
    "digital-public-goods": "dpga-publicgoods",
}


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ogtgraph-registers-bench-"))
    try:
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, pyoxigraph {ox.__version__}")
        store = GraphStore(work / "store")
        empty = size(work / "store")
        total, rows = 0.0, []
        for kind, relative in FILES.items():
            path = args.data / relative
            if not path.exists():
                print(f"  {kind:<22} skipped: {path} is missing")
                continue
            started = time.perf_counter()
            counts = registers.import_file(kind, path, store)
            took = time.perf_counter() - started
            total += took
            graph = registers.register(kind).graph
            rows.append((kind, took, counts.organisations, store.triple_count(graph)))
            print(f"  {kind:<22} {took:6.2f} s  {counts.organisations:6,} organisations  "
                  f"{store.triple_count(graph):8,} triples", flush=True)
        started = time.perf_counter()
        store.reconcile()
        reconcile_s = time.perf_counter() - started
        started = time.perf_counter()
        index = collaborators.load_index(store)
        index_s = time.perf_counter() - started
        out = io.BytesIO()
        store.export(out, "nquads")
        store.close()
        del store
        gc.collect()
        after = size(work / "store")
        reopened = ox.Store(str(work / "store"))  # RocksDB drops its write-ahead logs on the next opening
        del reopened
        gc.collect()
        settled = size(work / "store")
        quads = out.getvalue().count(b"\n")
        print(f"all registers: {total:.2f} s; store {after / 1e6:.1f} MB on disk when closed, {settled / 1e6:.1f} MB "
              f"once reopened (write-ahead logs dropped; {empty / 1e6:.1f} MB empty), "
              f"{quads:,} quads; {len(index.organisations):,} organisations after reconciliation "
              f"({sum(len(o.aliases) for o in index.organisations.values()):,} nodes merged into others)")
        print(f"  reconcile again {reconcile_s * 1000:.0f} ms; collaborator index {index_s:.2f} s")
        baseline = ox.Store(str(work / "baseline"))
        started = time.perf_counter()
        baseline.bulk_load(out.getvalue(), format=ox.RdfFormat.N_QUADS)
        raw = time.perf_counter() - started
        del baseline
        raw_size = size(work / "baseline") / 1e6
        print(f"baseline: bulk_load of the same {quads:,} quads {raw:.2f} s, store {raw_size:.1f} MB; ogtgraph's "
              f"imports take {total / raw:.1f}x that (reading, reconciling and checking every register)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
