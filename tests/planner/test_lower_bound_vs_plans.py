"""Every proven lower bound is at most the clearance of *every* plan ``check-plan`` accepts.

Each plan's ``lower_bound_s`` claims to hold for all valid plans moving as many people, not only
for the plan it comes with (whose clearance ``proven_lower_bound`` already checks). Plans of the
planner's model at other time steps (``substeps``) are other valid plans: every bound must stay
at or below each of their clearances. On drawn squares with a random blockage (hypothesis) and on
the Helsinki demo.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.scenario import load_scenario

from .solver_scenarios import blockage, drive_networks, scenario_on

RES = {"highway": "residential"}
# Direct street o-d (48 s) and a detour o-p-q-d (96 s), 10 people per minute on each link.
SQUARE = """
o---d
|   |
p---q
"""
SQUARE_WAYS = [("od", RES), ("op", RES), ("pqd", RES)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(1, 80),
    st.sampled_from([None, ("o", "d"), ("o", "p"), ("q", "d")]),
    st.integers(1, 9),
)
def test_bounds_of_plans_at_different_steps_stay_below_every_clearance(
    ascii_network, people, closed, minutes
):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    extra = {} if closed is None else {"blockages": [blockage("convoy", *closed, until=f"08:{minutes:02d}")]}
    scenario = scenario_on(drawn, [("o", "o", people)], [("d", "d", 1000)], **extra)
    networks = drive_networks(drawn)
    plans = [plan_evacuation(scenario, networks=networks, substeps=s) for s in (1, 4, 12)]
    for plan in plans:
        assert check_plan(scenario, plan, networks=networks) == []
        assert plan.evacuated == people
    assert max(p.lower_bound_s for p in plans) <= min(p.clearance_time_s for p in plans)


@pytest.mark.slow
def test_demo_bounds_stay_below_the_clearance_of_every_step():
    path = Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))
    scenario = load_scenario(path)
    plans = {s: plan_evacuation(scenario, substeps=s) for s in (1, 4, 12)}
    for plan in plans.values():
        assert check_plan(scenario, plan) == []
    clearances = {s: p.clearance_time_s for s, p in plans.items()}
    assert clearances == {1: 5580.0, 4: 4950.0, 12: 4875.0}
    assert {p.lower_bound_s for p in plans.values()} == {4750.0}  # the window cut (10 s substeps)
    assert max(p.lower_bound_s for p in plans.values()) <= min(clearances.values())
