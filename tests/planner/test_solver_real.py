"""The solver on real OSM data: the bundled Helsinki demo (with variants) and West Oakland.

Every plan goes through the independent checker (``safepassage.planner.check``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import pytest

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.scenario import Scenario, load_scenario


def _demo() -> Scenario:
    path = Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))
    if not path.is_file():
        pytest.skip("the demo scenario is not bundled")
    return load_scenario(path)


def _variant(scenario: Scenario, change: Any) -> Scenario:
    data = scenario.model_dump(mode="json", by_alias=True)
    change(data)
    return Scenario.model_validate(data)


def _valid(scenario: Scenario, **kwargs: Any):
    plan = plan_evacuation(scenario, **kwargs)
    assert check_plan(scenario, plan) == []
    assert plan.evacuated + sum(u.people for u in plan.unserved) == plan.people_total
    assert plan.lower_bound_s <= plan.clearance_time_s
    return plan


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_helsinki_demo_plan_is_valid_and_bounded(mode):
    scenario = _demo()
    plan = _valid(scenario, mode=mode)
    assert plan.evacuated == plan.people_total  # the demo is feasible by design
    assert plan.gap is not None
    assert 0.0 <= plan.gap < 0.5
    assert plan.solver.mode == mode
    # Nobody enters the corridor before its ceasefire window opens (09:00, one hour after start):
    # the origins on the corridor leave no earlier than that or by other roads; the checker
    # verifies every entry, here we check the plan is not trivially empty.
    assert len(plan.movements) > 10


@pytest.mark.slow
def test_helsinki_mandatory_corridor_for_some_origins():
    def must_use(data: dict[str, Any]) -> None:
        data["corridors"][0]["evacuees_must_use"] = True  # serves kauppatori and senaatintori only

    scenario = _variant(_demo(), must_use)
    plan = _valid(scenario)
    restricted = [m for m in plan.movements if m.origin in {"kauppatori", "senaatintori"}]
    assert restricted
    assert all(m.departure_s >= 3600.0 for m in restricted)  # the corridor opens at 09:00
    assert plan.solver.details["layers"] == ["drive", "drive via corridor unioninkatu-corridor"]


@pytest.mark.slow
def test_risk_pass_trades_clearance_for_exposure():
    def early_risk(data: dict[str, Any]) -> None:
        data["hazards"].append(
            {
                "id": "early-report",
                "kind": "shelling",
                "area": {"lat": 60.1680, "lon": 24.9440, "radius_m": 250},
                "observed_at": "2022-03-05T08:00:00+02:00",
                "source": {"name": "social post", "type": "social"},
                "verification": "unverified",
            }
        )

    scenario = _variant(_demo(), early_risk)
    quickest = _valid(scenario)
    relaxed = _valid(scenario, max_delay=0.2)
    risk = quickest.solver.details["risk_pass"]
    assert isinstance(risk, dict)
    assert risk["ran"] is True
    assert risk["exposure_after_risk_points"] <= risk["exposure_before_risk_points"]
    assert relaxed.exposure.total <= quickest.exposure.total + 1e-6
    assert relaxed.clearance_time_s <= quickest.clearance_time_s * 1.2 + 1e-6
    assert quickest.exposure.total == pytest.approx(sum(m.exposure for m in quickest.movements))
    # The tidy travel term is folded in lexicographically: it changes no risk optimum.
    tidy = quickest.solver.details["tidy_pass"]
    assert isinstance(tidy, dict)
    assert tidy["ran"] is True
    assert tidy["folded_into_risk_pass"] is True
    risk_only = _valid(scenario, tidy_arc_budget=0)
    assert risk_only.solver.details["tidy_pass"]["ran"] is False
    assert quickest.exposure.total == pytest.approx(risk_only.exposure.total)
    assert len(quickest.movements) < len(risk_only.movements)


@pytest.mark.parametrize("walkers_mode", ["drive", "walk"])
def test_west_oakland_with_a_curfew(west_oakland, walkers_mode):
    # One plan per mode mix: the plan file's ``edges`` are keyed by (u, v) without the mode, so a
    # link used both on foot and by car cannot be listed with both travel times (see the report).
    scenario = Scenario.model_validate(
        {
            "name": "West Oakland",
            "network": {"path": str(west_oakland), "modes": ["drive", "walk"]},
            "start": "2022-03-05T08:00:00-08:00",
            "horizon": "PT3H",
            "origins": [
                {"id": "north", "name": "north", "lat": 37.8170, "lon": -122.2920, "people": 400},
                {"id": "south", "name": "south", "lat": 37.8060, "lon": -122.3020, "people": 300},
                {
                    "id": "walkers",
                    "name": "walkers",
                    "lat": 37.8120,
                    "lon": -122.2960,
                    "people": 120,
                    "mode": walkers_mode,
                },
            ],
            "destinations": [
                {"id": "east", "name": "east", "lat": 37.8100, "lon": -122.2910, "capacity": 500},
                {"id": "west", "name": "west", "lat": 37.8150, "lon": -122.3030, "capacity": 500},
            ],
            "curfews": [{"id": "c1", "from": "08:30", "to": "09:00"}],
        }
    )
    if walkers_mode == "walk":
        data = scenario.model_dump(mode="json", by_alias=True)
        data["origins"] = [o for o in data["origins"] if o["id"] == "walkers"]
        scenario = Scenario.model_validate(data)
    plan = _valid(scenario)
    assert plan.evacuated == (120 if walkers_mode == "walk" else 820)
    modes = {m.origin: m.mode.value for m in plan.movements}
    assert modes["walkers"] == walkers_mode
    for m in plan.movements:  # no entry during the curfew (08:30-09:00 = 1800-3600 s after start)
        for t in m.entry_times_s[:-1]:
            assert not 1800.0 <= t < 3600.0
