"""``replan``: after one incident on a busy road, only people not yet gone are planned again.

The Helsinki demo, and its plan: at 08:30 (step 30) a verified shelling report (UN source, 40 m)
closes the junction most people of the plan still had to cross. The re-plan starts at the next
step, keeps the groups already on the road (not in the new plan) and those the incident does not
hit (in the new plan, unchanged), plans the others again around the closed roads, and moves every
person not yet gone; ``check-plan`` accepts it on the remaining scenario. Hand-checked cases and
invariants on random instances: ``test_replan_incremental.py``.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from safepassage.errors import InputError
from safepassage.hazards import link_closures
from safepassage.network import load_scenario_networks
from safepassage.planner import plan_evacuation, replan
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import Plan
from safepassage.planner.replan import remaining_scenario
from safepassage.scenario import Scenario, load_scenario
from safepassage.scenario.model import Hazard


def busiest_node_after(plan: Plan, after_s: float) -> int:
    """The OSM node most people of ``plan`` enter after ``after_s`` (not an origin's or destination's)."""
    counts: Counter[int] = Counter()
    for m in plan.movements:
        for node, t in zip(m.path[1:-1], m.entry_times_s[1:-1], strict=True):
            if t > after_s:
                counts[node] += m.people
    return counts.most_common(1)[0][0]


def shelling_at(lat: float, lon: float, when: dt.datetime) -> Hazard:
    return Hazard.model_validate(
        {
            "id": "replan-test-shelling",
            "kind": "shelling",
            "area": {"lat": lat, "lon": lon, "radius_m": 40},
            "observed_at": when.isoformat(),
            "source": {"name": "UN field report", "type": "un"},
            "verification": "verified",
        }
    )


@pytest.fixture(scope="module")
def demo() -> tuple[Scenario, Any, Plan]:
    path = Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))
    scenario = load_scenario(path)
    networks = load_scenario_networks(scenario, {o.mode for o in scenario.origins})
    return scenario, networks, plan_evacuation(scenario, networks=networks)


def test_replan_after_an_incident_on_the_busiest_junction(demo: tuple[Scenario, Any, Plan]) -> None:
    scenario, networks, plan = demo
    now = scenario.at(30 * 60.0 + 20.0)  # 08:30:20: the re-plan starts at 08:31
    network = next(iter(networks.values()))
    node = network.node_index(busiest_node_after(plan, 31 * 60.0))
    incident = shelling_at(float(network.node_lat[node]), float(network.node_lon[node]), now)

    new = replan(plan, incident, now, scenario=scenario, networks=networks)

    start = scenario.at(31 * 60.0)
    assert new.start == start
    remaining = remaining_scenario(scenario, plan, start, [*scenario.hazards, incident])
    assert check_plan(remaining, new, networks=networks) == []
    gone = sum(m.people for m in plan.movements if m.departure < start)
    assert gone > 0
    assert new.people_total == scenario.people_total - gone
    assert new.evacuated + sum(u.people for u in new.unserved) == new.people_total
    details = new.solver.details["replan"]
    assert isinstance(details, dict)
    assert details["incident"] == incident.id
    assert (
        int(details["people_replanned"])
        + int(details["people_kept_as_planned"])
        + int(details["people_left_unserved_before"])
        == new.people_total
    )
    assert int(details["people_replanned"]) > 0  # the incident hits some groups not yet gone
    assert (
        0 < int(details["groups_kept_on_the_road"]) <= len([m for m in plan.movements if m.departure < start])
    )
    assert new.solver.mode == "bounded"
    assert new.lower_bound_s <= new.clearance_time_s
    # Nothing of the new plan enters a link the incident closes while it is closed.
    closures = link_closures(network, remaining)
    closed = {
        (int(network.node_osm_id[network.link_tail[k]]), int(network.node_osm_id[network.link_head[k]]))
        for k in closures.link[["replan-test-shelling" in r for r in closures.reason]].tolist()
    }
    assert closed, "the incident closes some road"
    used = {(m.path[i], m.path[i + 1]) for m in new.movements for i in range(len(m.path) - 1)}
    assert not closed & used
    # The old plan used those roads after the re-plan's start: the incident changed something.
    old_used = {
        (m.path[i], m.path[i + 1])
        for m in plan.movements
        for i in range(len(m.path) - 1)
        if m.entry_times_s[i] >= 31 * 60.0
    }
    assert closed & old_used


def test_replan_after_the_end_is_refused(demo: tuple[Scenario, Any, Plan]) -> None:
    scenario, networks, plan = demo
    incident = shelling_at(60.17, 24.94, scenario.end)
    with pytest.raises(InputError, match="nothing is left to re-plan"):
        replan(plan, incident, scenario.end, scenario=scenario, networks=networks)
