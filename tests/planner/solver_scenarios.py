"""Scenarios on tiny ASCII networks for the solver tests, built in code with the pydantic models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from asciimap import AsciiNetwork
from safepassage.network import RoadNetwork, load_network
from safepassage.planner.plan_file import Plan
from safepassage.scenario import Scenario
from safepassage.scenario.vocabulary import TravelMode

#: 600 vehicles per hour on one residential lane, one person per vehicle: 10 people per 60 s step.
TEN_PER_STEP = {"vehicles_per_hour_per_lane": {"residential": 600.0}, "people_per_vehicle": 1.0}


def scenario_on(
    drawn: AsciiNetwork,
    origins: Sequence[tuple[str, str, int]],
    destinations: Sequence[tuple[str, str, int]],
    *,
    start: str = "2022-03-05T08:00:00+02:00",
    horizon: str = "PT1H",
    **extra: Any,
) -> Scenario:
    """A scenario whose origins / destinations sit on drawn nodes: ``(id, node character, number)``."""
    data: dict[str, Any] = {
        "name": "ascii test",
        "network": {"path": str(drawn.path)},
        "start": start,
        "horizon": horizon,
        "time_step_s": 60,
        "timezone": "Europe/Helsinki",
        "origins": [
            {"id": i, "name": i, "lat": drawn.lat(c), "lon": drawn.lon(c), "people": n} for i, c, n in origins
        ],
        "destinations": [
            {"id": i, "name": i, "lat": drawn.lat(c), "lon": drawn.lon(c), "capacity": n}
            for i, c, n in destinations
        ],
        "capacity": TEN_PER_STEP,
    }
    data.update(extra)
    return Scenario.model_validate(data)


def blockage(reason: str, u: str, v: str, *, until: str) -> dict[str, Any]:
    """A blockage ``b1`` of the drawn link u-v from the scenarios' start (08:00) until ``until`` (HH:MM)."""
    return {
        "id": "b1",
        "reason": reason,
        "links": [[ord(u), ord(v)]],
        "from": "2022-03-05T08:00:00+02:00",
        "until": f"2022-03-05T{until}:00+02:00",
    }


def drive_networks(drawn: AsciiNetwork) -> dict[TravelMode, RoadNetwork]:
    return {TravelMode.DRIVE: load_network(drawn.path, TravelMode.DRIVE, use_cache=False)}


def hops(plan: Plan) -> list[tuple[int, int, float, int]]:
    """Every (u, v, entry time, people) a plan's movements take."""
    out: list[tuple[int, int, float, int]] = []
    for m in plan.movements:
        for i in range(len(m.path) - 1):
            out.append((m.path[i], m.path[i + 1], m.entry_times_s[i], m.people))
    return out


def people_per_link_step(plan: Plan) -> Counter[tuple[int, int, int]]:
    """People entering each link (u, v) in each time step, counted independently of the checker."""
    counts: Counter[tuple[int, int, int]] = Counter()
    for u, v, t, people in hops(plan):
        counts[(u, v, int(t // plan.time_step_s))] += people
    return counts
