"""``safepassage check-schedule`` and ``fleet`` end to end: exit 0 valid, 5 rejected, 2 bad file."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asciimap import AsciiNetwork
from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.fleet.schedule import read_schedule, write_schedule
from safepassage.network import load_network
from safepassage.scenario import load_scenario

from .hand_schedules import MAP, WAYS, good_schedule, scenario_data

runner = CliRunner()


def files(ascii_network: Callable[..., AsciiNetwork], tmp_path: Path) -> tuple[Path, Path]:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    scenario_file = tmp_path / "line.yaml"
    scenario_file.write_text(json.dumps(scenario_data(drawn)), encoding="utf-8")  # JSON is YAML
    scenario = load_scenario(scenario_file)
    network = load_network(drawn.path)
    schedule_file = tmp_path / "schedule.json"
    write_schedule(good_schedule(drawn, network, scenario), schedule_file)
    return scenario_file, schedule_file


def test_valid_schedule_exits_0(ascii_network: Callable[..., AsciiNetwork], tmp_path: Path) -> None:
    scenario_file, schedule_file = files(ascii_network, tmp_path)
    result = runner.invoke(app, ["check-schedule", str(scenario_file), str(schedule_file)])
    assert result.exit_code == 0, result.output
    assert "valid — 1 vehicles, 2 trips, 60 people" in " ".join(result.output.split())


def test_edited_schedule_exits_5_listing_every_violation(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    scenario_file, schedule_file = files(ascii_network, tmp_path)
    data = json.loads(schedule_file.read_text(encoding="utf-8"))
    data["vehicles"][0]["seats"] = 40  # trip 1 carries 50
    data["vehicles"][0]["trips"][1]["leave_at_s"] = 10.0  # and trip 2 leaves while trip 1 is on the road
    schedule_file.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["check-schedule", str(scenario_file), str(schedule_file)])
    assert result.exit_code == 5, result.output
    assert "schedule rejected: 2 violation(s)" in result.output
    text = " ".join(result.output.split())
    assert "carries 50 people on 40 seats" in text
    assert "trip 2: leaves at 10 s while still busy" in text


def test_bad_schedule_file_exits_2(ascii_network: Callable[..., AsciiNetwork], tmp_path: Path) -> None:
    scenario_file, schedule_file = files(ascii_network, tmp_path)
    data = json.loads(schedule_file.read_text(encoding="utf-8"))
    data["vehicles"][0]["trips"][0]["people"] = "fifty"
    schedule_file.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["check-schedule", str(scenario_file), str(schedule_file)])
    assert result.exit_code == 2, result.output
    assert "SCHEDULE_INVALID" in result.output
    assert "vehicles[0].trips[0].people: 'fifty' is not a number" in " ".join(result.output.split())


def test_fleet_without_a_fleet_section_exits_2(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    data = scenario_data(drawn)
    del data["fleet"]
    scenario_file = tmp_path / "nofleet.yaml"
    scenario_file.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["fleet", str(scenario_file), "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 2, result.output
    assert "has no fleet section" in result.output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """``safepassage fleet`` on the bundled Helsinki demo, once for the module."""
    out = tmp_path_factory.mktemp("fleet-demo")
    scenario_file = demo_scenario_path()
    result = runner.invoke(
        app,
        [
            "fleet",
            str(scenario_file),
            "-o",
            str(out / "schedule.json"),
            "--html",
            str(out / "sheet.html"),
            "--csv",
            str(out / "sheet.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    return scenario_file, out, result.output


@pytest.mark.slow
def test_fleet_on_the_demo_then_check_schedule_accepts_it(demo_run: tuple[Path, Path, str]) -> None:
    scenario_file, out, output = demo_run
    text = " ".join(output.split())
    assert "independent check: the schedule keeps every rule" in text
    assert "proven lower bound" in text
    schedule = read_schedule(out / "schedule.json")
    trips = sum(len(v.trips) for v in schedule.vehicles)
    assert trips == schedule.summary.trips > 0
    assert schedule.summary.people_moved + schedule.summary.people_unserved == sum(
        p.people for p in schedule.pickups
    )
    assert schedule.solver.lower_bound_s <= schedule.summary.last_arrival_s
    named = [leg.streets for v in schedule.vehicles for t in v.trips for leg in t.legs if leg.path]
    assert sum(1 for streets in named if streets) >= 0.9 * len(named)  # real Helsinki street names
    with (out / "sheet.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == trips
    assert (out / "sheet.html").read_text(encoding="utf-8").count('<section class="vehicle">') == len(
        schedule.vehicles
    )
    result = runner.invoke(app, ["check-schedule", str(scenario_file), str(out / "schedule.json")])
    assert result.exit_code == 0, result.output
    assert f"{trips} trips" in " ".join(result.output.split())


@pytest.mark.slow
def test_an_edited_demo_schedule_exits_5(demo_run: tuple[Path, Path, str], tmp_path: Path) -> None:
    scenario_file, out, _ = demo_run
    data = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    first = data["vehicles"][0]
    first["seats"] = 10  # fewer seats than its trips carry
    leg = first["trips"][0]["legs"][-1]
    leg["entry_times_s"][1] = leg["entry_times_s"][0]  # and a hop in no time
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["check-schedule", str(scenario_file), str(edited)])
    assert result.exit_code == 5, result.output
    text = " ".join(result.output.split())
    assert "schedule rejected" in text
    assert "on 10 seats" in text
    assert "at free flow" in text


@pytest.mark.slow
def test_demo_prints_a_bus_schedule_with_street_names_that_check_schedule_accepts(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Buses" in text
    assert "city-buses-1 — bus, 50 seats, depot kaisaniemi-depot" in text
    assert "Mannerheimintie" in text  # routes read by street name
    assert "Pickup points: who is collected when" in text
    check = runner.invoke(app, ["check-schedule", str(demo_scenario_path()), str(tmp_path / "schedule.json")])
    assert check.exit_code == 0, check.output


def test_fleet_refuses_an_unknown_method_and_a_bad_time_limit(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    scenario_file, _ = files(ascii_network, tmp_path)
    out = str(tmp_path / "s.json")
    bad_method = runner.invoke(app, ["fleet", str(scenario_file), "-o", out, "--method", "fastest"])
    assert bad_method.exit_code == 2, bad_method.output
    assert "'fastest' is not a fleet method; expected auto, exact or heuristic" in " ".join(
        bad_method.output.split()
    )
    bad_limit = runner.invoke(app, ["fleet", str(scenario_file), "-o", out, "--time-limit", "0"])
    assert bad_limit.exit_code == 2, bad_limit.output
    assert "expected 1 to 3,600 seconds" in " ".join(bad_limit.output.split())


def test_fleet_on_the_drawn_line_writes_a_schedule_check_schedule_accepts(
    ascii_network: Callable[..., AsciiNetwork], tmp_path: Path
) -> None:
    scenario_file, _ = files(ascii_network, tmp_path)
    out = tmp_path / "solved.json"
    result = runner.invoke(app, ["fleet", str(scenario_file), "-o", str(out), "--method", "exact"])
    assert result.exit_code == 0, result.output
    schedule = read_schedule(out)
    assert schedule.summary.people_moved == 60
    assert schedule.solver.method == "exact"
    check = runner.invoke(app, ["check-schedule", str(scenario_file), str(out)])
    assert check.exit_code == 0, check.output
