"""Collaborator ranking and the SPARQL endpoint on a generated graph of 10,000 organisations and 50,000 projects.

    python bench/collaborators_bench.py                    # build the graph (a few minutes), then measure
    python bench/collaborators_bench.py --reuse            # measure again on the store built last time
    python bench/collaborators_bench.py --orgs 1000        # a quick run on a smaller graph

What it does, in one run on one machine:

1. builds the store the way ogtgraph does: the UK local authority areas imported from mySociety's list
   (``ogtgraph.areas.import_areas``), then one generated contribution file per organisation (the organisation and
   its projects) loaded in batches by ``ogtgraph.publishing.load`` (validated, one named graph each, provenance);
2. the index: ``collaborators.load_index`` on the store;
3. ``collaborators.rank`` + ``as_json`` (what /api/collaborators does) for ~200 random organisations, p50/p95,
   and a cProfile of those calls when p95 is over the target;
4. ``ogtgraph serve`` in its own process on a loopback port: /api/collaborators for the same organisations, and
   /sparql latency for a few typical queries, against the same queries run directly on pyoxigraph
   (``GraphStore.query`` + SPARQL JSON serialisation) in this process;
5. ``oxigraph serve-read-only`` (the ``oxigraph`` package from PyPI) over the very same store folder, with
   ``--union-default-graph`` as ogtgraph does: the same queries, latency and throughput.

Throughput is requests a second from N concurrent client processes (one keep-alive connection each) for a fixed
time, the same requests against each server, one server at a time. Topic popularity is skewed (Zipf, s = 1) over
the 17 topics of ogtgraph's scheme, plus a long Zipf tail of LGSL service IRIs on half the projects, as real
tagging is. Targets: collaborator API p95 < 50 ms; /sparql throughput >= 0.7x that of ``oxigraph serve``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import http.client
import io
import json
import multiprocessing
import os
import pstats
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ogtgraph import areas, collaborators, publishing, results
from ogtgraph.negotiation import parse_accept
from ogtgraph.sparql_service import Request, SparqlService
from ogtgraph.store import GraphStore

REPO = Path(__file__).resolve().parent.parent
AUTHORITIES = REPO.parent / "shared" / "data" / "uk-local-authorities" / "uk_local_authorities.csv"
ORG = "https://w3id.org/ogtgraph/id/org/bench-"
PROJECT = "https://w3id.org/ogtgraph/id/project/bench-"
LGSL = "http://id.esd.org.uk/service/"
TOPICS = ["open-data", "digital-collaboration", "service-design", "open-source", "data-standards",
          "digital-inclusion", "smart-places", "open-government", "health-and-care", "transport", "housing",
          "climate", "procurement", "skills", "research", "energy", "water"]  # most popular first
SECTORS = ["local-government", "central-government", "health", "civic-tech", "private-sector", "voluntary-sector",
           "higher-education", "utility", "transport", "research-and-innovation", "standards-body"]
PHASES = ["discovery", "alpha", "beta", "live", "retired"]
WIDE_AREAS = ["E12000001", "E12000002", "E12000003", "E12000004", "E12000005", "E12000006", "E12000007",
              "E12000008", "E12000009", "E47000001", "E47000003", "E92000001", "W92000004", "S92000003",
              "K02000001"]
ABROAD = ["country:CAN", "country:USA", "wd:Q1904"]
FUNDERS = 200  # the first organisations fund projects of later ones
TARGET_P95_MS = 50.0
TARGET_THROUGHPUT = 0.7
JSON_RESULTS = "application/sparql-results+json"

PREFIXES = """PREFIX ogt: <https://w3id.org/ogtgraph/def#>
PREFIX schema: <https://schema.org/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
QUERIES = {
    # no work at all: what every request costs (HTTP, dispatch, serialisation)
    "ask-empty": "ASK {}",
    # a point look-up: one organisation's projects with their topics and phases (tens of rows)
    "org-projects": PREFIXES + """SELECT ?project ?name ?topic ?phase WHERE {
  ?project ogt:leadOrganisation <%(org)s> ; schema:name ?name ; dcat:theme ?topic .
  OPTIONAL { ?project ogt:phase ?phase } }""",
    # projects on a less common topic, with their lead's name, first 100 by name (a join and a sort)
    "topic-page": PREFIXES + """SELECT ?project ?name ?lead ?leadName WHERE {
  ?project dcat:theme <https://w3id.org/ogtgraph/id/topic/%(topic)s> ; schema:name ?name ;
      ogt:leadOrganisation ?lead . ?lead schema:name ?leadName } ORDER BY ?name LIMIT 100""",
    # an aggregate over every project: how many projects per sector of the lead organisation
    "per-sector": PREFIXES + """SELECT ?sector (COUNT(?project) AS ?projects) WHERE {
  ?project ogt:leadOrganisation ?lead . ?lead org:classification ?sector } GROUP BY ?sector ORDER BY DESC(?projects)""",
}


