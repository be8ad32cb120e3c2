"""Text for a terminal: tables and validation reports. Used by the CLI only."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from typing import Any

from ogtgraph.collaborators import Candidate
from ogtgraph.namespaces import short
from ogtgraph.publishing import Outcome
from ogtgraph.results import Table
from ogtgraph.store import Provenance
from ogtgraph.summary import Summary

_MAX_CELL = 60


def render_table(table: Table, *, width: int | None = None) -> str:
    """A plain-text table; long cells are cut with an ellipsis to fit."""
    width = width or shutil.get_terminal_size((160, 24)).columns
    cells = [[_cut(c) for c in row] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(table.columns)]
    line = "  ".join(h.ljust(w) for h, w in zip(table.columns, widths, strict=True)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    count = f"({len(cells)} row{'s' if len(cells) != 1 else ''})"
    return "\n".join([line, rule, *body, count])


def _cut(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def outcome_lines(outcome: Outcome, *, action: str) -> list[str]:
    """How one file went, for people: a status line, then each finding indented."""
    if outcome.error is not None:
        return [f"error    {outcome.error}"]
    if outcome.unchanged:
        return [f"unchanged {outcome.source} (the store already holds this file; --force reloads it)"]
    assert outcome.report is not None
    if outcome.conforms:
        done = ("replaced" if outcome.replaced else "loaded") if outcome.loaded else "conforms"
        head = [f"{done:<8} {outcome.source}" + (f" -> <{outcome.graph}>" if outcome.loaded else "")]
    else:
        head = [f"{'rejected' if action == 'load' else 'fails':<8} {outcome.source} "
                f"({len(outcome.report.violations)} problem{'s' if len(outcome.report.violations) != 1 else ''})"]
    return head + [f"  - {line}" for line in outcome.report.lines()]


def outcomes_json(outcomes: Sequence[Outcome]) -> str:
    """The same as the text report, as a JSON list, one object a file."""
    items = []
    for o in outcomes:
        item: dict[str, object] = {"source": o.source, "conforms": o.conforms}
        if o.error is not None:
            item["error"] = {"code": o.error.code, "message": str(o.error)}
        if o.report is not None:
            item["results"] = o.report.as_json()["results"]
        if o.graph is not None:
            item["graph"] = o.graph
        item["loaded"] = o.loaded
        item["unchanged"] = o.unchanged
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def provenance_text(records: Sequence[Provenance], fmt: str) -> str:
    """The contributions in a store, as a table or a JSON list."""
    if fmt == "json":
        return json.dumps([r.__dict__ for r in records], indent=2)
    rows = [[r.graph.rsplit("/", 1)[-1], r.source, r.media_type, str(r.triples), r.loaded_at, r.publisher or "",
             r.sha256[:12]] for r in records]
    return render_table(Table(["name", "source", "format", "triples", "loaded", "publisher", "sha256"], rows))


def summary_text(summary: Summary, *, location: str) -> str:
    """A short account of what a store holds."""
    lines = [
        f"Store: {location}",
        f"{summary.contributions} contributions, {summary.organisations} organisations, {summary.projects} projects",
        "",
        "Organisations by sector:",
        *[f"  {n:>5}  {label}" for label, n in summary.sectors],
        "",
        "Projects by topic:",
        *[f"  {n:>5}  {label}" for label, n in summary.topics],
    ]
    return "\n".join(lines)


def collaborator_table(ranked: Sequence[Candidate]) -> Table:
    """Ranked collaborators, one line each, the reasons shortened to their kinds and topics."""
    rows = []
    for place, candidate in enumerate(ranked, 1):
        reasons = ", ".join(
            f"{r['kind']}" + (f" ({r['topic']})" if "topic" in r else "") for r in candidate.reasons)
        org = candidate.organisation
        rows.append([str(place), org.name, " ".join(sorted(short(s) for s in org.sectors)),
                     " ".join(sorted(short(a) for a in org.areas)), f"{candidate.score:.2f}", reasons])
    return Table(["#", "organisation", "sector", "area", "score", "why"], rows)


def organisation_text(data: dict[str, Any]) -> str:
    """One organisation (catalogue JSON) for the terminal: what it is, its identifiers, and who says what."""
    lines = [f"{data['name']}  <{data['id']}>"]
    for label, key in (("sector", "sector"), ("jurisdiction", "jurisdiction"), ("status", "status"),
                       ("identifiers", "identifier"), ("same as", "sameAs"), ("projects", "projects")):
        value = data.get(key)
        if value:
            lines.append(f"  {label + ':':<14}{', '.join(value) if isinstance(value, list) else value}")
    for stated in data.get("statedBy", []):
        lines.append(f"  {stated['property'] + ':':<14}{stated['value']}  (in <{stated['graph']}>)")
    return "\n".join(lines)
