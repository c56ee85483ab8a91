"""Property tests: travel times and capacities of built networks follow their documented formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asciimap import write_ascii_network
from safepassage.network import RoadNetwork, load_network
from safepassage.network.road_classes import DEFAULT_SPEED_KMH
from safepassage.scenario import CapacityModel, TravelMode

# Two-way drivable classes (motorways are one-way by default; service and track are not "drive").
TWO_WAY_DRIVE_CLASSES = [
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "road",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4),
    road_class=st.sampled_from(TWO_WAY_DRIVE_CLASSES),
    grid_m=st.sampled_from([10.0, 25.0, 100.0, 250.0]),
)
def test_straight_street_time_is_length_over_default_speed(
    tmp_path: Path, cells: list[int], road_class: str, grid_m: float
) -> None:
    """A straight chain of streets: each link is its cells times grid_m long, at the class speed."""
    letters = "abcdefgh"[: len(cells) + 1]
    line = letters[0] + "".join("-" * (n - 1) + letters[i + 1] for i, n in enumerate(cells))
    ways = [(letters[i : i + 2], {"highway": road_class}) for i in range(len(cells))]
    drawn = write_ascii_network(tmp_path, line, ways, grid_m=grid_m, filename="chain.osm")
    network = load_network(drawn.path, use_cache=False)
    assert network.link_count == 2 * len(cells)
    speed_ms = DEFAULT_SPEED_KMH[road_class] / 3.6
    for i, n in enumerate(cells):
        a, b = (network.node_index(drawn.osm_id(x)) for x in letters[i : i + 2])
        for tail, head in ((a, b), (b, a)):
            k = network.find_link(tail, head)
            assert k >= 0
            assert network.link_length_m[k] == pytest.approx(n * grid_m, rel=1e-3)
            assert network.link_travel_time_s[k] == pytest.approx(n * grid_m / speed_ms, rel=1e-3)


@settings(max_examples=50, deadline=None)
@given(
    people_per_vehicle=st.floats(min_value=0.5, max_value=80.0),
    time_step_s=st.integers(min_value=1, max_value=3600),
    scale=st.floats(min_value=0.1, max_value=5.0),  # motorway 2,000 x 5 = bounds.LANE_CAPACITY_VPH.high
)
def test_capacity_scales_with_its_parameters(
    helsinki_drive: RoadNetwork, people_per_vehicle: float, time_step_s: int, scale: float
) -> None:
    base = CapacityModel(people_per_vehicle=people_per_vehicle)
    per_step = helsinki_drive.capacity_people_per_step(base, time_step_s)
    assert per_step.shape == (helsinki_drive.link_count,)
    assert np.all(per_step > 0)
    # Linear in the time step, in people per vehicle, and in the vehicles-per-lane table.
    np.testing.assert_allclose(helsinki_drive.capacity_people_per_step(base, 2 * time_step_s), 2 * per_step)
    doubled = CapacityModel(people_per_vehicle=2 * people_per_vehicle)
    np.testing.assert_allclose(helsinki_drive.capacity_people_per_step(doubled, time_step_s), 2 * per_step)
    table = {k: v * scale for k, v in base.vehicles_per_hour_per_lane.items()}
    scaled = CapacityModel(people_per_vehicle=people_per_vehicle, vehicles_per_hour_per_lane=table)
    np.testing.assert_allclose(helsinki_drive.capacity_people_per_step(scaled, time_step_s), scale * per_step)
    # More lanes never carry fewer people on the same class.
    for cls in np.unique(helsinki_drive.link_road_class):
        on_class = helsinki_drive.link_road_class == cls
        order = np.argsort(helsinki_drive.link_lanes[on_class], kind="stable")
        assert np.all(np.diff(per_step[on_class][order]) >= -1e-9)


@settings(max_examples=30, deadline=None)
@given(walking_speed_mps=st.floats(min_value=0.3, max_value=2.5))
def test_walking_time_is_length_over_walking_speed(
    helsinki_walk: RoadNetwork, walking_speed_mps: float
) -> None:
    times = helsinki_walk.travel_time_s(CapacityModel(walking_speed_mps=walking_speed_mps))
    np.testing.assert_allclose(times * walking_speed_mps, helsinki_walk.link_length_m)


def test_drive_travel_time_ignores_walking_speed(helsinki_drive: RoadNetwork) -> None:
    times = helsinki_drive.travel_time_s(CapacityModel(walking_speed_mps=0.5))
    np.testing.assert_array_equal(times, helsinki_drive.link_travel_time_s)
    assert helsinki_drive.mode is TravelMode.DRIVE
