"""Invariants of the schedule checker on random small hand schedules (bounded hypothesis runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asciimap import AsciiNetwork, write_ascii_network
from safepassage.fleet.check import check_schedule
from safepassage.fleet.schedule import Trip, Unserved
from safepassage.network import RoadNetwork, load_network
from safepassage.scenario import TravelMode

from .hand_schedules import MAP, WAYS, Round, assemble, build_trips, bus, make_scenario


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[AsciiNetwork, RoadNetwork]:
    folder: Path = tmp_path_factory.mktemp("line")
    drawn = write_ascii_network(folder, MAP, WAYS, grid_m=50.0)
    return drawn, load_network(drawn.path, TravelMode.DRIVE, use_cache=False)


def _trips(drawn: AsciiNetwork, network: RoadNetwork, loads: list[int], gap_s: float) -> list[Trip]:
    """Round trips g -> p -> e, then e -> p -> e ..., each leaving ``gap_s`` after the last unloaded."""
    trips: list[Trip] = []
    rounds: list[Round] = []
    for load in loads:
        if not trips:
            rounds.append(Round("g", 0.0, load, "gp"))
        else:
            rounds.append(Round("e", trips[-1].unloaded_at_s + gap_s, load, "exp"))
        trips = build_trips(network, drawn, rounds)
    return trips


@settings(max_examples=25, deadline=None)
@given(
    loads=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=4),
    gap_s=st.sampled_from([-30.0, 0.0, 45.0]),
)
def test_seats_and_one_place_at_a_time_are_flagged_exactly_when_broken(
    world: tuple[AsciiNetwork, RoadNetwork], loads: list[int], gap_s: float
) -> None:
    drawn, network = world
    people = sum(loads)
    scenario = make_scenario(
        drawn,
        origins=[
            {"id": "p", "name": "P", "lat": drawn.lat("p"), "lon": drawn.lon("p"), "people": people + 5}
        ],
        destinations=[
            {"id": "e", "name": "E", "lat": drawn.lat("e"), "lon": drawn.lon("e"), "capacity": 10**6}
        ],
    )
    trips = _trips(drawn, network, loads, gap_s)
    left = [Unserved(point="p", people=5, reason="no seat left before the horizon")]
    found = check_schedule(
        scenario, {TravelMode.DRIVE: network}, assemble(scenario, [bus("bus-1", trips)], unserved=left)
    )
    kinds = [v.kind for v in found]
    assert kinds.count("seats") == sum(1 for load in loads if load > 50)
    assert kinds.count("timeline") == (len(loads) - 1 if gap_s < 0 else 0)
    assert set(kinds) <= {"seats", "timeline"}
