"""The bundled demo's fleet: a bus schedule with street names that the independent checker accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepassage.fleet.check import check_schedule
from safepassage.fleet.solve import solve_fleet
from safepassage.planner import plan_evacuation
from safepassage.scenario import load_scenario

DEMO = Path(__file__).resolve().parents[2] / "src" / "safepassage" / "demo" / "helsinki.yaml"


@pytest.mark.slow
def test_demo_schedule_passes_the_checker() -> None:
    scenario = load_scenario(DEMO)
    schedule = solve_fleet(scenario, time_limit_s=5.0)
    assert check_schedule(scenario, None, schedule) == []
    assert schedule.summary.people_unserved == 0
    assert schedule.summary.people_moved == schedule.summary.people_total > 2000
    buses = [v for v in schedule.vehicles if v.type == "bus"]
    assert len(buses) == 6
    assert all(v.trips for v in buses)
    assert all(leg.streets for v in buses for t in v.trips for leg in t.legs)
    rm_moved = sum(t.pickups[0].needs.get("reduced_mobility", 0) for v in schedule.vehicles for t in v.trips)
    assert rm_moved == 70  # only the adapted minibus and the ambulance carry them
    assert schedule.solver.lower_bound_s <= schedule.summary.last_arrival_s
    assert schedule.private_cars
    assert min(s.people for s in schedule.private_cars) >= 2


@pytest.mark.slow
def test_the_fleet_section_does_not_change_the_flow_plan() -> None:
    scenario = load_scenario(DEMO)
    without = scenario.model_copy(update={"fleet": None})
    a = plan_evacuation(scenario, mode="fast")
    b = plan_evacuation(without, mode="fast")
    assert a.clearance_time_s == b.clearance_time_s
    assert [m.model_dump() for m in a.movements] == [m.model_dump() for m in b.movements]
