"""Generate synthetic, conforming contributions for benchmarks: N files of about 100 triples each.

Topics follow a skewed (Zipf-like) popularity, as real topics do; organisations reference each other across
files so that validation must resolve references from the batch and the store.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SECTORS = ["local-government", "central-government", "health", "utility", "higher-education", "civic-tech",
           "voluntary-sector", "private-sector", "transport", "standards-body"]
TOPICS = ["open-data", "open-source", "data-standards", "service-design", "digital-inclusion", "procurement",
          "climate", "transport", "health-and-care", "housing", "smart-places", "digital-collaboration"]
PHASES = ["discovery", "alpha", "beta", "live", "retired"]
AREAS = ["E08000035", "E08000032", "E08000033", "E08000034", "E08000036", "E08000003", "E08000007",
         "E10000021", "E07000178", "E10000012", "E47000003", "E12000003", "E92000001"]
ORG = "https://w3id.org/ogtgraph/id/org/gen-"
PROJECT = "https://w3id.org/ogtgraph/id/project/gen-"


def skewed(rng: random.Random, items: list[str], k: int) -> list[str]:
    weights = [1 / (i + 1) for i in range(len(items))]
    return sorted(set(rng.choices(items, weights=weights, k=k)))


def contribution(i: int, n: int, rng: random.Random) -> dict[str, object]:
    """One publisher: its organisation and three projects (about 100 triples)."""
    org = f"{ORG}{i}"
    graph: list[dict[str, object]] = [{
        "id": org, "type": "Organisation", "name": f"Generated organisation {i}",
        "sector": rng.choice(SECTORS), "jurisdiction": rng.choice(AREAS), "url": f"https://org{i}.example.org/",
    }]
    for j in range(3):
        others = [f"{ORG}{rng.randrange(max(i, 1))}" for _ in range(2)] if i else []
        graph.append({
            "id": f"{PROJECT}{i}-{j}", "type": "Project", "name": f"Generated project {i}-{j}",
            "description": f"A generated project number {j} of organisation {i}, for benchmarks.",
            "leadOrganisation": org, "partner": others, "topic": skewed(rng, TOPICS, 3),
            "phase": rng.choice(PHASES), "startDate": f"20{10 + j}-0{1 + j}-01", "endDate": f"20{20 + j}-12-31",
            "url": f"https://org{i}.example.org/projects/{j}", "department": "Digital Services",
            "collaborationLevel": "share-knowledge", "budgetBand": "unknown",
            "contactPoint": [{"type": "Contact", "name": "Digital team",
                              "email": f"mailto:digital@org{i}.example.org"}],
            "statusUpdate": [{"type": "StatusUpdate", "date": "2021-01-01", "text": "Started."}],
        })
    return {"@context": "https://w3id.org/ogtgraph/context.jsonld", "@graph": graph}


def write(folder: Path, n: int, *, seed: int = 7) -> list[Path]:
    """Write ``n`` contributions into ``folder``, each naming only organisations of earlier files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"gen-{i:05d}.jsonld"
        path.write_text(json.dumps(contribution(i, n, rng), indent=1), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    import sys

    print(len(write(Path(sys.argv[1]), int(sys.argv[2]))))
