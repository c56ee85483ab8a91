"""``route``, the planner and ``check-plan`` apply the one corridor rule and agree (issue 7, item 4).

Map (100 m cells, residential 30 km/h = 12 s per cell)::

    a b c        top a-b-c: 400 m = 48 s, the direct way
    |   |
    d e f        bottom a-d-e-f-c: 800 m = 96 s; the corridor runs d -> f (buffer 30 m)

People wait at a; the destination is c. Where the rule obliges the group (drive: a car carrying
people) to use the corridor, all three take or demand the bottom street; where it does not (an
aid-only corridor, one for buses only, one merely proposed), none of them detours.
"""

from __future__ import annotations

from typing import Any

import pytest

from safepassage.hazards import EVACUEE_VEHICLE, binding_corridor, must_use
from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.problem import build_problem
from safepassage.routing import best_route
from safepassage.scenario import Cargo, Scenario, TravelMode, VehicleClass
from scenario_builder import at, make_scenario, point


def _corridor(drawn, **fields: Any) -> dict[str, Any]:
    return {
        "id": "k1",
        "name": "bottom corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat("d"), "lon": drawn.lon("d")},
            {"lat": drawn.lat("f"), "lon": drawn.lon("f")},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": at("07:00"), "end": at("10:00")}],
        "evacuees_must_use": True,
        **fields,
    }


def _scenario(drawn, corridor: dict[str, Any]) -> Scenario:
    return make_scenario(
        drawn.path,
        horizon="PT1H",
        origins=[point(drawn.lat_lon["a"], "a", people=10)],
        destinations=[point(drawn.lat_lon["c"], "c", capacity=10)],
        corridors=[corridor],
    )


def _letters(drawn, osm_path) -> str:
    names = {drawn.osm_id(ch): ch for ch in drawn.cells}
    return "".join(names[o] for o in osm_path)


CASES = [
    pytest.param({}, True, id="evacuation corridor for all vehicles"),
    pytest.param({"purpose": "both"}, True, id="evacuation-and-aid corridor"),
    pytest.param({"purpose": "aid"}, False, id="aid-only corridor (the reported case)"),
    pytest.param({"allowed_vehicle_classes": ["bus"]}, False, id="corridor for buses only"),
    pytest.param({"status": "proposed"}, False, id="proposed corridor, not in force"),
    pytest.param({"status": "suspended"}, False, id="suspended corridor"),
    pytest.param({"evacuees_must_use": False}, False, id="corridor evacuees may use"),
]


@pytest.mark.parametrize(("fields", "obliged"), CASES)
def test_route_plan_and_check_agree_on_the_corridor(square, fields, obliged) -> None:
    drawn, network = square
    scenario = _scenario(drawn, _corridor(drawn, **fields))
    networks = {TravelMode.DRIVE: network}
    corridor = scenario.corridors[0]
    expected_path = "adefc" if obliged else "abc"

    # The rule itself, for the group every part uses: a car (drive evacuees) carrying people.
    assert EVACUEE_VEHICLE[TravelMode.DRIVE] is VehicleClass.CAR
    assert must_use(corridor, "a", VehicleClass.CAR, Cargo.PEOPLE) is obliged
    assert (binding_corridor(scenario, "a", VehicleClass.CAR) is not None) is obliged

    # route
    route = best_route(network, scenario, "a", "c")
    assert route.corridor == ("k1" if obliged else None)
    assert _letters(drawn, route.osm_path(network)) == expected_path

    # planner
    problem = build_problem(scenario, networks)
    assert [layer.corridor for layer in problem.layers] == ["k1" if obliged else None]
    plan = plan_evacuation(scenario, networks=networks)
    assert plan.evacuated == 10
    assert {_letters(drawn, m.path) for m in plan.movements} == {expected_path}

    # check-plan: the plan keeps the rule ...
    assert check_plan(scenario, plan, networks=networks) == []
    # ... and a plan that takes the direct street breaks it exactly when the group is obliged.
    free = _scenario(drawn, _corridor(drawn, **{**fields, "evacuees_must_use": False}))
    direct = plan_evacuation(
        free,
        networks=networks,
    )
    assert {_letters(drawn, m.path) for m in direct.movements} == {"abc"}
    violations = check_plan(scenario, direct, networks=networks)
    if obliged:
        assert violations
        assert all("never uses corridor 'k1', which evacuees must use" in v for v in violations)
    else:
        assert violations == []


def test_the_rule_per_group(square) -> None:
    """Who must use which corridor: cargo, vehicle class, served origins, the first of two."""
    drawn, _ = square
    scenario = make_scenario(
        drawn.path,
        origins=[point(drawn.lat_lon["a"], "a", people=1), point(drawn.lat_lon["b"], "b", people=1)],
        destinations=[point(drawn.lat_lon["c"], "c", capacity=2)],
        corridors=[
            _corridor(drawn, id="buses", allowed_vehicle_classes=["bus"]),
            _corridor(drawn, id="for-a", origins=["a"]),
            _corridor(drawn, id="all"),
        ],
    )
    buses, for_a, everyone = scenario.corridors
    assert must_use(buses, "a", VehicleClass.BUS, Cargo.PEOPLE)
    assert not must_use(buses, "a", VehicleClass.CAR, Cargo.PEOPLE)
    assert not must_use(everyone, "a", VehicleClass.TRUCK, Cargo.FOOD)  # aid goods are not evacuees
    assert not must_use(for_a, "b", VehicleClass.CAR, Cargo.PEOPLE)
    assert binding_corridor(scenario, "a", VehicleClass.CAR) is for_a  # the first that binds
    assert binding_corridor(scenario, "b", VehicleClass.CAR) is everyone
    assert binding_corridor(scenario, "b", VehicleClass.BUS) is buses
    assert binding_corridor(scenario, "a", VehicleClass.CAR, Cargo.MEDICINE) is None
