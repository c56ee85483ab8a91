"""Private cars: people who leave by themselves by car, planned by the flow planner, in vehicles.

A share of each origin's people leave by themselves (``fleet.private_cars.share_leaving_alone``;
never those with reduced mobility, who wait for adapted vehicles), and of them a share drive
(``share_by_car``). The existing flow planner (``safepassage.planner.plan_evacuation``) plans
those drivers as its own scenario (the same roads, hazards and reception capacity, the car
occupancy as ``people_per_vehicle``); its movements are then grouped per origin, destination and
departure slot (``slot_s``, 10 minutes by default; the route shown is the one most of them take;
a slot with fewer people than one car holds joins the slot before it) and counted in vehicles
(``ceil(people / people_per_car)``) -- a dispatcher reads "12 cars leave Kauppatori 09:00-09:10
by Unioninkatu to Hakaniemi", never a one-person row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from safepassage.fleet.schedule import PrivateCarSlot
from safepassage.fleet.street_names import path_street_names
from safepassage.network import RoadNetwork
from safepassage.scenario.fleet import REDUCED_MOBILITY, Fleet
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["car_drivers", "plan_private_cars"]


def car_drivers(scenario: Scenario, fleet: Fleet) -> dict[str, int]:
    """People of each origin who leave by themselves in a private car."""
    out: dict[str, int] = {}
    for origin in scenario.origins:
        rm = origin.needs.get(REDUCED_MOBILITY, 0)
        alone = math.floor(fleet.private_cars.share_leaving_alone * (origin.people - rm))
        drivers = math.floor(fleet.private_cars.share_by_car * alone)
        if drivers > 0:
            out[origin.id] = drivers
    return out


def plan_private_cars(
    scenario: Scenario,
    fleet: Fleet,
    *,
    network: RoadNetwork | None = None,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
) -> tuple[list[PrivateCarSlot], dict[str, object]]:
    """Departure slots of private cars and the flow plan's figures (clearance, bound, gap)."""
    from safepassage.planner import plan_evacuation

    drivers = car_drivers(scenario, fleet)
    if not drivers:
        return [], {"people": 0}
    origins = [
        o.model_copy(update={"people": drivers[o.id], "needs": {}, "mode": TravelMode.DRIVE})
        for o in scenario.origins
        if o.id in drivers
    ]
    capacity = scenario.capacity.model_copy(update={"people_per_vehicle": fleet.private_cars.people_per_car})
    sub = scenario.model_copy(update={"origins": origins, "fleet": None, "capacity": capacity})
    given = dict(networks or {})
    if network is not None:
        given.setdefault(TravelMode.DRIVE, network)
    plan = plan_evacuation(sub, mode="fast", networks=given)
    road = given.get(TravelMode.DRIVE)
    slot_s = float(fleet.private_cars.slot_s)
    per_slot: dict[tuple[str, str, int], dict[tuple[str, ...], int]] = {}
    for movement in plan.movements:
        slot = int(sub.seconds_since_start(movement.departure) // slot_s)
        streets = tuple(path_street_names(road, movement.path)) if road is not None else ()
        routes = per_slot.setdefault((movement.origin, movement.destination, slot), {})
        routes[streets] = routes.get(streets, 0) + movement.people
    rows: list[list[object]] = []  # origin, destination, first slot, last slot, people, streets
    for (origin, dest, slot), routes in sorted(
        per_slot.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])
    ):
        people = sum(routes.values())
        main = max(routes.items(), key=lambda kv: kv[1])[0]
        last = rows[-1] if rows else None
        small = people < fleet.private_cars.people_per_car or (last is not None and int(last[4]) < 2)  # type: ignore[call-overload]
        if last is not None and last[0] == origin and last[1] == dest and small:
            last[3] = slot
            last[4] = int(last[4]) + people  # type: ignore[call-overload]
        else:
            rows.append([origin, dest, slot, slot, people, main])
    slots = [
        PrivateCarSlot(
            origin=str(origin),
            destination=str(dest),
            slot_start_s=int(first) * slot_s,  # type: ignore[call-overload]
            slot_end_s=min((int(last) + 1) * slot_s, scenario.horizon_s),  # type: ignore[call-overload]
            vehicles=math.ceil(int(people) / fleet.private_cars.people_per_car),  # type: ignore[call-overload]
            people=int(people),  # type: ignore[call-overload]
            streets=list(streets),  # type: ignore[call-overload]
        )
        for origin, dest, first, last, people, streets in sorted(rows, key=lambda r: (r[2], r[0]))
    ]
    details: dict[str, object] = {
        "people": sum(drivers.values()),
        "evacuated": plan.evacuated,
        "clearance_s": plan.clearance_time_s,
        "lower_bound_s": plan.lower_bound_s,
        "gap": plan.gap,
        "movements": len(plan.movements),
        "slots": len(slots),
    }
    return slots, details