# ---------------------------------------------------------------------------------------------- the graph


def zipf(rng: random.Random, items: Sequence[str], k: int) -> list[str]:
    weights = [1 / (i + 1) for i in range(len(items))]
    return sorted(set(rng.choices(items, weights=weights, k=k)))


def district_codes() -> list[str]:
    """GSS codes of the current UK local authorities (mySociety's list), else the few in ontology/areas.ttl."""
    if AUTHORITIES.exists():
        with AUTHORITIES.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return sorted(r["gss-code"] for r in rows if r["current-authority"] == "True" and r["gss-code"])
    return ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036", "E08000003", "E08000007",
            "E10000021", "E10000025", "E07000178", "E10000012"]


def organisation_area(rng: random.Random, districts: Sequence[str]) -> str:
    roll = rng.random()
    if roll < 0.85:
        return rng.choice(districts)
    return rng.choice(WIDE_AREAS) if roll < 0.97 else rng.choice(ABROAD)


def contribution(i: int, per_org: int, rng: random.Random, districts: Sequence[str],
                 services: Sequence[str]) -> dict[str, object]:
    """Organisation ``i`` and its projects; partners, participants and funders are earlier organisations."""
    org = f"{ORG}{i}"
    graph: list[dict[str, object]] = [{
        "id": org, "type": "Organisation", "name": f"Bench organisation {i}",
        "sector": zipf(rng, SECTORS, 1), "jurisdiction": [organisation_area(rng, districts)],
    }]
    for j in range(per_org):
        topics = zipf(rng, TOPICS, rng.randint(1, 3))
        if rng.random() < 0.5:
            topics += zipf(rng, services, 1)
        project: dict[str, object] = {
            "id": f"{PROJECT}{i}-{j}", "type": "Project", "name": f"Bench project {i}-{j}",
            "description": f"Generated project {j} of organisation {i}, for the collaborator benchmark.",
            "leadOrganisation": org, "topic": topics, "phase": rng.choice(PHASES),
        }
        if i:
            project["partner"] = sorted({f"{ORG}{rng.randrange(i)}" for _ in range(rng.randint(0, 2))})
            if rng.random() < 0.2:
                project["participant"] = [f"{ORG}{rng.randrange(i)}"]
            if rng.random() < 0.3:
                project["funder"] = zipf(rng, [f"{ORG}{f}" for f in range(min(i, FUNDERS))], 1)
        graph.append(project)
    return {"@context": "https://w3id.org/ogtgraph/context.jsonld", "@graph": graph}


def build(path: Path, *, orgs: int, per_org: int, batch: int, seed: int) -> None:
    rng = random.Random(seed)
    districts = district_codes()
    services = [f"{LGSL}{n}" for n in rng.sample(range(1, 1500), 400)]
    shutil.rmtree(path, ignore_errors=True)
    store = GraphStore(path)
    started = time.perf_counter()
    if AUTHORITIES.exists():
        print(f"  areas: {areas.import_areas(AUTHORITIES, store)} UK local authority areas imported")
    with tempfile.TemporaryDirectory(prefix="ogtgraph-bench-") as folder:
        for first in range(0, orgs, batch):
            files = []
            for i in range(first, min(first + batch, orgs)):
                file = Path(folder) / f"bench-{i:05d}.jsonld"
                file.write_text(json.dumps(contribution(i, per_org, rng, districts, services)), encoding="utf-8")
                files.append(file)
            outcomes = publishing.load(files, store=store)
            bad = [o for o in outcomes if not o.loaded]
            if bad:
                raise SystemExit(f"a generated file did not load: {bad[0].error or bad[0].report}")
            for file in files:
                file.unlink()
            print(f"  loaded {first + len(files):,} organisations ({time.perf_counter() - started:.0f} s)", flush=True)
    store.close()
    del store
    gc.collect()
    print(f"  built in {time.perf_counter() - started:.1f} s")


