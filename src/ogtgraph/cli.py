"""The ``ogtgraph`` command: thin click adapters over the core.

Exit codes: 0 all good; 1 a contribution does not conform; 2 unusable input or usage; 3 internal or store error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ogtgraph import areas, collaborators, publishing, queries, resources, results, summary
from ogtgraph.config import Settings
from ogtgraph.errors import InputError, NotFoundError, OgtGraphError
from ogtgraph.formats import contribution_files
from ogtgraph.namespaces import graph_iri
from ogtgraph.store import GraphStore
from ogtgraph.terminal import (
    collaborator_table,
    organisation_text,
    outcome_lines,
    outcomes_json,
    provenance_text,
    render_table,
    summary_text,
)

STORE_HELP = "The store folder (default: $OGTGRAPH_STORE, else ~/.local/share/ogtgraph/store)."
store_option = click.option("--store", "store_path", type=click.Path(path_type=Path), help=STORE_HELP)


class _Group(click.Group):
    """Turns ogtgraph's errors into a message and an exit code; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OgtGraphError as e:
            click.echo(f"ogtgraph: {e}", err=True)
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`ogtgraph export | head`): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(141)
        except KeyboardInterrupt:
            click.echo("ogtgraph: interrupted; the store is as it was before the interrupted step.", err=True)
            ctx.exit(130)
        except Exception as e:  # a bug of ours: say so plainly, without a traceback
            click.echo(f"ogtgraph: internal error ({type(e).__name__}: {e}). Please report it.", err=True)
            ctx.exit(3)


@click.group(cls=_Group)
@click.version_option(package_name="ogtgraph")
def cli() -> None:
    """ogtgraph: an open knowledge graph of open-government technology."""


def _settings(store_path: Path | None) -> Settings:
    return Settings.from_env(store=store_path)


@contextmanager
def _open(store_path: Path | None, *, read_only: bool) -> Iterator[GraphStore]:
    store = GraphStore(_settings(store_path).store, read_only=read_only)
    try:
        yield store
    finally:
        store.flush()


def _progress(total: int, label: str) -> Any:
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True,
                             hidden=total < 10 or not sys.stderr.isatty())


def _report(outcomes: Sequence[publishing.Outcome], fmt: str, action: str) -> None:
    if fmt == "json":
        click.echo(outcomes_json(outcomes))
        return
    for outcome in outcomes:
        click.echo("\n".join(outcome_lines(outcome, action=action)))
    good = sum(o.conforms for o in outcomes)
    click.echo(f"{good} of {len(outcomes)} file{'s' if len(outcomes) != 1 else ''} conform"
               + (f"; {sum(o.loaded for o in outcomes)} loaded" + _unchanged_count(outcomes) + "."
                  if action == "load" else "."))


def _unchanged_count(outcomes: Sequence[publishing.Outcome]) -> str:
    same = sum(o.unchanged for o in outcomes)
    return f", {same} unchanged" if same else ""


format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="How to print the report.")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@store_option
def validate(files: tuple[Path, ...], fmt: str, store_path: Path | None) -> None:
    """Check contribution FILES (or folders) against the shapes; nothing is loaded.

    Files checked together may refer to organisations described in each other; organisations already in
    the store (if there is one) count too.
    """
    paths = contribution_files(files)
    path = _settings(store_path).store
    store = GraphStore(path, read_only=True) if (path / "CURRENT").exists() else None
    with _progress(len(paths), "Validating") as bar:
        outcomes, _ = publishing.check(paths, store=store, max_bytes=_settings(store_path).max_file_bytes,
                                       progress=bar.update)
    _report(outcomes, fmt, "validate")
    sys.exit(publishing.exit_code(outcomes))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--graph", help="Name (or full IRI) of the graph for a single file; default: the file name.")
@click.option("--publisher", help="IRI of the publishing organisation; default: the lead organisation.")
@click.option("--force", is_flag=True, help="Reload files the store already holds unchanged.")
@format_option
@store_option
def load(files: tuple[Path, ...], graph: str | None, publisher: str | None, force: bool, fmt: str,
         store_path: Path | None) -> None:
    """Validate contribution FILES (or folders) and load each conforming one into its own graph.

    Loading a file of the same name again replaces its graph atomically; a file that does not conform
    is not loaded, and the store stays as it was for it.
    """
    paths = contribution_files(files)
    with _open(store_path, read_only=False) as store, _progress(len(paths) + 1, "Loading") as bar:
        outcomes = publishing.load(paths, store=store, graph=graph, publisher=publisher, force=force,
                                   max_bytes=_settings(store_path).max_file_bytes, progress=bar.update)
    _report(outcomes, fmt, "load")
    sys.exit(publishing.exit_code(outcomes))


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"-p {pair!r} is not NAME=VALUE.")
        values[name.strip()] = value
    return values


