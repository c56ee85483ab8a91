"""Helpers of the map page's browser tests: the outside blocked, a demo server, pages, layer counts.

Playwright never downloads a browser here: it launches /usr/bin/chromium (Debian's package, which
``scripts/test-services`` installs when it is missing and we are root). Without it the browser tests
FAIL with a message saying how to install it; they never skip.

Every page runs with the network to the outside blocked (:func:`block_outside`): a request to any
host but 127.0.0.1/localhost (or a file:/data: URL) is aborted and recorded, and the tests assert
that none was even attempted.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 240.0
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Blocked:
    """Requests aborted because they went outside this machine."""

    urls: list[str] = field(default_factory=list)


def block_outside(context: Any) -> Blocked:
    """Abort (and record) every request of ``context`` to a host that is not loopback."""
    blocked = Blocked()

    def handle(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("file", "data", "blob", "about") or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.urls.append(url)
            route.abort()

    context.route("**/*", handle)
    return blocked


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoServer:
    """A running `safepassage serve --demo` and what the tests need of it."""

    base_url: str
    db_url: str
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def get_json(self, path: str, token: str | None = None) -> Any:
        request = urllib.request.Request(self.base_url + path)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "safepassage", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"safepassage {' '.join(args)} failed: {done.stdout}{done.stderr}"
    return done.stdout


def wait_for_plan(server: DemoServer, log: Path) -> None:
    """Until /api/map answers with the demo's plan (planned in the background at start-up)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            code = server.process.returncode
            pytest.fail(f"safepassage serve --demo exited with {code}: {log.read_text()}")
        try:
            bundle = server.get_json("/api/map")
            if bundle.get("plan"):
                return
            last = "no plan yet"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = str(exc)
        time.sleep(0.5)
    pytest.fail(f"serve --demo not ready after {SERVER_START_TIMEOUT_S:.0f} s ({last}): {log.read_text()}")


@contextlib.contextmanager
def opened_page(
    browser: Any, url: str, *, locale: str = "en-GB", width: int = 1280, height: int = 860, token: str = ""
) -> Iterator[tuple[Any, Blocked, list[str]]]:
    """A new page at ``url`` with the outside blocked, ``token`` saved, ready once the map is drawn;
    yields (page, blocked requests, console errors)."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    blocked = block_outside(context)
    errors: list[str] = []
    if token:
        context.add_init_script(f"window.localStorage.setItem('safepassage-token', {json.dumps(token)});")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        yield page, blocked, errors
    finally:
        context.close()


def layer_counts(page: Any) -> dict[str, int]:
    """Features drawn per layer, counted from the SVG elements Leaflet put in the page."""
    selectors = {
        "corridors": "path.sp-corridor",
        "closures": "path.sp-closure",
        "routes": "path.sp-route",
        "groups": "path.sp-group",
        "incidents": "path.sp-incident",
        "origins": "path.sp-origin",
        "destinations": "path.sp-destination",
        "roads": "path.sp-road",
    }
    return {name: page.locator(css).count() for name, css in selectors.items()}
