"""``safepassage check-plan`` end to end on a hand plan: exit 0 valid, 5 rejected, 2 unreadable plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from asciimap import AsciiNetwork
from safepassage.cli import app
from safepassage.network import load_network
from safepassage.planner.plan_file import write_plan
from safepassage.scenario import TravelMode, load_scenario

from .test_check import GOOD, MAP, WAYS, Group, hand_plan, make_scenario

runner = CliRunner()


def files(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path, groups: list[Group]
) -> tuple[Path, Path]:
    drawn = ascii_network(MAP, WAYS, grid_m=125.0)
    scenario_file = tmp_path / "square.yaml"
    scenario_file.write_text(make_scenario(drawn).model_dump_json(by_alias=True))  # JSON is YAML
    scenario = load_scenario(scenario_file)
    network = load_network(drawn.path, TravelMode.DRIVE)
    plan = hand_plan(drawn, network, scenario, groups)
    plan_file = tmp_path / "plan.json"
    write_plan(plan, plan_file)
    return scenario_file, plan_file


def test_valid_hand_plan_exits_0(ascii_network: Callable[..., AsciiNetwork], tmp_path: Path) -> None:
    scenario_file, plan_file = files(ascii_network, tmp_path, GOOD)
    result = runner.invoke(app, ["check-plan", str(scenario_file), str(plan_file)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_rejected_hand_plan_exits_5_with_the_violation(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    crowded = [GOOD[0], GOOD[1], ("a", "e", 20, "abce", (0, 60, 120, 180))]
    scenario_file, plan_file = files(ascii_network, tmp_path, crowded)
    result = runner.invoke(app, ["check-plan", str(scenario_file), str(plan_file)])
    assert result.exit_code == 5, result.output
    assert "plan rejected: 3 violation(s)" in result.output
    assert "is entered by 40 people in step 0" in result.output


def test_broken_plan_file_exits_2_naming_field_and_value(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    scenario_file, plan_file = files(ascii_network, tmp_path, GOOD)
    data = json.loads(plan_file.read_text())
    data["movements"][1]["people"] = "ten"
    plan_file.write_text(json.dumps(data))
    result = runner.invoke(app, ["check-plan", str(scenario_file), str(plan_file)])
    assert result.exit_code == 2, result.output
    assert "plan.json: movements[1].people: 'ten' is not a whole number" in " ".join(result.output.split())
