"""Benchmarks for validating and loading contributions, each against a baseline measured in the same run.

    python bench/load_bench.py [--files 1000] [--repeat 200]

1. Validating one ~100-triple contribution end to end (read + parse + validate), warm: the compiled engine
   (used by default) against pySHACL on the same file, and the first (cold) call of the process.
2. Loading a folder of generated contributions (read, parse, validate together, store with provenance)
   against a raw pyoxigraph ``bulk_load`` of the same quads as one N-Quads file, on disk, in fresh stores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from ogtgraph import formats, publishing, validation  # noqa: E402
from ogtgraph.namespaces import graph_iri  # noqa: E402
from ogtgraph.store import GraphStore  # noqa: E402

PREFIXES = {"schema": "https://schema.org/", "ogt": "https://w3id.org/ogtgraph/def#",
            "org": "http://www.w3.org/ns/org#", "dcat": "http://www.w3.org/ns/dcat#"}


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def one_file(folder: Path, repeat: int) -> None:
    path = generate.write(folder / "one", 2)[1]
    start = time.perf_counter()
    contribution = formats.read_contribution(path)
    validation.validate(contribution)
    cold = (time.perf_counter() - start) * 1000
    triples = len(contribution.triples)

    def compiled() -> None:
        validation.validate(formats.read_contribution(path), engine="compiled")

    def pyshacl() -> None:
        validation.validate(formats.read_contribution(path), engine="pyshacl")

    pyshacl()  # warm pySHACL's harvested shapes too
    fast = timed(compiled, repeat)
    slow = timed(pyshacl, max(repeat // 4, 10))
    print(f"validate one contribution ({triples} triples, JSON-LD), end to end:")
    print(f"  cold first call (parses shapes and vocabulary): {cold:8.2f} ms")
    print(f"  warm, compiled engine: p50 {statistics.median(fast):6.2f} ms   p95 {_p95(fast):6.2f} ms   target < 5 ms")
    print(f"  warm, pySHACL engine:  p50 {statistics.median(slow):6.2f} ms   p95 {_p95(slow):6.2f} ms   (baseline)")


def as_turtle(paths: list[Path], folder: Path) -> list[Path]:
    """The same contributions written as Turtle files."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for path in paths:
        quads = formats.read_contribution(path).quads
        target = folder / f"{path.stem}.ttl"
        target.write_bytes(ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        out.append(target)
    return out


def folder_load(folder: Path, files: int, fmt: str) -> None:
    paths = generate.write(folder / "many", files)
    if fmt == "turtle":
        paths = as_turtle(paths, folder / "many-ttl")
    contributions = [formats.read_contribution(p) for p in paths]
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph_iri(c.name)))
             for c in contributions for t in c.triples]
    nquads = folder / "all.nq"
    ox.serialize(quads, str(nquads), format=ox.RdfFormat.N_QUADS)

    raw = ox.Store(str(folder / f"raw-{fmt}"))
    start = time.perf_counter()
    raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    raw_s = time.perf_counter() - start

    store = GraphStore(folder / f"ours-{fmt}")
    start = time.perf_counter()
    outcomes = publishing.load(paths, store=store)
    ours_s = time.perf_counter() - start
    loaded = sum(o.loaded for o in outcomes)
    stored = sum(store.triple_count(o.graph) for o in outcomes if o.graph)

    n = len(quads)
    print(f"load a folder of {files} {fmt} contributions ({n:,} triples), fresh on-disk stores:")
    print(f"  raw pyoxigraph bulk_load of the same quads (N-Quads): {raw_s:6.2f} s  {n / raw_s:9,.0f} triples/s")
    print(f"  ogtgraph load (parse + validate + store + provenance): {ours_s:6.2f} s  {n / ours_s:9,.0f} triples/s")
    print(f"  speed relative to bulk_load: {raw_s / ours_s:.2f}x   target >= 0.50x")
    print(f"  files loaded: {loaded} of {files}; triples stored in their graphs: {stored:,}")
    if loaded != files or stored != n:
        raise SystemExit("the load did not store every contribution; the figures above are not comparable")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(int(len(values) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--formats", default="jsonld,turtle", help="contribution formats of the folder loads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ogtgraph-bench-") as tmp:
        one_file(Path(tmp), args.repeat)
        for fmt in args.formats.split(","):
            folder_load(Path(tmp), args.files, fmt)


if __name__ == "__main__":
    main()
