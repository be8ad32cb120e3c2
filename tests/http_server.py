"""A real ogtgraph server for tests: uvicorn on a free loopback port, in a background thread.

``running_server(settings)`` starts ``create_app(settings)`` under a real ``uvicorn.Server`` (its lifespan
starts the query worker processes), waits until it answers HTTP, yields a :class:`LiveServer`, and stops it
afterwards (``should_exit``, then join). Nothing of ogtgraph is mocked: requests go over TCP to the real app.
"""

from __future__ import annotations

import gc
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn

from ogtgraph import publishing
from ogtgraph.api import create_app
from ogtgraph.config import Settings
from ogtgraph.formats import contribution_files
from ogtgraph.store import GraphStore

STARTUP_LIMIT = 60.0  # seconds to wait for the app (and its spawned workers) to answer


@dataclass(frozen=True)
class LiveServer:
    """A running server: where it listens, and the settings it was built with."""

    url: str
    settings: Settings

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def client(self, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, *, limit: float = STARTUP_LIMIT, alive: Callable[[], bool] | None = None) -> None:
    """Poll ``url`` until it answers HTTP at all (any status), for at most ``limit`` seconds; stop early if
    ``alive()`` says the server is gone."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"the server stopped before {url} answered (see its log).")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # an HTTP answer, even an error, means the server is up
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"the server at {url} did not answer within {limit:g} s.")


@contextmanager
def running_server(settings: Settings) -> Iterator[LiveServer]:
    """Serve ``create_app(settings)`` with uvicorn on a free loopback port until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while not server.started:  # the lifespan (worker processes) has finished starting
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {url} (the app's start-up failed or took too long).")
            time.sleep(0.05)
        wait_until_answering(f"{url}/openapi.json", alive=thread.is_alive)
        yield LiveServer(url, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        assert not thread.is_alive(), f"the server on {url} did not stop within 30 s"


def load_data_store(path: Path, data: Path) -> Path:
    """A store at ``path`` holding every contribution in ``data``, closed so that workers may open it."""
    store = GraphStore(path)
    outcomes = publishing.load(contribution_files([data]), store=store)
    assert all(o.loaded for o in outcomes), [str(o.error or o.report) for o in outcomes if not o.loaded]
    store.close()
    del store
    gc.collect()
    return path


def copy_store(template: Path, path: Path) -> Path:
    """A copy of a closed store (cheaper than loading the data again)."""
    shutil.copytree(template, path)
    return path



def store_quads(path: Path) -> list[str]:
    """Every quad of the store at ``path`` as sorted N-Quads-like strings, read through a read-only opening
    (which the serving processes' own read-only openings allow), released at once."""
    store = ox.Store.read_only(str(path))
    try:
        return sorted(str(quad) for quad in store)
    finally:
        del store
