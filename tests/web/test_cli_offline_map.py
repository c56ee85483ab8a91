"""`safepassage demo` and `safepassage plan --html FILE` write the offline map, which opens from
file:// with the network blocked and shows the plan's routes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safepassage.services.planning import demo_scenario_path
from web._browser import layer_counts, opened_page

pytestmark = pytest.mark.slow


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "safepassage", *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_demo_and_plan_write_the_offline_map(browser: Any, demo_planned: Any, tmp_path: Path) -> None:
    out = _run("demo", "--out", str(tmp_path / "demo"))
    assert "map.html" in out
    html = tmp_path / "plan-map.html"
    printed = _run("plan", str(demo_scenario_path()), "-o", str(tmp_path / "plan.json"), "--html", str(html))
    assert "offline map" in printed
    routes = len({(m.mode, tuple(m.path)) for m in demo_planned.plan.movements})
    for path in (tmp_path / "demo" / "map.html", html):
        with opened_page(browser, path.as_uri()) as (page, blocked, errors):
            counts = layer_counts(page)
            assert counts["routes"] == routes
            assert counts["origins"] == len(demo_planned.scenario.origins)
            assert blocked.urls == []
            assert errors == []
