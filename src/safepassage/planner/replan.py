"""Re-plan after an incident: groups on the road stay where they are, the rest is planned again.

``replan(plan, incident, now, scenario=...)``:

1. the re-plan starts at the first time step at or after ``now`` (``start'``);
2. groups of ``plan`` that depart before ``start'`` are on the road (or arrived): they keep their
   routes and are not re-planned; their people leave their origins, and the reception places they
   will take are taken;
3. the incident joins the scenario's hazards (unless a hazard with its id is there already), so
   whatever it closes is closed for the new plan (``safepassage.hazards.link_closures``);
4. everybody not yet gone is planned from ``start'`` (a scenario starting there, horizon to the
   old end), **warm-started** from the previous solution: the first horizon the search probes is
   what remained of the old plan's clearance, so on a small change one probe brackets T* and the
   bisection is short.

The result is a plan of the remaining scenario (``start'``, remaining people and reception
capacity), checked like any plan. What it does not do: subtract the road capacity the groups
still on the road use after ``start'`` (they are not in the new plan; the re-plan's details say
how many there are and until when they drive, ``on_road_until_s``).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Mapping

from pydantic import JsonValue

from safepassage.errors import InputError
from safepassage.network import RoadNetwork
from safepassage.planner.plan_file import Plan
from safepassage.planner.problem import build_problem
from safepassage.planner.solve import PlanningMode, plan_problem
from safepassage.scenario.model import Destination, Hazard, Origin, Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["remaining_scenario", "replan", "replan_start"]


def replan_start(scenario: Scenario, now: dt.datetime) -> dt.datetime:
    """The first time step of ``scenario`` at or after ``now``."""
    steps = math.ceil(max(0.0, scenario.seconds_since_start(now)) / scenario.time_step_s - 1e-9)
    return scenario.at(steps * scenario.time_step_s)


def remaining_scenario(scenario: Scenario, plan: Plan, start: dt.datetime, hazards: list[Hazard]) -> Scenario:
    """``scenario`` from ``start``: people of groups departing before it gone, their places taken."""
    left: Counter[str] = Counter()
    promised: Counter[str] = Counter()
    for movement in plan.movements:
        if movement.departure < start:
            left[movement.origin] += movement.people
            promised[movement.destination] += movement.people
    origins: list[Origin] = [
        o.model_copy(update={"people": max(0, o.people - left[o.id]), "needs": {}}) for o in scenario.origins
    ]
    destinations: list[Destination] = [
        d.model_copy(update={"capacity": max(0, d.capacity - promised[d.id])}) for d in scenario.destinations
    ]
    return scenario.model_copy(
        update={
            "start": start,
            "horizon": scenario.end - start,
            "origins": origins,
            "destinations": destinations,
            "hazards": hazards,
        }
    )


def replan(
    plan: Plan,
    incident: Hazard,
    now: dt.datetime,
    *,
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
    mode: PlanningMode = "exact",
) -> Plan:
    """The plan for everybody not yet gone at ``now`` once ``incident`` is known (module docstring).

    ``scenario`` is the one ``plan`` was made for. Raises ``InputError`` when ``now`` lies at or
    beyond the scenario's end (nothing left to plan).
    """
    began = time.perf_counter()
    start = replan_start(scenario, now)
    if start >= scenario.end:
        raise InputError(
            f"now: {now.isoformat()} is at or after the scenario's end ({scenario.end.isoformat()}); "
            "nothing is left to re-plan"
        )
    hazards = list(scenario.hazards)
    if all(h.id != incident.id for h in hazards):
        hazards.append(incident)
    remaining = remaining_scenario(scenario, plan, start, hazards)
    elapsed_s = scenario.seconds_since_start(start)
    on_road = [m for m in plan.movements if m.departure < start and m.arrival_s > elapsed_s]
    hint_s = max(0.0, plan.clearance_time_s - elapsed_s)
    problem = build_problem(remaining, networks)
    new = plan_problem(problem, mode=mode, began=began, first_probe_s=hint_s if hint_s > 0 else None)
    details: dict[str, JsonValue] = dict(new.solver.details)
    details["replan"] = {
        "incident": incident.id,
        "from": start.isoformat(),
        "groups_kept_on_the_road": len(on_road),
        "people_kept_on_the_road": sum(m.people for m in on_road),
        "on_road_until_s": max((m.arrival_s - elapsed_s for m in on_road), default=0.0),
        "people_replanned": remaining.people_total,
        "warm_start_first_probe_s": hint_s,
    }
    solver = new.solver.model_copy(update={"details": details, "wall_time_s": time.perf_counter() - began})
    return new.model_copy(update={"solver": solver})
