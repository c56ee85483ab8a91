"""Departure slots: the plan's movements summed per origin, destination, mode, path and 10-minute slot.

On the line ``o-----d`` (600 m, 72 s) ten people per one-minute step may enter the street, so 200
people leave as 20 groups of 10, one per minute from 0 to 19 min: two 10-minute slots of 100 people
and 10 movements each. The checker recomputes the slots from the movements on its own.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import math
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from asciimap import AsciiNetwork
from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import Movement, Plan, parse_plan, read_plan
from safepassage.planner.slots import DEFAULT_SLOT_S, departure_slots
from safepassage.scenario import Scenario, TravelMode, load_scenario

from .solver_scenarios import drive_networks, scenario_on

RES = {"highway": "residential"}
LINE = """
o-----d
"""
runner = CliRunner()
START = dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def line(ascii_network: Callable[..., AsciiNetwork]) -> tuple[Scenario, Plan, dict[TravelMode, object]]:
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 200)], [("d", "d", 300)])
    networks = drive_networks(drawn)
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    return scenario, plan, networks  # type: ignore[return-value]


def test_many_small_groups_fill_two_ten_minute_slots(line) -> None:
    scenario, plan, networks = line
    assert len(plan.movements) == 20
    assert sorted(m.departure_s for m in plan.movements) == [60.0 * k for k in range(20)]
    slots = plan.departure_slots
    assert [(s.slot_start_s, s.slot_s, s.people, s.movements) for s in slots] == [
        (0.0, 600.0, 100, 10),
        (600.0, 600.0, 100, 10),
    ]
    assert [(s.first_departure_s, s.last_departure_s, s.last_arrival_s) for s in slots] == [
        (0.0, 540.0, 660.0),
        (600.0, 1140.0, 1260.0),
    ]
    assert sum(s.people for s in slots) == plan.evacuated == 200
    for s in slots:
        mine = [
            m
            for m in plan.movements
            if m.path == s.path and s.slot_start_s <= m.departure_s < s.slot_start_s + s.slot_s
        ]
        assert s.people == sum(m.people for m in mine)
        assert (s.origin, s.destination, s.mode) == ("o", "d", TravelMode.DRIVE)
    assert check_plan(scenario, plan, networks=networks) == []


def test_the_checker_recomputes_the_slots(line) -> None:
    scenario, plan, networks = line
    first, second = plan.departure_slots
    wrong = first.model_copy(update={"people": 90})
    assert check_plan(
        scenario, plan.model_copy(update={"departure_slots": [wrong, second]}), networks=networks
    ) == [
        "departure_slots[0] ('o' to 'd', slot from 0 s (2022-03-05T08:00:00+02:00)).people is 90 but its "
        "movements give 100"
    ]
    missing = check_plan(scenario, plan.model_copy(update={"departure_slots": [first]}), networks=networks)
    assert missing == [
        "10 movement(s) from 'o' to 'd' departing at 600 s (2022-03-05T08:10:00+02:00) (100 people) are in "
        "no departure slot; expected every movement in exactly one"
    ]
    moved = second.model_copy(update={"slot_start_s": 1200.0})
    sentences = check_plan(
        scenario, plan.model_copy(update={"departure_slots": [first, moved]}), networks=networks
    )
    assert len(sentences) == 2
    assert "no movement on this path departs in this slot, yet it lists 100 people" in sentences[0]


def test_an_old_plan_without_departure_slots_still_reads_and_checks(line) -> None:
    scenario, plan, networks = line
    data = json.loads(plan.model_dump_json())
    del data["departure_slots"]
    old = parse_plan(json.dumps(data))
    assert old.departure_slots == []
    assert old.movements == plan.movements
    assert check_plan(scenario, old, networks=networks) == []


def test_a_departure_on_a_slot_boundary_opens_the_next_slot() -> None:
    slots = departure_slots([_movement(599.999, 3), _movement(600.0, 4), _movement(1199.999, 5)])
    assert [(s.slot_start_s, s.people, s.movements) for s in slots] == [(0.0, 3, 1), (600.0, 9, 2)]
    with pytest.raises(ValueError, match="slot length > 0"):
        departure_slots([], slot_s=0.0)


def _movement(
    departure_s: float,
    people: int,
    *,
    origin: str = "a",
    destination: str = "e",
    path: tuple[int, ...] = (1, 2),
) -> Movement:
    times = [departure_s + 60.0 * i for i in range(len(path))]
    return Movement(
        origin=origin,
        destination=destination,
        people=people,
        mode=TravelMode.DRIVE,
        departure=START + dt.timedelta(seconds=departure_s),
        path=list(path),
        entry_times_s=times,
    )


movement_lists = st.lists(
    st.builds(
        _movement,
        st.integers(0, 7_200_000).map(lambda ms: ms / 1000.0),
        st.integers(1, 50),
        origin=st.sampled_from(["a", "b"]),
        destination=st.sampled_from(["e", "f"]),
        path=st.sampled_from([(1, 2), (1, 3, 2), (4, 2)]),
    ),
    max_size=60,
)


@settings(max_examples=50, deadline=None)
@given(movements=movement_lists, slot_s=st.sampled_from([60.0, 300.0, 600.0, 3600.0]))
def test_slotting_conserves_people(movements: list[Movement], slot_s: float) -> None:
    slots = departure_slots(movements, slot_s)
    assert sum(s.people for s in slots) == sum(m.people for m in movements)
    assert sum(s.movements for s in slots) == len(movements)
    keys = [(s.origin, s.destination, tuple(s.path), s.slot_start_s) for s in slots]
    assert len(keys) == len(set(keys))  # one row per origin, destination, path and slot
    by_key: dict[tuple[str, str, tuple[int, ...], float], list[Movement]] = defaultdict(list)
    for m in movements:
        by_key[(m.origin, m.destination, tuple(m.path), math.floor(m.departure_s / slot_s) * slot_s)].append(
            m
        )
    assert set(keys) == set(by_key)
    for s, key in zip(slots, keys, strict=True):
        mine = by_key[key]
        assert s.people == sum(m.people for m in mine)
        assert s.first_departure_s == min(m.departure_s for m in mine)
        assert s.last_departure_s == max(m.departure_s for m in mine)
        assert s.last_arrival_s == max(m.arrival_s for m in mine)
        assert s.slot_start_s <= s.first_departure_s
        assert s.last_departure_s < s.slot_start_s + slot_s


@pytest.fixture(scope="module")
def demo() -> tuple[Scenario, Plan]:
    resource = importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")
    with importlib.resources.as_file(resource) as path:
        scenario = load_scenario(path)
    return scenario, plan_evacuation(scenario)


def test_the_demo_plan_has_a_few_slots_per_origin_and_route(demo) -> None:
    scenario, plan = demo
    slots = plan.departure_slots
    assert sum(s.people for s in slots) == plan.evacuated == 3_100
    assert sum(s.movements for s in slots) == len(plan.movements)
    per_route: dict[tuple[str, str, tuple[int, ...]], int] = defaultdict(int)
    for s in slots:
        per_route[(s.origin, s.destination, tuple(s.path))] += 1
    bound = math.ceil(plan.clearance_time_s / DEFAULT_SLOT_S)  # the slots the horizon used can hold
    assert max(per_route.values()) <= bound
    for origin in plan.origins:
        mine = [s for s in slots if s.origin == origin.origin]
        assert origin.first_departure_s is not None
        assert origin.last_departure_s is not None
        used = math.floor(origin.last_departure_s / DEFAULT_SLOT_S) - math.floor(
            origin.first_departure_s / DEFAULT_SLOT_S
        )
        routes = len({(s.destination, tuple(s.path)) for s in mine})
        assert len(mine) <= routes * (used + 1)
    assert len(slots) * 10 <= len(plan.movements)  # 836 movements -> 66 slots when written
    assert check_plan(scenario, plan) == []


def test_plan_prints_the_slots_and_check_plan_accepts_them(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    planned = runner.invoke(app, ["plan", str(demo_scenario_path()), "-o", str(out)])
    assert planned.exit_code == 0, planned.output
    written = read_plan(out)
    routes = {(s.origin, s.destination, tuple(s.path)) for s in written.departure_slots}
    assert (
        f"{len(written.departure_slots):,} departure slots of 10 min on {len(routes):,} routes"
        in planned.output
    )
    checked = runner.invoke(app, ["check-plan", str(demo_scenario_path()), str(out)])
    assert checked.exit_code == 0, checked.output
