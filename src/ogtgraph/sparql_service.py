"""Read-only SPARQL over a store, with a wall-clock limit and a row cap, in worker processes.

pyoxigraph has no query timeout: a query runs to its end unless its process dies. So queries run in worker
processes, each holding the store open read-only (the serving process never writes while serving); a query
that passes the limit has its worker killed and replaced, and the caller gets :class:`QueryTimeout`, while
the other workers go on serving. A SELECT is first counted (stopping at the cap + 1) and then serialised,
so a result over the cap is refused without ever being held in memory.

The web app calls :meth:`SparqlService.answer` on its event loop: the request goes down the worker's pipe and
the loop waits for the pipe to become readable, so a small query costs no thread hop; a worker reply is a
small header then the body, and a large body is read in a thread so that it never holds up the loop.
"""

from __future__ import annotations

import asyncio
import collections
import io
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ogtgraph.errors import (
    Busy,
    InternalError,
    NotAcceptable,
    OgtGraphError,
    QueryError,
    QueryTimeout,
    StoreError,
    TooManyRows,
)
from ogtgraph.negotiation import BOOLEAN, GRAPH, SOLUTIONS, Range, choose


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Request:
    query: str
    accept: list[Range]
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: dict[str, Any] | None = None  # variable name -> RDF term (named queries' parameters)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's address)


