"""Shared fixtures: the fixture files, fresh stores in temporary folders, and the CLI driven in-process.

Every store is a real pyoxigraph store on disk under pytest's tmp_path; nothing of ogtgraph is mocked. The
environment is pointed at temporary folders so that no test ever reads or writes the user's default store.
"""

from __future__ import annotations

import gc
import io
import shutil
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result
from http_server import LiveServer, copy_store, running_server

from ogtgraph import publishing
from ogtgraph.cli import cli
from ogtgraph.config import Settings
from ogtgraph.formats import contribution_files
from ogtgraph.store import GraphStore

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
DATA = REPO / "data"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch ~/.local/share/ogtgraph: the default store lives in the test's own folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("OGTGRAPH_STORE", str(tmp_path / "env-store"))
    monkeypatch.delenv("OGTGRAPH_MAX_FILE_BYTES", raising=False)


@pytest.fixture
def fixtures() -> Path:
    """The folder of small named fixture files (valid/, invalid/, malformed/, batch/, reload/)."""
    return FIXTURES


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a fresh, empty store may be created."""
    return tmp_path / "store"


@pytest.fixture(scope="session")
def _data_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with every file of data/ loaded, built once per run, closed so that it can be copied."""
    path = tmp_path_factory.mktemp("template") / "store"
    store = GraphStore(path)
    outcomes = publishing.load(contribution_files([DATA]), store=store)
    assert all(o.loaded for o in outcomes), [str(o.error or o.report) for o in outcomes if not o.loaded]
    del store
    gc.collect()
    return path


@pytest.fixture
def loaded_store_path(_data_store_template: Path, tmp_path: Path) -> Path:
    """A store of this test's own, holding data/ (a copy of the session's template)."""
    path = tmp_path / "store"
    shutil.copytree(_data_store_template, path)
    return path


@pytest.fixture(scope="session")
def data_store(_data_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """One store holding data/, shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("shared") / "store"
    shutil.copytree(_data_store_template, path)
    return GraphStore(path)


def quads_snapshot(path: Path) -> list[str]:
    """Every quad of the store at ``path``, as sorted N-Quads lines (opened read-only, so nothing changes)."""
    store = GraphStore(path, read_only=True)
    out = io.BytesIO()
    store.export(out, "nquads")
    del store
    gc.collect()
    return sorted(line for line in out.getvalue().decode("utf-8").splitlines() if line.strip())


@pytest.fixture
def snapshot() -> Callable[[Path], list[str]]:
    return quads_snapshot


Invoke = Callable[..., Result]


def _release(result: Result) -> None:
    """Let go of the store a command opened: the result keeps the SystemExit's traceback, whose frames would
    keep the store (and its lock) alive in this process, as they never would in a real one."""
    if result.exc_info is not None and result.exc_info[2] is not None:
        traceback.clear_frames(result.exc_info[2])
    gc.collect()


@pytest.fixture
def run_cli(store_path: Path) -> Invoke:
    """Run ``ogtgraph COMMAND ARGS...`` in-process; ``--store`` is added for the commands that take one.

    ``store=`` overrides the store folder; ``store=None`` leaves the option out (the environment decides).
    """
    runner = CliRunner()
    default = object()

    def invoke(command: str, *args: str | Path, store: Path | None | object = default,
               env: dict[str, str] | None = None) -> Result:
        argv = [command, *map(str, args)]
        takes_store = any(p.name == "store_path" for p in cli.commands[command].params)
        chosen = store_path if store is default else store
        if takes_store and chosen is not None:
            argv += ["--store", str(chosen)]
        result = runner.invoke(cli, argv, env=env, catch_exceptions=False)
        _release(result)
        return result

    return invoke


def rdflib_graph(statements: object) -> rdflib.Graph:
    """An rdflib graph of the subject, predicate and object of each statement (the graph name is dropped)."""
    graph = rdflib.Graph()
    for s in statements:  # type: ignore[attr-defined]
        graph.add((_term(s.subject), _term(s.predicate), _term(s.object)))
    return graph


def _term(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


# ---------------------------------------------------------------- a real server over HTTP (tests/http_server.py)

SERVER_QUERY_TIMEOUT = 2.0  # seconds: short, so that the wall-clock limit is tested quickly


@pytest.fixture(scope="module")
def data_server(_data_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real uvicorn server (two query workers, a 2 s limit) over a store holding data/, once per module."""
    path = copy_store(_data_store_template, tmp_path_factory.mktemp("served") / "store")
    settings = Settings(store=path, query_timeout=SERVER_QUERY_TIMEOUT, max_rows=100_000, workers=2)
    with running_server(settings) as server:
        yield server
