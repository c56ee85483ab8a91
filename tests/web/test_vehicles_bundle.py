"""The map bundle's vehicles layer (services.map_view) from the demo's bus schedule: every road leg
of every vehicle with its nodes and entry times for a coordinator, nothing for anyone else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from safepassage.services.fleet import schedule_fleet
from safepassage.services.map_view import map_bundle


@pytest.fixture(scope="module")
def demo_schedule(demo_planned: Any) -> Any:
    """The demo's bus schedule (services.fleet.schedule_fleet), checked by the independent checker."""
    return schedule_fleet(demo_planned.scenario, networks=demo_planned.networks).schedule


def on_the_road(schedule: Any, t_s: float) -> int:
    """Vehicles with a road leg under way at ``t_s`` (entered its first node, not yet its last)."""
    return sum(
        1
        for v in schedule.vehicles
        if any(
            leg.mode == "road" and len(leg.path) >= 2 and leg.entry_times_s[0] <= t_s < leg.entry_times_s[-1]
            for trip in v.trips
            for leg in [*trip.legs, *([trip.return_leg] if trip.return_leg else [])]
        )
    )


def test_a_coordinator_gets_every_road_leg_with_its_entry_times(
    demo_planned: Any, demo_schedule: Any
) -> None:
    bundle = map_bundle(demo_planned.scenario, demo_planned.networks, demo_planned.plan, coordinator=True,
                        schedule=demo_schedule)  # fmt: skip
    vehicles = bundle["vehicles"]
    assert [v["vehicle"] for v in vehicles] == [v.vehicle for v in demo_schedule.vehicles if v.trips]
    legs = [
        leg
        for t in demo_schedule.vehicles[0].trips
        for leg in [*t.legs, *([t.return_leg] if t.return_leg else [])]
    ]
    shown = vehicles[0]["legs"]
    assert len(shown) == len(legs)
    for row, leg in zip(shown, legs, strict=True):
        assert len(row["nodes"]) == len(leg.path) == len(row["entry_times_s"])
        assert row["entry_times_s"] == [round(t, 3) for t in leg.entry_times_s]
        assert (row["from"], row["to"]) == (leg.from_place, leg.to_place)
    first = shown[0]["nodes"][0]
    south, west = bundle["bounds"][0]
    north, east = bundle["bounds"][1]
    assert south <= first[0] <= north
    assert west <= first[1] <= east
    # the count the page shows at t is the count of legs under way at t in the schedule
    busy = max(range(0, 4 * 3600, 60), key=lambda t: on_the_road(demo_schedule, t))
    shown_count = sum(
        1 for v in vehicles
        if any(leg["entry_times_s"][0] <= busy < leg["entry_times_s"][-1] for leg in v["legs"])
    )  # fmt: skip
    assert shown_count == on_the_road(demo_schedule, busy) >= 2


def test_nobody_else_gets_a_vehicle(demo_planned: Any, demo_schedule: Any) -> None:
    bundle = map_bundle(demo_planned.scenario, demo_planned.networks, demo_planned.plan, coordinator=False,
                        schedule=demo_schedule)  # fmt: skip
    assert "vehicles" not in bundle
    text = json.dumps(bundle)
    for vehicle in demo_schedule.vehicles:
        assert f'"{vehicle.vehicle}"' not in text
