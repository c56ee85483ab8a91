"""End-to-end tests of ``safepassage validate``, ``route`` and ``demo`` (real extract, real files)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.planner import read_plan

runner = CliRunner()


def _demo_copy(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(demo_scenario_path().read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_demo_plans_and_writes_plan_and_geojson(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "proven lower bound" in result.output
    plan = read_plan(tmp_path / "plan.json")
    assert plan.people_total == plan.evacuated + sum(u.people for u in plan.unserved)
    assert plan.clearance_time_s >= plan.lower_bound_s > 0
    collection = json.loads((tmp_path / "demo.geojson").read_text())
    layers = {f["properties"]["layer"] for f in collection["features"]}
    assert {
        "closure",
        "hazard",
        "corridor",
        "exclusion_zone",
        "restricted_area",
        "origin",
        "destination",
        "movement",
    } <= layers
    for feature in collection["features"]:
        if feature["properties"]["layer"] == "movement":
            coords = feature["geometry"]["coordinates"]
            assert len(coords) >= 2
            assert all(24.8 < lon < 25.1 and 60.1 < lat < 60.25 for lon, lat in coords)


def test_validate_accepts_the_demo() -> None:
    result = runner.invoke(app, ["validate", str(demo_scenario_path())])
    assert result.exit_code == 0, result.output
    assert "ready to plan" in result.output


def test_validate_reports_short_reception_capacity(tmp_path: Path) -> None:
    def shrink(data):
        for dest in data["destinations"]:
            dest["capacity"] = 1

    result = runner.invoke(app, ["validate", str(_demo_copy(tmp_path, shrink))])
    assert result.exit_code == 2
    assert "reception capacity" in result.output
    assert "people would have nowhere to go" in result.output


def test_validate_reports_far_snapping(tmp_path: Path) -> None:
    def move(data):
        data["origins"][0]["lat"] = 60.1500  # in the sea south of the peninsula, inside the margin
        data["origins"][0]["lon"] = 24.9500

    result = runner.invoke(app, ["validate", str(_demo_copy(tmp_path, move))])
    assert result.exit_code == 2
    assert "origins[0]" in result.output
    assert "from the nearest drive road" in result.output


def test_validate_reports_an_origin_cut_off_for_the_whole_horizon(tmp_path: Path) -> None:
    def encircle(data):
        origin = data["origins"][0]
        data.setdefault("exclusion_zones", []).append(
            {
                "id": "ring",
                "name": "encircled",
                "area": {"lat": origin["lat"], "lon": origin["lon"], "radius_m": 150},
            }
        )

    result = runner.invoke(app, ["validate", str(_demo_copy(tmp_path, encircle))])
    assert result.exit_code == 2
    assert "inside exclusion zone ring" in result.output or "cannot reach any destination" in result.output


def test_route_prints_time_distance_risk_and_streets() -> None:
    result = runner.invoke(
        app,
        [
            "route",
            str(demo_scenario_path()),
            "--from",
            "erottaja",
            "--to",
            "hakaniemi",
            "--at",
            "2022-03-05T10:30:00+02:00",
        ],
    )
    assert result.exit_code == 0, result.output
    for words in ("travel time", "distance", "risk exposure", "Streets taken"):
        assert words in result.output


def test_route_with_no_open_way_exits_4_and_says_why() -> None:
    # At the start the market square is cut off until the corridor's ceasefire window opens.
    result = runner.invoke(
        app, ["route", str(demo_scenario_path()), "--from", "kauppatori", "--to", "rautatieasema"]
    )
    assert result.exit_code == 4
    assert "NO_ROUTE" in result.output
    assert "closed then" in result.output


def test_route_unknown_origin_exits_3() -> None:
    result = runner.invoke(
        app, ["route", str(demo_scenario_path()), "--from", "nowhere", "--to", "hakaniemi"]
    )
    assert result.exit_code == 3
    assert "no origin with id 'nowhere'" in result.output


def test_route_bad_time_exits_2() -> None:
    result = runner.invoke(
        app, ["route", str(demo_scenario_path()), "--from", "erottaja", "--to", "hakaniemi", "--at", "noon"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--at': 'noon' is not a time" in plain(result.output)


def plain(output: str) -> str:
    """CLI output without rich's box drawing and line wrapping, for phrase assertions."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


@pytest.mark.slow
def test_demo_as_a_real_process(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "safepassage", "demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "demo.geojson").is_file()
