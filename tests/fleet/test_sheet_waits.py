"""The dispatch sheet shows every stop longer than a minute as its own line, with the people aboard,
in the terminal, the CSV and the HTML page; the demo's long wait at Erottaja shows; terminal tables
at 80 columns keep every id whole."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from asciimap import AsciiNetwork
from safepassage.fleet.schedule import Schedule, read_schedule
from safepassage.fleet.sheet import (
    coverage_text,
    sheet_tables,
    summary_text,
    trip_lines,
    trip_waits,
    write_trips_csv,
)
from safepassage.fleet.sheet_html import sheet_html
from safepassage.network import load_network

from .hand_schedules import MAP, WAYS, good_schedule, make_scenario

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "safepassage" / "demo" / "helsinki.yaml"
DELAY_S = 30 * 60.0
SKIP = {"total_waiting_person_s", "solve_time_s", "lower_bound_s"}


def _shift(value: Any, key: str, from_s: float) -> Any:
    """Every time (a ``*_s`` key) at or after ``from_s`` moved ``DELAY_S`` later."""
    if isinstance(value, dict):
        return {k: _shift(v, k, from_s) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, key, from_s) for v in value]
    if key.endswith("_s") and key not in SKIP and isinstance(value, float | int) and value >= from_s:
        return value + DELAY_S
    return value


@pytest.fixture
def waiting(ascii_network: Callable[..., AsciiNetwork]) -> Schedule:
    """The hand-made schedule with the loaded bus of trip 1 held 30 min at ``p`` after loading."""
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    network = load_network(drawn.path, use_cache=False)
    good = good_schedule(drawn, network, make_scenario(drawn))
    loaded_s = good.vehicles[0].trips[0].pickups[0].depart_s
    data = _shift(good.model_dump(mode="json"), "", loaded_s)
    data["vehicles"][0]["trips"][0]["pickups"][0]["depart_s"] = loaded_s  # loading ends as before
    data["solver"]["gap"] = None
    return Schedule.model_validate(data)


def _clock(schedule: Schedule, seconds: float) -> str:
    return f"{schedule.at(seconds).astimezone(schedule.zone()):%H:%M}"


def test_the_held_bus_waits_with_its_people_aboard(waiting: Schedule) -> None:
    trip = waiting.vehicles[0].trips[0]
    (wait,) = trip_waits(trip)
    assert (wait.place, wait.aboard, wait.minutes) == ("p", 50, 30)
    assert wait.start_s == trip.pickups[0].depart_s
    assert wait.end_s == trip.legs[1].depart_s
    assert trip_waits(waiting.vehicles[0].trips[1]) == []  # no stop over a minute
    start, end = _clock(waiting, wait.start_s), _clock(waiting, wait.end_s)
    expected = f"wait at p {start}–{end} (30 min, 50 aboard)"

    console = Console(file=io.StringIO(), width=80, color_system=None)
    for table in sheet_tables(waiting):
        console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert " ".join(text.replace("│", " ").split()).count(expected) == 1
    assert "25 person-hours waiting aboard standing vehicles (longest 30 min at p, 50 aboard)" in (
        summary_text(waiting)
    )

    first, second = trip_lines(waiting)
    assert first.waits == f"wait at p {start}+02:00–{end}+02:00 (30 min, 50 aboard)"
    assert second.waits == ""
    page = sheet_html(waiting)
    assert f'<td colspan="8"><b>{first.waits}</b></td>' in page


def test_the_wait_is_a_column_of_the_trips_csv(waiting: Schedule, tmp_path: Path) -> None:
    write_trips_csv(waiting, tmp_path / "trips.csv")
    rows = list(csv.DictReader((tmp_path / "trips.csv").open(encoding="utf-8")))
    assert rows[0]["waits"].startswith("wait at p ")
    assert rows[0]["waits"].endswith(" (30 min, 50 aboard)")
    assert rows[1]["waits"] == ""


@pytest.mark.slow
def test_demo_sheet_at_80_columns_shows_the_erottaja_wait_and_whole_ids(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT / "src")}
    out = tmp_path / "s.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "safepassage",
            "fleet",
            str(DEMO),
            "-o",
            str(out),
            "--html",
            str(tmp_path / "s.html"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    text = done.stdout
    assert max(len(line) for line in text.splitlines()) <= 80
    schedule = read_schedule(out)
    flat = " ".join(text.replace("│", " ").split())
    assert "wait at erottaja 08:27–09:00 (32 min, 50 aboard)" in flat  # loaded 08:27, window at 09:00
    assert "(times +02:00)" in text
    data = json.loads(out.read_text(encoding="utf-8"))
    ids = {v["vehicle"] for v in data["vehicles"]} | {p["point"] for p in data["pickups"]}
    ids |= {c["origin"] for c in data["private_cars"]} | {c["destination"] for c in data["private_cars"]}
    for identifier in ids:
        assert any(identifier in line for line in text.splitlines()), identifier
    for line in text.splitlines():  # an id is never cut into "red-cross-amb…" or folded
        assert "…" not in line
    for call_point in (p["point"] for p in data["pickups"]):
        assert f"│ {call_point} " in text
    assert "08:00–08:10" in text  # a private-car slot as one unit, offset in the title
    assert "Mannerheimintie →" in text
    assert "wait at erottaja" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert coverage_text(schedule, 3100) == (
        "This bus schedule covers the 2,494 people assigned to the fleet at pickup points (last "
        "arrival 10:24+02:00); 363 leave in 150 private cars (the slots below); the other 243 of the "
        "3,100 in the plan go on foot as the flow plan routes them."
    )
