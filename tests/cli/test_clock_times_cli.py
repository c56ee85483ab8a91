"""Every clock time shown or written is in the scenario's zone with the offset in force then (issue 7 #13).

Ukraine switched to summer time on 27 March 2022 at 03:00 local (01:00 UTC): +02:00 before, +03:00
after. The scenario starts one minute before the switch, so its plan's arrivals fall after it; a
time shown as start-offset + elapsed (the old fault) would read an hour early, e.g. 03:01 for 04:01.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from tests.asciimap import write_ascii_network
from typer.testing import CliRunner

from safepassage.cli import app

runner = CliRunner()
KYIV = ZoneInfo("Europe/Kyiv")
SWITCH_UTC = dt.datetime(2022, 3, 27, 1, 0, tzinfo=dt.UTC)  # 03:00+02:00 became 04:00+03:00

MAP = """
a b c d e f g h
"""


def plain(output: str) -> str:
    """CLI output without rich's box drawing and line wrapping, for phrase assertions."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1.4 km street (a..h), 60 people at a, a shelter at h, starting 02:59+02:00 on the switch day."""
    folder = tmp_path_factory.mktemp("dst")
    drawn = write_ascii_network(folder, MAP, [("abcdefgh", {"highway": "residential"})], grid_m=100.0)
    data = {
        "name": "DST switch",
        "network": {"path": str(drawn.path)},
        "start": "2022-03-27T02:59:00+02:00",
        "timezone": "Europe/Kyiv",
        "horizon": "PT6H",
        "origins": [{"id": "a", "name": "A", "lat": drawn.lat("a"), "lon": drawn.lon("a"), "people": 60}],
        "destinations": [
            {"id": "h", "name": "H", "lat": drawn.lat("h"), "lon": drawn.lon("h"), "capacity": 100}
        ],
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planned(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    folder = tmp_path_factory.mktemp("plan")
    plan_path, map_path = folder / "plan.json", folder / "map.geojson"
    result = runner.invoke(
        app, ["plan", str(scenario_file), "-o", str(plan_path), "--geojson", str(map_path)]
    )
    assert result.exit_code == 0, result.output
    return result.output, plan_path, map_path


def _kyiv_offset(instant: dt.datetime) -> str:
    return "+03:00" if instant >= SWITCH_UTC else "+02:00"


def test_the_plan_summary_shows_the_last_arrival_in_summer_time(planned: tuple[str, Path, Path]) -> None:
    output, plan_path, _ = planned
    data = json.loads(plan_path.read_text())
    last = dt.datetime.fromisoformat(data["start"]) + dt.timedelta(seconds=data["clearance_time_s"])
    assert last >= SWITCH_UTC  # the case: the last arrival is after the switch
    utc = last.astimezone(dt.UTC)
    local_clock = f"{utc.hour + 3:02d}:{utc.minute:02d}"  # +03:00 after the switch, by hand
    assert f"last arrival {local_clock}+03:00" in plain(output)
    assert f"last arrival {utc.hour + 2:02d}:{utc.minute:02d}" not in plain(output)  # the old fault


def test_plan_json_departures_carry_the_offset_in_force_then(planned: tuple[str, Path, Path]) -> None:
    _, plan_path, _ = planned
    data = json.loads(plan_path.read_text())
    assert data["start"].endswith("+02:00")  # 02:59, before the switch
    offsets = set()
    for movement in data["movements"]:
        departure = dt.datetime.fromisoformat(movement["departure"])
        expected = dt.datetime.fromisoformat(data["start"]) + dt.timedelta(
            seconds=movement["entry_times_s"][0]
        )
        assert departure == expected  # the same instant ...
        assert movement["departure"].endswith(_kyiv_offset(expected))  # ... with the offset then
        offsets.add(movement["departure"][-6:])
    assert "+03:00" in offsets


def test_check_plan_accepts_departures_written_in_summer_time(
    planned: tuple[str, Path, Path], scenario_file: Path
) -> None:
    _, plan_path, _ = planned
    checked = runner.invoke(app, ["check-plan", str(scenario_file), str(plan_path)])
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output


def test_the_map_of_a_plan_has_every_layer_and_local_times(
    planned: tuple[str, Path, Path], scenario_file: Path
) -> None:
    _, _, map_path = planned
    features = json.loads(map_path.read_text())["features"]
    layers = {f["properties"]["layer"] for f in features}
    assert {"origin", "destination", "movement"} <= layers  # not movements only (issue 7 #19)
    for f in features:
        if f["properties"]["layer"] == "movement":
            for key in ("departure", "arrival"):
                text = f["properties"][key]
                assert text.endswith(_kyiv_offset(dt.datetime.fromisoformat(text)))
    arrivals = [
        dt.datetime.fromisoformat(f["properties"]["arrival"])
        for f in features
        if "arrival" in f["properties"]
    ]
    assert max(arrivals) >= SWITCH_UTC


@pytest.mark.parametrize(
    ("at", "leaving"),
    [
        ("2022-03-27T01:30:00Z", "2022-03-27 04:30+03:00"),  # after the switch
        ("2022-03-27T00:59:00+00:00", "2022-03-27 02:59+02:00"),  # just before it
        ("2022-03-27T04:30:00+03:00", "2022-03-27 04:30+03:00"),  # typed in local summer time
        ("2022-03-27T05:30:00+04:00", "2022-03-27 04:30+03:00"),  # another zone, same instant
    ],
)
def test_route_shows_the_departure_in_the_scenario_zone(
    scenario_file: Path, tmp_path: Path, at: str, leaving: str
) -> None:
    route_map = tmp_path / "route.geojson"
    result = runner.invoke(
        app,
        ["route", str(scenario_file), "--from", "a", "--to", "h", "--at", at, "--geojson", str(route_map)],
    )
    assert result.exit_code == 0, result.output
    assert f"leaving {leaving}" in plain(result.output)
    departure = json.loads(route_map.read_text())["features"][0]["properties"]["departure"]
    assert departure == leaving.replace(" ", "T", 1).replace("+", ":00+")


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("2022-03-27T00:00:00+02:00", "--at: 2022-03-27T00:00:00+02:00 is before the scenario starts"),
        ("2022-03-27T10:00:00+03:00", "--at: 2022-03-27T10:00:00+03:00 is after the horizon ends"),
        ("2022-03-28T06:00:00Z", "--at: 2022-03-28T09:00:00+03:00 is after the horizon ends"),
    ],
)
def test_route_at_outside_the_horizon_says_so(scenario_file: Path, at: str, says: str) -> None:
    result = runner.invoke(app, ["route", str(scenario_file), "--from", "a", "--to", "h", "--at", at])
    assert result.exit_code == 2, result.output
    text = plain(result.output)
    assert says in text
    assert "expected a time from 2022-03-27T02:59:00+02:00 to 2022-03-27T09:59:00+03:00" in text


@pytest.mark.parametrize(
    ("at", "says"),
    [
        ("2022-03-27T04:30:00", "'2022-03-27T04:30:00' has no UTC offset"),  # the docs' rule, as report add
        ("9999-12-31T23:59:59-05:00", "'9999-12-31T23:59:59-05:00' is out of range"),  # was OverflowError
        ("0001-01-01T00:00:00+05:00", "'0001-01-01T00:00:00+05:00' is out of range"),
        ("27/03/2022 04:30", "'27/03/2022 04:30' is not a time"),
    ],
)
def test_route_at_refuses_what_report_add_refuses(scenario_file: Path, at: str, says: str) -> None:
    result = runner.invoke(app, ["route", str(scenario_file), "--from", "a", "--to", "h", "--at", at])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--at': {says}" in plain(result.output)


def test_without_a_zone_name_times_keep_the_offset_of_start(scenario_file: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(scenario_file.read_text())
    del data["timezone"]  # the fixed offset of start (+02:00) is the scenario's clock: no DST change
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = runner.invoke(
        app, ["route", str(fixed), "--from", "a", "--to", "h", "--at", "2022-03-27T01:30:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert "leaving 2022-03-27 03:30+02:00" in plain(result.output)