class SparqlService:
    """A pool of query workers over the store at ``path``."""

    def __init__(self, path: Path, *, workers: int = 2, timeout: float = 30.0, max_rows: int = 100_000):
        self.path = path
        self.timeout = timeout
        self.max_rows = max_rows
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._waiters: collections.deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[_Worker]]] = \
            collections.deque()
        self._closed = False
        for _ in range(max(1, workers)):
            self._idle.put(self._start())

    def run(self, request: Request) -> Answer:
        """Run a query; raises QueryError (bad query), NotAcceptable, TooManyRows, QueryTimeout or Busy."""
        started = time.monotonic()
        worker: _Worker | None = self._take(self.timeout)
        assert worker is not None
        try:
            worker.conn.send((request, self.max_rows))
            if not worker.conn.poll(max(0.0, self.timeout - (time.monotonic() - started))):
                self._replace(worker)
                worker = None
                raise self._timeout()
            kind, payload, size = worker.conn.recv()
            body = worker.conn.recv_bytes() if size >= 0 else b""
        except (EOFError, OSError) as e:
            failed, worker = worker, None
            if failed is not None:
                self._replace(failed)
            raise _failed(e) from e
        finally:
            if worker is not None:
                self._release(worker)
        return _answer(kind, payload, body, self.max_rows)

    async def answer(self, request: Request) -> Answer:
        """:meth:`run` for an event loop: it waits on the worker's pipe, not in a thread."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        worker: _Worker | None = await self._take_async(loop)
        assert worker is not None
        try:
            worker.conn.send((request, self.max_rows))
            if not await _readable(loop, worker.conn, self.timeout - (loop.time() - started)):
                await loop.run_in_executor(None, self._replace, worker)
                worker = None
                raise self._timeout()
            kind, payload, size = worker.conn.recv()
            if size < 0:
                body = b""
            elif size < _READ_IN_LOOP:
                body = worker.conn.recv_bytes()
            else:
                body = await loop.run_in_executor(None, worker.conn.recv_bytes)
        except (EOFError, OSError) as e:
            failed, worker = worker, None
            if failed is not None:
                await loop.run_in_executor(None, self._replace, failed)
            raise _failed(e) from e
        except asyncio.CancelledError:  # the reply may still come down this pipe: the worker cannot be reused
            failed, worker = worker, None
            if failed is not None:
                loop.run_in_executor(None, self._replace, failed)
            raise
        finally:
            if worker is not None:
                self._release(worker)
        return _answer(kind, payload, body, self.max_rows)

    async def _take_async(self, loop: asyncio.AbstractEventLoop) -> _Worker:
        """An idle worker, or the next one given back (handed over by :meth:`_release`), within the limit."""
        with self._lock:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                waiting: asyncio.Future[_Worker] = loop.create_future()
                self._waiters.append((loop, waiting))
        try:
            return await asyncio.wait_for(waiting, self.timeout)
        except TimeoutError:
            raise self._busy() from None

    def _release(self, worker: _Worker) -> None:
        """Give a worker back: to the first request still waiting for one, else to the idle queue."""
        with self._lock:
            while self._waiters:
                loop, waiting = self._waiters.popleft()
                if not waiting.done():
                    loop.call_soon_threadsafe(self._hand, waiting, worker)
                    return
            self._idle.put(worker)

    def _hand(self, waiting: asyncio.Future[_Worker], worker: _Worker) -> None:
        if waiting.done():  # it gave up meanwhile
            self._release(worker)
        else:
            waiting.set_result(worker)

    def _take(self, timeout: float) -> _Worker:
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise self._busy() from None

    def _busy(self) -> Busy:
        return Busy(f"every query worker is busy; try again in a moment (limit {self.timeout:g} s).")

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran for more than {self.timeout:g} s and was stopped; "
                            "narrow it (LIMIT, more specific patterns) or ask for a longer limit.")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            worker.process.kill()
            worker.process.join(timeout=5)

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, str(self.path)), daemon=True,
                                        name="ogtgraph-query")
        process.start()
        child.close()
        try:
            ready = parent.recv() if parent.poll(60) else "no answer"
        except EOFError:
            ready = "the worker stopped"
        if ready != "ready":
            process.kill()
            raise StoreError(f"a query worker could not open the store at {self.path} ({ready}).")
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        if not self._closed:
            self._release(self._start())


@dataclass
class _Worker:
    process: Any
    conn: Connection


def _failed(error: BaseException) -> StoreError:
    return StoreError(f"a query worker failed ({error}); the query was not answered.")


_READ_IN_LOOP = 1 << 20  # bodies up to this size are read on the event loop


async def _readable(loop: asyncio.AbstractEventLoop, conn: Connection, timeout: float) -> bool:
    """Whether ``conn`` has something to read within ``timeout`` seconds, waiting on the event loop."""
    if conn.poll(0):
        return True
    ready = loop.create_future()
    fd = conn.fileno()
    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    loop.add_reader(fd, wake)
    try:
        return await asyncio.wait_for(ready, max(0.0, timeout))
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # uvloop makes the descriptor non-blocking; Connection expects blocking


def _answer(kind: str, payload: Any, body: bytes, max_rows: int) -> Answer:
    if kind == "ok":
        return Answer(payload, body)
    if kind == "syntax":
        raise QueryError(f"the query is not valid SPARQL: {payload}")
    if kind == "update":
        raise QueryError(str(payload))
    if kind == "406":
        raise NotAcceptable(f"the result can be served as {payload}; none of them is acceptable to the client.")
    if kind == "rows":
        raise TooManyRows(f"the result has more than {max_rows:,} rows; add LIMIT (and OFFSET to page).")
    raise InternalError(f"the query failed: {payload}")


# ---------------------------------------------------------------- in the worker process


def _serve(conn: Connection, path: str) -> None:
    from ogtgraph.store import GraphStore

    try:
        store = GraphStore(Path(path), read_only=True)
    except OgtGraphError as e:
        conn.send(f"error: {e}")
        return
    conn.send("ready")
    while True:
        try:
            request, max_rows = conn.recv()
        except EOFError:
            return
        kind, payload = _execute(store, request, max_rows)
        if kind == "ok":  # a small header, then the body as it is
            media, body = payload
            conn.send((kind, media, len(body)))
            conn.send_bytes(body)
        else:
            conn.send((kind, payload, -1))


def _execute(store: Any, request: Request, max_rows: int) -> tuple[str, Any]:
    from ogtgraph import results

    def run() -> Any:
        return store.query(request.query, default_graphs=request.default_graphs, named_graphs=request.named_graphs,
                           substitutions=request.substitutions, base_iri=request.base_iri)

    try:
        result = run()
    except QueryError as e:
        return "syntax", str(e).removeprefix("the query is not valid SPARQL: ")
    except (OgtGraphError, ValueError, RuntimeError, OSError) as e:
        return "error", str(e)
    kind = results.kind(result)
    offers = GRAPH if kind == "graph" else BOOLEAN if kind == "boolean" else SOLUTIONS
    chosen = choose(request.accept, offers)
    if chosen is None:
        return "406", ", ".join(offers)
    media, fmt = chosen
    try:
        if kind != "solutions":
            return "ok", (media, results.serialize(result, fmt))
        body = _capped(result, fmt, max_rows * 2048)
        if body is None:  # unusually large: count without keeping it, then serialise again if within the cap
            if sum(1 for _, __ in zip(run(), range(max_rows + 1), strict=False)) > max_rows:
                return "rows", max_rows
            return "ok", (media, results.serialize(run(), fmt))
        if results.count_solutions(body, fmt) > max_rows:
            return "rows", max_rows
        return "ok", (media, body)
    except (OgtGraphError, ValueError, RuntimeError, OSError) as e:
        return "error", str(e)


class _TooBig(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A write-only buffer that gives up past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooBig()
        self.parts.append(bytes(data))
        return len(data)


def _capped(result: Any, fmt: str, limit: int) -> bytes | None:
    """The serialised result, or None past ``limit`` bytes (one execution, in pyoxigraph's serialiser)."""
    from ogtgraph import results

    buffer = _Bounded(limit)
    try:
        results.serialize_into(result, fmt, buffer)
    except _TooBig:
        return None
    except OSError as e:
        if isinstance(e.__context__, _TooBig) or "_TooBig" in repr(e):
            return None
        raise
    return b"".join(buffer.parts)
