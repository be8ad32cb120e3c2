"""Headless Chromium for page tests, driven over the Chrome DevTools Protocol (a websocket, no extra packages).

``headless_browser()`` starts Debian's ``chromium`` with a throw-away profile, connects to its first page and
yields a :class:`Browser` that can open a URL, run JavaScript in the page and wait for a condition. Chromium is
installed by ``.ci/run``; where it is missing the page tests are skipped, except in CI, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

START_LIMIT = 30.0  # seconds for Chromium to open its debugging port
STEP_LIMIT = 15.0  # seconds for any one page action or condition


def chromium() -> str:
    """The Chromium executable; skips the test where there is none (fails in CI, where .ci/run installs it)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = "no Chromium here: .ci/run installs Debian's chromium package (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Browser:
    """One page of a headless Chromium."""

    def __init__(self, socket: ClientConnection):
        self._socket = socket
        self._next = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events meanwhile are passed over)."""
        self._next += 1
        wanted = self._next
        self._socket.send(json.dumps({"id": wanted, "method": method, "params": params}))
        deadline = time.monotonic() + STEP_LIMIT
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv(timeout=STEP_LIMIT))
            if message.get("id") == wanted:
                if "error" in message:
                    raise AssertionError(f"{method} failed in the browser: {message['error']}")
                return dict(message.get("result", {}))
        raise AssertionError(f"{method}: no answer from the browser within {STEP_LIMIT:g} s")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Go to ``url`` and wait until the document has loaded."""
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && document.location.href !== 'about:blank'")

    def wait_for(self, condition: str) -> Any:
        """Evaluate ``condition`` until it is truthy (at most STEP_LIMIT seconds); its value."""
        deadline = time.monotonic() + STEP_LIMIT
        while time.monotonic() < deadline:
            value = self.evaluate(condition)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"the page never satisfied {condition!r} within {STEP_LIMIT:g} s")


@contextmanager
def headless_browser() -> Iterator[Browser]:
    executable = chromium()
    profile = Path(tempfile.mkdtemp(prefix="ogtgraph-chromium-"))
    process = subprocess.Popen(
        [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_LIMIT
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"Chromium did not start (exit {process.poll()}).")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=STEP_LIMIT) as answer:
            pages = [t for t in json.load(answer) if t.get("type") == "page"]
        with connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=STEP_LIMIT) as socket:
            browser = Browser(socket)
            browser.call("Page.enable")
            yield browser
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)
