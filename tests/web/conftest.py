"""Fixtures of the map page's tests: Debian's Chromium driven by Playwright, `safepassage serve --demo`.

See tests/web/_browser.py: Playwright launches /usr/bin/chromium and never downloads a browser; a
missing Chromium FAILS the tests (never a skip); every page runs with the outside blocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web._browser import CHROMIUM, CHROMIUM_ARGS, DemoServer, cli, free_port, wait_for_plan


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (fails, never skips, when it is missing)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(scripts/test-services installs it when run as root; or: apt-get install chromium). "
            "Playwright must not download a browser."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`safepassage serve --demo` on 127.0.0.1 (a free port, a fresh SQLite store), with the tokens
    of a reporter and a coordinator (`safepassage users add`)."""
    folder = tmp_path_factory.mktemp("serve-demo")
    db_url = f"sqlite:///{folder / 'demo.sqlite'}"
    port = free_port()
    log = folder / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "safepassage", "serve", "--demo", "--db", db_url,
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    server = DemoServer(f"http://127.0.0.1:{port}", db_url, process)
    try:
        wait_for_plan(server, log)
        for name, role in (("field-reporter", "reporter"), ("coordinator", "coordinator")):
            printed = cli("users", "add", name, "--role", role, "--db", db_url)
            server.tokens[role] = printed.strip().splitlines()[-1].strip()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder screenshots are saved in."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def demo_planned() -> Any:
    """The bundled demo scenario planned (services.planning.plan_scenario): scenario, networks, plan."""
    from safepassage.services.planning import demo_scenario_path, plan_scenario
    from safepassage.services.scenarios import load_scenario_file

    return plan_scenario(load_scenario_file(demo_scenario_path()))


@pytest.fixture(scope="session")
def demo_feed_reports() -> list[Any]:
    """The reports of the bundled incident feed (helsinki-incidents.geojson), read by the feed reader."""
    from safepassage.monitor.feeds import iter_feed
    from safepassage.monitor.report import IncidentReport
    from safepassage.services.planning import demo_scenario_path

    feed = demo_scenario_path().with_name("helsinki-incidents.geojson")
    return [r for r in iter_feed(feed) if isinstance(r, IncidentReport)]
