"""``safepassage plan`` and ``safepassage check-plan`` end to end (typer's CliRunner on the real app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.planner import read_plan

from .solver_scenarios import TEN_PER_STEP

runner = CliRunner()

SQUARE = """
o---d
|   |
p---q
"""
RES = {"highway": "residential"}


@pytest.fixture
def scenario_file(ascii_network, tmp_path: Path) -> Path:
    drawn = ascii_network(SQUARE, [("od", RES), ("op", RES), ("pqd", RES)])
    data = {
        "name": "cli square",
        "network": {"path": drawn.path.name},
        "start": "2022-03-05T08:00:00+02:00",
        "horizon": "PT1H",
        "origins": [{"id": "o", "name": "O", "lat": drawn.lat("o"), "lon": drawn.lon("o"), "people": 45}],
        "destinations": [
            {"id": "d", "name": "D", "lat": drawn.lat("d"), "lon": drawn.lon("d"), "capacity": 100}
        ],
        "capacity": TEN_PER_STEP,
    }
    path = drawn.path.parent / "scenario.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_plan_then_check_plan(scenario_file: Path, tmp_path: Path):
    plan_path = tmp_path / "out" / "plan.json"
    routes = tmp_path / "out" / "routes.geojson"
    result = runner.invoke(app, ["plan", str(scenario_file), "-o", str(plan_path), "--geojson", str(routes)])
    assert result.exit_code == 0, result.output
    assert "clearance" in result.output
    assert "gap" in result.output
    plan = read_plan(plan_path)
    assert plan.evacuated == 45
    features = json.loads(routes.read_text())["features"]
    movements = [f for f in features if f["properties"]["layer"] == "movement"]  # among the map's layers
    assert len(movements) == len(plan.movements)
    assert {f["properties"]["origin"] for f in movements} == {"o"}

    checked = runner.invoke(app, ["check-plan", str(scenario_file), str(plan_path)])
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output


def test_check_plan_rejects_a_hand_broken_plan(scenario_file: Path, tmp_path: Path):
    plan_path = tmp_path / "plan.json"
    assert runner.invoke(app, ["plan", str(scenario_file), "-o", str(plan_path)]).exit_code == 0
    data = json.loads(plan_path.read_text())
    # Send everybody of the first movement's departure step down its road at once: too many people.
    data["movements"][0]["people"] += 40
    data["evacuated"] += 40
    data["origins"][0]["evacuated"] += 40
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = runner.invoke(app, ["check-plan", str(scenario_file), str(broken)])
    assert result.exit_code == 5, result.output
    assert "plan rejected" in result.output


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--mode", "quick", "not a planning mode"), ("--max-delay", "ten", "not a delay")],
)
def test_bad_options_exit_2_with_a_message(scenario_file: Path, tmp_path: Path, option, value, expected):
    result = runner.invoke(app, ["plan", str(scenario_file), "-o", str(tmp_path / "p.json"), option, value])
    assert result.exit_code == 2
    assert expected in result.output
    assert not (tmp_path / "p.json").exists()


def test_max_delay_accepts_a_percentage(scenario_file: Path, tmp_path: Path):
    plan_path = tmp_path / "plan.json"
    result = runner.invoke(
        app, ["plan", str(scenario_file), "-o", str(plan_path), "--max-delay", "10%", "--mode", "fast"]
    )
    assert result.exit_code == 0, result.output
    assert read_plan(plan_path).solver.mode == "fast"