def _query_text(sparql: str | None, file: Path | None, name: str | None) -> queries.NamedQuery:
    if sum(x is not None for x in (sparql, file, name)) != 1:
        raise InputError("give exactly one of: a SPARQL query, --file F.rq, or --name NAME.")
    if name is not None:
        return queries.get(name)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{file}: cannot read the query file ({e}).") from e
        return queries.adhoc(text, source=str(file))
    return queries.adhoc(sparql or "", source="the query")


@cli.command()
@click.argument("sparql", required=False)
@click.option("--file", "file", type=click.Path(path_type=Path), help="Read the query from a .rq file.")
@click.option("--name", help="Run the named query queries/NAME.rq (see 'ogtgraph queries').")
@click.option("-p", "--param", "params", multiple=True, help="Bind a parameter: NAME=VALUE (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld"]),
              help="table for people; json, csv, tsv, xml: W3C SPARQL results; turtle... for CONSTRUCT.")
@store_option
def query(sparql: str | None, file: Path | None, name: str | None, params: tuple[str, ...], fmt: str,
          store_path: Path | None) -> None:
    """Run a SPARQL query over the union of all contributions."""
    named = _query_text(sparql, file, name)
    bound = named.bind(_parse_params(params))
    with _open(store_path, read_only=True) as store:
        result = store.query(named.text, substitutions=bound)
        if fmt == "table" and results.kind(result) != "graph":
            click.echo(render_table(results.table(result)))
        else:
            sys.stdout.buffer.write(results.serialize(result, "turtle" if fmt == "table" else fmt))
            sys.stdout.flush()


@cli.command(name="queries")
def list_queries() -> None:
    """List the named queries with their parameters."""
    for q in queries.catalogue().values():
        click.echo(f"{q.name}\n    {q.summary}")
        for p in q.params:
            click.echo(f"    -p {p.name}=...  ({p.type}{'' if p.required else ', optional'}) {p.doc}")