# ---------------------------------------------------------------------------------------------- measuring


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(values_ms: Sequence[float]) -> str:
    return (f"p50 {percentile(values_ms, 50):7.2f} ms   p95 {percentile(values_ms, 95):7.2f} ms   "
            f"max {max(values_ms):7.2f} ms   (n={len(values_ms)})")


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Client:
    """One keep-alive HTTP/1.1 connection (reconnects when the server closes it)."""

    port: int
    connection: http.client.HTTPConnection | None = None

    def get(self, target: str, accept: str = "application/json") -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request("GET", target, headers={"Accept": accept})
                response = self.connection.getresponse()
                body = response.read()
                if response.getheader("connection", "").lower() == "close":
                    self.close()
                return response.status, body
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


def wait_for(port: int, target: str, process: subprocess.Popen[bytes], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start-up (exit {process.returncode}).")
        try:
            Client(port).get(target)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer within {limit:g} s.")


@contextmanager
def serving(command: list[str], port: int, ready: str, env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for(port, ready, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sparql_target(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def http_latency(port: int, targets: Sequence[str], accept: str) -> list[float]:
    client = Client(port)
    client.get(targets[0], accept)  # warm the connection
    times = []
    for target in targets:
        started = time.perf_counter()
        status, _ = client.get(target, accept)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"GET {target[:120]} answered {status}")
    client.close()
    return times


def _hammer(port: int, targets: list[str], accept: str, seconds: float, start: float,
            out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    client = Client(port)
    while time.time() < start:
        time.sleep(0.001)
    done, failed, i = 0, 0, 0
    while time.time() < start + seconds:
        status, _ = client.get(targets[i % len(targets)], accept)
        done, failed, i = done + (status == 200), failed + (status != 200), i + 1
    client.close()
    out.put((done, failed))


def throughput(port: int, targets: list[str], accept: str, *, clients: int, seconds: float) -> float:
    """Requests a second completed by ``clients`` processes, each one connection, over ``seconds``."""
    context = multiprocessing.get_context("fork")
    out: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    start = time.time() + 0.5
    workers = [context.Process(target=_hammer, args=(port, targets[c::clients] or targets, accept, seconds, start, out))
               for c in range(clients)]
    for w in workers:
        w.start()
    counts = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join()
    failed = sum(f for _, f in counts)
    if failed:
        print(f"    ({failed} requests failed)")
    return sum(d for d, _ in counts) / seconds


# ---------------------------------------------------------------------------------------------- the run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="where to build the store (default: a folder in the temporary "
                        "directory named for the graph's size, kept for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure on the store built by an earlier run")
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--projects-per-org", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000, help="files loaded together")
    parser.add_argument("--samples", type=int, default=200, help="organisations asked about")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes for throughput")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    parser.add_argument("--workers", type=int, default=2, help="ogtgraph serve's query worker processes")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    path: Path = args.store or Path(tempfile.gettempdir()) / (
        f"ogtgraph-collaborators-bench-{args.orgs}x{args.projects_per_org}-seed{args.seed}")

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if not (args.reuse and (path / "CURRENT").exists()):
        print(f"Building {args.orgs:,} organisations x {args.projects_per_org} projects in {path}")
        build(path, orgs=args.orgs, per_org=args.projects_per_org, batch=args.batch, seed=args.seed)

    asked, direct, queries, direct_sparql = in_process(path, args)

    port = free_port()
    env = {**os.environ, "OGTGRAPH_WORKERS": str(args.workers)}
    api_targets = ["/api/collaborators?" + urllib.parse.urlencode({"organisation": o}) for o in asked]
    print(f"\nogtgraph serve ({args.workers} query workers), one client, keep-alive:")
    with serving(["ogtgraph", "serve", "--store", str(path), "--port", str(port)], port, "/openapi.json", env):
        api = http_latency(port, api_targets, "application/json")
        print(f"  /api/collaborators                        {summary(api)}")
        ours = endpoint_figures(port, queries, args)
    oxigraph = shutil.which("oxigraph")
    theirs: dict[str, tuple[list[float], float]] = {}
    if oxigraph is None:
        print("\noxigraph serve: the `oxigraph` command is not installed (pip install oxigraph); no comparison.")
    else:
        version = subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
        port = free_port()
        print(f"\n{version} serve-read-only --union-default-graph on the same store, one client, keep-alive:")
        with serving([oxigraph, "serve-read-only", "--location", str(path), "--union-default-graph",
                      "--bind", f"127.0.0.1:{port}"], port, "/query?query=ASK%7B%7D"):
            theirs = endpoint_figures(port, queries, args, endpoint="/query")
    ceiling(args)

    report(direct, api, direct_sparql, ours, theirs, args)


def in_process(path: Path, args: argparse.Namespace
               ) -> tuple[list[str], list[float], dict[str, list[str]], dict[str, list[float]]]:
    """The index, rank() and SPARQL run directly in this process; the store is closed again at the end."""
    store = GraphStore(path, read_only=True)
    loaded = [timed(lambda: collaborators.load_index(store)) for _ in range(2)]
    index = collaborators.load_index(store)
    print(f"\nIndex: {len(index.organisations):,} organisations, {len(index.projects):,} projects, "
          f"{len(index.by_topic)} topics; load_index {min(loaded) / 1000:.2f} s (best of 2)")
    popularity = sorted(((len(p), t) for t, p in index.by_topic.items()), reverse=True)
    print("  topics by projects: " + ", ".join(f"{t.rsplit('/', 1)[1]} {n:,}" for n, t in popularity[:4])
          + f" ... {popularity[-1][1].rsplit('/', 1)[1]} {popularity[-1][0]:,}")

    rng = random.Random(args.seed + 1)
    asked = rng.sample(sorted(o for o in index.organisations if o.startswith(ORG)), args.samples)
    direct = rank_latency(index, asked)
    print(f"\nrank() + as_json, limit 20, {len(asked)} organisations:  {summary(direct)}")
    filtered = rank_latency(index, asked[:50], cross_sector=True, jurisdiction="E92000001")
    print(f"  with cross-sector=true&jurisdiction=E92000001:           {summary(filtered)}")
    if percentile(direct, 95) > TARGET_P95_MS:
        profile(index, asked[:50])
    if percentile(filtered, 95) > TARGET_P95_MS:
        profile(index, asked[:50], cross_sector=True, jurisdiction="E92000001")

    topic = popularity[len(TOPICS) // 2][1].rsplit("/", 1)[1]
    queries = {name: [text % {"org": o, "topic": topic} for o in asked[:60]] for name, text in QUERIES.items()}
    queries["per-sector"] = queries["per-sector"][:15]
    queries["ask-empty"] = queries["ask-empty"][:30]
    print(f"\nSPARQL directly on pyoxigraph (GraphStore.query, union default graph), topic-page on {topic!r}:")
    direct_sparql = {name: direct_query_latency(store, name, texts) for name, texts in queries.items()}
    store.close()
    del index
    gc.collect()
    print("SPARQL through ogtgraph's query service in this process (a worker process, no HTTP):")
    service = SparqlService(path, workers=1)
    try:
        for name, texts in queries.items():
            request = [Request(t, parse_accept(JSON_RESULTS)) for t in texts]
            for r in request[:3]:
                service.run(r)
            times = [timed(lambda r=r: service.run(r)) for r in request]  # type: ignore[misc]
            print(f"  {name + ' (SparqlService.run)':<42}{summary(times)}")
    finally:
        service.close()
    return asked, direct, queries, direct_sparql


def rank_latency(index: collaborators.Index, asked: Sequence[str], **filters: object) -> list[float]:
    for org in asked[:5]:  # warm
        collaborators.as_json(collaborators.rank(index, organisation=org, **filters), index)  # type: ignore[arg-type]
    return [timed(lambda o=org: collaborators.as_json(  # type: ignore[misc]
        collaborators.rank(index, organisation=o, **filters), index)) for org in asked]  # type: ignore[arg-type]


def profile(index: collaborators.Index, asked: Sequence[str], **filters: object) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for org in asked:
        collaborators.as_json(collaborators.rank(index, organisation=org, **filters), index)  # type: ignore[arg-type]
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"  p95 is over {TARGET_P95_MS:g} ms: where rank({', '.join(f'{k}={v}' for k, v in filters.items())}) "
          f"spends its time ({len(asked)} calls, by own time):")
    for line in lines[start:]:
        print("    " + line.replace(str(REPO) + "/", ""))


def direct_query_latency(store: GraphStore, name: str, texts: Sequence[str]) -> list[float]:
    for text in texts[:3]:
        results.serialize(store.query(text), "json")
    times = [timed(lambda t=text: results.serialize(store.query(t), "json")) for text in texts]  # type: ignore[misc]
    print(f"  {name + ' (query + SPARQL JSON)':<42}{summary(times)}")

    return times


def endpoint_figures(port: int, queries: dict[str, list[str]], args: argparse.Namespace,
                     endpoint: str = "/sparql") -> dict[str, tuple[list[float], float]]:
    figures = {}
    for name, texts in queries.items():
        targets = [endpoint + sparql_target(t).removeprefix("/sparql") for t in texts]
        latency = http_latency(port, targets, JSON_RESULTS)
        rate = throughput(port, targets, JSON_RESULTS, clients=args.clients, seconds=args.seconds)
        print(f"  {name:<42}{summary(latency)}   {rate:7.1f} req/s ({args.clients} clients)")
        figures[name] = (latency, rate)
    return figures


async def constant_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The least an ASGI app on uvicorn can do for a query: answer a fixed ASK result, no routing, no store."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json")]})
    await send({"type": "http.response.body", "body": b'{"head":{},"boolean":false}'})


