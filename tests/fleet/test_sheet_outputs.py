"""The dispatch sheet: terminal tables, CSV, HTML and JSON each hold every trip, times in local zone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from asciimap import AsciiNetwork
from safepassage.fleet.schedule import PrivateCarSlot, Schedule, read_schedule, write_schedule
from safepassage.fleet.sheet import (
    car_lines,
    pickup_lines,
    sheet_tables,
    summary_text,
    time_text,
    trip_lines,
    write_pickups_csv,
    write_trips_csv,
)
from safepassage.fleet.sheet_html import sheet_html, write_sheet_html
from safepassage.network import load_network

from .hand_schedules import MAP, WAYS, good_schedule, make_scenario


@pytest.fixture
def schedule(ascii_network: Callable[..., AsciiNetwork]) -> Schedule:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    network = load_network(drawn.path, use_cache=False)
    return good_schedule(drawn, network, make_scenario(drawn))


def test_trip_lines_read_like_a_radio_call(schedule: Schedule) -> None:
    first, second = trip_lines(schedule)
    assert (first.vehicle, first.trip, first.leave_from, first.leave_at) == ("bus-1", 1, "g", "08:00+02:00")
    assert first.route_to_pickup == "Depot Road"
    assert first.route_to_destination == "Prospekt Myru → M14"
    assert first.pickup.startswith("p at 08:0")
    assert first.people == 50
    assert first.destination == "e"
    assert first.arrive.endswith("+02:00")
    assert first.then == "trip 2"
    assert second.route_to_pickup == "M14 → Prospekt Myru"
    assert second.then.startswith("to g by M14 → Prospekt Myru → Depot Road, there ")
    calls = pickup_lines(schedule)
    assert [(c.point, c.vehicle, c.trip, c.people) for c in calls] == [
        ("p", "bus-1", 1, 50),
        ("p", "bus-1", 2, 10),
    ]


def test_times_are_local_with_offset_and_dated_on_another_day(schedule: Schedule) -> None:
    assert time_text(schedule, 0.0) == "08:00+02:00"
    assert time_text(schedule, 16 * 3600.0) == "2022-03-06 00:00+02:00"


def test_terminal_tables_hold_every_trip_and_pickup(schedule: Schedule) -> None:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    for table in sheet_tables(schedule):
        console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "bus-1 — bus, 50 seats, depot g" in text
    assert "leave g" in text
    assert "load 50 at p" in text
    assert "load 10 at p" in text
    assert "arrive e," in text
    assert "bus-1 — bus, 50 seats, depot g (times +02:00)" in text  # the offset once, in the title
    assert "│ 08:08 │" in text
    assert "08:08+02:00" not in text
    assert "Prospekt Myru → M14" in text
    assert "Pickup points: who is collected when" in text
    assert max(len(row) for row in text.splitlines()) <= 80
    assert "60 of 60 people moved by 1 vehicles in 2 trips" in summary_text(schedule)


def test_private_car_slots_are_shown_in_vehicles_and_people(schedule: Schedule) -> None:
    slot = PrivateCarSlot(
        origin="p",
        destination="e",
        slot_start_s=0.0,
        slot_end_s=600.0,
        vehicles=4,
        people=10,
        streets=["Prospekt Myru", "M14"],
    )
    with_cars = schedule.model_copy(update={"private_cars": [slot]})
    assert [(c.slot, c.vehicles, c.people, c.route) for c in car_lines(with_cars)] == [
        ("08:00+02:00–08:10+02:00", 4, 10, "Prospekt Myru → M14")
    ]
    console = Console(file=io.StringIO(), width=100, color_system=None)
    for table in sheet_tables(with_cars):
        console.print(table)
    assert "Private cars: departure slots" in console.file.getvalue()  # type: ignore[attr-defined]
    assert "<h2>Private cars</h2>" in sheet_html(with_cars)


def test_csv_files_hold_every_trip_and_collection(schedule: Schedule, tmp_path: Path) -> None:
    write_trips_csv(schedule, tmp_path / "trips.csv")
    write_pickups_csv(schedule, tmp_path / "pickups.csv")
    with (tmp_path / "trips.csv").open(encoding="utf-8", newline="") as handle:
        trips = list(csv.DictReader(handle))
    assert [(r["vehicle"], r["trip"], r["people"]) for r in trips] == [
        ("bus-1", "1", "50"),
        ("bus-1", "2", "10"),
    ]
    assert trips[0]["route_to_destination"] == "Prospekt Myru → M14"
    assert trips[0]["leave_at"] == "08:00+02:00"
    with (tmp_path / "pickups.csv").open(encoding="utf-8", newline="") as handle:
        pickups = list(csv.DictReader(handle))
    assert sum(int(r["people"]) for r in pickups) == 60


def test_json_is_the_schedule_file(schedule: Schedule, tmp_path: Path) -> None:
    write_schedule(schedule, tmp_path / "s.json")
    back = read_schedule(tmp_path / "s.json")
    assert sum(len(v.trips) for v in back.vehicles) == 2


def test_html_page_is_printable_self_contained_and_escaped(schedule: Schedule, tmp_path: Path) -> None:
    page = sheet_html(schedule)
    assert page.startswith("<!DOCTYPE html>")
    assert "@media print" in page
    assert "http://" not in page
    assert "https://" not in page
    assert "<script" not in page
    assert page.count("<tr>") == 1 + 2 + 1 + 2  # trips header + 2 trips, pickups header + 2 calls
    assert "Prospekt Myru → M14" in page
    hostile = schedule.model_copy(
        update={"scenario": schedule.scenario.model_copy(update={"name": "<b>x</b>"})}
    )
    assert "<b>x</b>" not in sheet_html(hostile)
    assert "&lt;b&gt;x&lt;/b&gt;" in sheet_html(hostile)
    write_sheet_html(schedule, tmp_path / "sheet.html")
    assert (tmp_path / "sheet.html").read_text(encoding="utf-8") == page