@cli.command(name="list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def list_graphs(fmt: str, store_path: Path | None) -> None:
    """List the contributions in the store, with their provenance."""
    with _open(store_path, read_only=True) as store:
        records = [p for p in store.provenance() if p.kind == "contribution"]
    click.echo(provenance_text(records, fmt))


@cli.command()
@click.argument("graph")
@store_option
def remove(graph: str, store_path: Path | None) -> None:
    """Remove the contribution GRAPH (its name or full IRI) and its provenance."""
    iri = graph if ":" in graph else graph_iri(graph)
    with _open(store_path, read_only=False) as store:
        store.remove(iri)
    click.echo(f"removed <{iri}>")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to a file instead of stdout.")
@store_option
def export(fmt: str, output: Path | None, store_path: Path | None) -> None:
    """Write every graph in the store, with its graph names, as N-Quads or TriG."""
    with _open(store_path, read_only=True) as store:
        if output is None:
            store.export(sys.stdout.buffer, fmt)
            sys.stdout.flush()
            return
        try:
            with output.open("wb") as handle:
                store.export(handle, fmt)
        except OSError as e:
            raise InputError(f"{output}: cannot write the export ({e.strerror or e}).") from e


@cli.group(name="areas")
def areas_group() -> None:
    """Reference lists of areas (GSS codes and their hierarchy)."""


@areas_group.command(name="import")
@click.argument("path", type=click.Path(path_type=Path))
@store_option
def import_areas(path: Path, store_path: Path | None) -> None:
    """Import UK local authority areas from mySociety's uk_local_authorities.csv at PATH (replaces an earlier
    import): names, GSS codes, types, and the county / combined authority / region / nation each lies in."""
    with _open(store_path, read_only=False) as store:
        count = areas.import_areas(path, store)
    click.echo(f"imported {count} areas from {path} into <{areas.AREAS_GRAPH}>")


@cli.command(name="import")
@click.argument("kind", metavar="KIND")
@click.argument("path", type=click.Path(path_type=Path))
@store_option
def import_register(kind: str, path: Path, store_path: Path | None) -> None:
    """Import a public register from PATH: KIND is one of local-authorities, digital-land, govuk-organisations,
    universities, digital-public-goods. Importing the same kind again replaces it; see the README for where to
    get each file."""
    from ogtgraph import registers
    from ogtgraph.registers.base import STEPS

    register = registers.register(kind)  # an unknown kind fails before the store is opened
    with _open(store_path, read_only=False) as store:
        with _progress(len(STEPS), f"Importing {register.title}") as bar:
            counts = registers.import_file(kind, path, store, progress=lambda _: bar.update(1))
    other = "".join(f", {n:,} {what}" for what, n in sorted(counts.other.items()))
    click.echo(f"imported {counts.organisations:,} organisations ({counts.closed:,} closed), "
               f"{counts.identifiers:,} identifiers{other} from {path} into <{register.graph}>")


@cli.command()
@click.argument("identifier", metavar="SCHEME:VALUE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@store_option
def lookup(identifier: str, fmt: str, store_path: Path | None) -> None:
    """The one organisation with IDENTIFIER (gss:E08000035, govuk:cabinet-office, ukprn:10007795,
    wikidata:Q6515870 ...), with everything the registers and contributions say of it."""
    from ogtgraph import catalogue, identifiers

    scheme, value = identifiers.parse(identifier)
    with _open(store_path, read_only=True) as store:
        index = collaborators.load_index(store)
    found = catalogue.organisations(index, catalogue.Filters(identifier=f"{scheme.name}:{value}"))
    if not found:
        raise NotFoundError(f"no organisation in the store has the identifier {scheme.name}:{value}; "
                            f"import the {scheme.label} register, or check the value.")
    data = catalogue.organisation_json(index, found[0])
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(organisation_text(data))


@cli.command(name="collaborators")
@click.argument("organisation")
@click.option("--topic", help="Only this topic (code or IRI).")
@click.option("--sector", "sectors", multiple=True, help="Only organisations in this sector (repeatable).")
@click.option("--jurisdiction", help="Only organisations in this area or inside it (GSS code or IRI).")
@click.option("--cross-sector", is_flag=True, help="Only organisations in other sectors.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 500))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
def find_collaborators(organisation: str, topic: str | None, sectors: tuple[str, ...], jurisdiction: str | None,
                       cross_sector: bool, limit: int, fmt: str, store_path: Path | None) -> None:
    """Organisations to work with, for ORGANISATION (its IRI or part of its name), with the reasons."""
    with _open(store_path, read_only=True) as store:
        index = collaborators.load_index(store)
    me = collaborators.find_organisation(index, organisation)
    ranked = collaborators.rank(index, organisation=me, topic=topic, sectors=sectors, jurisdiction=jurisdiction,
                                cross_sector=cross_sector, limit=limit)
    if fmt == "json":
        click.echo(json.dumps(collaborators.as_json(ranked, index), indent=2))
        return
    click.echo(f"Collaborators for {index.organisations[me].name} <{me}>")
    click.echo(render_table(collaborator_table(ranked)))


@cli.command(name="summary")
@store_option
def show_summary(store_path: Path | None) -> None:
    """Load the bundled data into the store if it has no contributions yet, then print what it holds."""
    with _open(store_path, read_only=False) as store:
        _load_bundled(store)
        click.echo(summary_text(summary.summarise(store), location=str(store.path)))


def _load_bundled(store: GraphStore) -> None:
    files = len(contribution_files([resources.folder("data")]))
    with _progress(files + 1, "Loading bundled data") as bar:
        outcomes = publishing.load_bundled_if_empty(store, progress=bar.update)
    for outcome in outcomes or []:
        if not outcome.conforms:
            click.echo("\n".join(outcome_lines(outcome, action="load")), err=True)


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--query-timeout", type=float, help="Seconds a query may run (default $OGTGRAPH_QUERY_TIMEOUT or 30).")
def serve(store_path: Path | None, host: str, port: int, query_timeout: float | None) -> None:
    """Serve the SPARQL endpoint (/sparql) and the API (/api, docs at /docs) over the store.

    With an empty store, the bundled contributions are loaded first.
    """
    import uvicorn

    from ogtgraph.api import create_app

    settings = Settings.from_env(store=store_path, query_timeout=query_timeout)
    store = GraphStore(settings.store)
    _load_bundled(store)
    store.close()
    click.echo(f"ogtgraph: serving {settings.store} at http://{host}:{port}/sparql", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def main() -> None:
    cli(prog_name="ogtgraph")