def ceiling(args: argparse.Namespace) -> None:
    """Requests a second of uvicorn itself (same settings as ogtgraph serve) answering a constant: the most
    any endpoint built on it can reach on this machine with this client, before it does any work."""
    port = free_port()
    here = str(Path(__file__).parent)
    code = (f"import sys; sys.path.insert(0, {here!r}); import uvicorn, collaborators_bench as b; "
            f"uvicorn.run(b.constant_app, host='127.0.0.1', port={port}, log_level='warning', access_log=False)")
    with serving([sys.executable, "-c", code], port, "/"):
        rate = throughput(port, ["/sparql?query=ASK%7B%7D"], JSON_RESULTS, clients=args.clients, seconds=args.seconds)
    print(f"\nuvicorn answering a constant (no app, no query), the ceiling of any ASGI endpoint here: "
          f"{rate:.0f} req/s ({args.clients} clients)")


def report(direct: list[float], api: list[float], direct_sparql: dict[str, list[float]],
           ours: dict[str, tuple[list[float], float]], theirs: dict[str, tuple[list[float], float]],
           args: argparse.Namespace) -> None:
    print("\nAgainst the targets")
    p95 = percentile(api, 95)
    print(f"  collaborator API p95 {p95:.1f} ms over HTTP (rank() alone {percentile(direct, 95):.1f} ms); "
          f"target < {TARGET_P95_MS:g} ms: {'met' if p95 < TARGET_P95_MS else 'NOT MET'}")
    for name, (latency, rate) in ours.items():
        overhead = percentile(latency, 50) - percentile(direct_sparql[name], 50)
        line = (f"  /sparql {name}: p50 {percentile(latency, 50):.2f} ms, "
                f"direct {percentile(direct_sparql[name], 50):.2f} ms (+{overhead:.2f} ms); {rate:.0f} req/s")
        if name in theirs:
            ratio = rate / theirs[name][1]
            line += (f" vs oxigraph serve {theirs[name][1]:.0f} req/s = {ratio:.2f}x; target >= {TARGET_THROUGHPUT}x: "
                     f"{'met' if ratio >= TARGET_THROUGHPUT else 'NOT MET'}")
        print(line)


if __name__ == "__main__":
    main()
