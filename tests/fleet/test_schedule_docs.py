"""The example in docs/schedule-format.md is a valid schedule that the checker accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from asciimap import AsciiNetwork
from safepassage.fleet.check import check_schedule
from safepassage.fleet.schedule import parse_schedule
from safepassage.fleet.sheet import trip_lines
from safepassage.network import load_network
from safepassage.scenario import TravelMode

from .hand_schedules import MAP, WAYS, good_schedule, make_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "schedule-format.md"


def _example() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Example", 1)[1]
    found = re.search(r"```json\n(.*?)\n```", section, re.DOTALL)
    assert found, "docs/schedule-format.md has no JSON example"
    return found.group(1)


def test_the_documented_example_is_the_hand_schedule_and_valid(
    ascii_network: Callable[..., AsciiNetwork],
) -> None:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    network = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    scenario = make_scenario(drawn)
    documented = parse_schedule(_example(), label="docs/schedule-format.md")
    assert documented == good_schedule(drawn, network, scenario)
    assert check_schedule(scenario, {TravelMode.DRIVE: network}, documented) == []


def test_the_documented_sheet_rows_are_what_the_sheet_prints() -> None:
    text = DOC.read_text(encoding="utf-8")
    schedule = parse_schedule(_example(), label="docs/schedule-format.md")
    for line in trip_lines(schedule):
        row = (
            f"| {line.vehicle} ({line.type}) | {line.trip} | {line.leave_from} {line.leave_at} | "
            f"{line.route_to_pickup} | {line.pickup} | {line.people} | {line.route_to_destination} | "
            f"{line.destination} {line.arrive} | {line.unloaded} | {line.then} |"
        )
        assert row in text
