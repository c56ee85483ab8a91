"""The schedule file: round trip, what one file can check on its own, clear errors for bad files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asciimap import AsciiNetwork
from safepassage.errors import ScheduleFileError
from safepassage.fleet.schedule import Schedule, parse_schedule, read_schedule, write_schedule
from safepassage.network import load_network

from .hand_schedules import MAP, WAYS, good_schedule, make_scenario


@pytest.fixture
def schedule(ascii_network: Callable[..., AsciiNetwork]) -> Schedule:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    network = load_network(drawn.path, use_cache=False)
    return good_schedule(drawn, network, make_scenario(drawn))


def _edited(schedule: Schedule, edit: Callable[[dict[str, Any]], None]) -> str:
    data = json.loads(schedule.model_dump_json())
    edit(data)
    return json.dumps(data)


def test_round_trip_keeps_every_value(schedule: Schedule, tmp_path: Path) -> None:
    path = tmp_path / "schedule.json"
    write_schedule(schedule, path)
    back = read_schedule(path)
    assert back == schedule
    assert back.format == "safepassage-schedule/1"
    assert [t.number for t in back.vehicles[0].trips] == [1, 2]
    assert back.vehicles[0].trips[0].legs[-1].streets == ["Prospekt Myru", "M14"]
    assert not list(tmp_path.glob(".schedule.json.*"))  # no temporary file left behind


def test_missing_file_not_json_and_wrong_format(tmp_path: Path) -> None:
    with pytest.raises(ScheduleFileError, match=r"cannot open the file"):
        read_schedule(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text('{"format": ', encoding="utf-8")
    with pytest.raises(ScheduleFileError, match=r"bad\.json:1: not valid JSON"):
        read_schedule(tmp_path / "bad.json")
    with pytest.raises(ScheduleFileError, match=r"'safepassage-plan/1' is not a supported schedule format"):
        parse_schedule('{"format": "safepassage-plan/1"}', label="s.json")
    with pytest.raises(ScheduleFileError, match="expected a JSON object"):
        parse_schedule("[]", label="s.json")
    with pytest.raises(ScheduleFileError, match="appears twice"):
        parse_schedule('{"format": "safepassage-schedule/1", "format": "x"}', label="s.json")


def test_bad_values_name_file_field_value_and_range(schedule: Schedule) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["vehicles"][0]["seats"] = "fifty"
        data["vehicles"][0]["trips"][0]["legs"][0]["entry_times_s"][1] = 1e300
        data["pickups"][0]["people"] = -3

    with pytest.raises(ScheduleFileError) as info:
        parse_schedule(_edited(schedule, edit), label="s.json")
    lines = str(info.value).splitlines()
    assert (
        "s.json: vehicles[0].seats: 'fifty' is not a number; expected a whole number from 0 to 100,000"
        in lines
    )
    assert any(
        line.startswith("s.json: vehicles[0].trips[0].legs[0].entry_times_s[1]: 1e+300 is out of range")
        for line in lines
    )
    assert any(line.startswith("s.json: pickups[0].people: -3 is out of range") for line in lines)


def test_unknown_field_and_missing_field(schedule: Schedule) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["vehicles"][0]["colour"] = "yellow"
        del data["summary"]["last_arrival_s"]

    with pytest.raises(ScheduleFileError) as info:
        parse_schedule(_edited(schedule, edit), label="s.json")
    text = str(info.value)
    assert "s.json: vehicles[0].colour: unknown field" in text
    assert "s.json: summary.last_arrival_s: is missing" in text


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["vehicles"][0]["trips"][0]["legs"][0]["entry_times_s"].pop(), "one entry time per node"),
        (lambda d: d["vehicles"][0]["trips"][0].update(people=49), "people = 49 but the pickups load 50"),
        (lambda d: d["vehicles"][0]["trips"][1].update(number=3), "expected trips numbered 1, 2"),
        (lambda d: d["vehicles"][0]["trips"][0]["legs"][1].update(from_place="g"), "legs[1] starts at 'g'"),
        (lambda d: d["summary"].update(people_moved=59), "summary.people_moved = 59"),
        (lambda d: d["pickups"][0]["calls"][0].update(trip=2), "'bus-1' trip 2 loads 10 there, not 50"),
        (lambda d: d.update(start="2022-03-05T08:00:00"), "timezone"),
        (lambda d: d["pickups"][0]["calls"][0].update(at_s=1.5), "from 24.0 s to 324.0 s, not at 1.5 s"),
        (lambda d: d["pickups"][0]["calls"][1].update(trip=1, at_s=24.0), "trip 1 is called twice"),
        (lambda d: d["summary"].update(people_total=120), "summary.people_total = 120"),
    ],
)
def test_file_level_rules(schedule: Schedule, edit: Callable[[dict[str, Any]], None], message: str) -> None:
    with pytest.raises(ScheduleFileError, match=re.escape(message)):
        parse_schedule(_edited(schedule, edit), label="s.json")
