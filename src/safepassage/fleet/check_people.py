"""Schedule checker rules on people: picked up once or unserved, never before they arrive,
reception capacity, stations feeding trains, and the summary (see ``fleet/check.py``)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from safepassage.fleet.check_world import TIME_TOLERANCE_S, ViolationLog, World, num_text, where_text
from safepassage.fleet.schedule import Schedule, schedule_gap

__all__ = ["check_people", "check_summary"]


def check_people(world: World, schedule: Schedule, out: ViolationLog) -> None:
    boarded: dict[str, list[tuple[float, int]]] = defaultdict(list)
    received: dict[str, int] = defaultdict(int)
    dropped: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            for b in trip.pickups:
                boarded[b.point].append((b.depart_s, b.people))
                if world.kinds.get(b.point) not in ("pickup", "station"):
                    out.add(
                        "places",
                        f"{where_text(vehicle, trip)}: loads at {b.point!r}, no pickup point or station",
                    )
            kind = world.kinds.get(trip.destination)
            if kind == "destination":
                received[trip.destination] += trip.people
                if trip.arrive_destination_s > world.scenario.horizon_s + TIME_TOLERANCE_S:
                    out.add(
                        "horizon",
                        f"{where_text(vehicle, trip)}: arrives at {num_text(trip.arrive_destination_s)} s, "
                        f"after the horizon ends ({num_text(world.scenario.horizon_s)} s)",
                    )
            elif kind == "station":
                dropped[trip.destination].append((trip.unloaded_at_s, trip.people))
            elif not (vehicle.type == "train" or any(leg.mode == "rail" for leg in trip.legs)):
                out.add(
                    "places", f"{where_text(vehicle, trip)}: unloads at {trip.destination!r}, no destination"
                )
    by_car = _check_private_cars(world, schedule, out)
    for dest in world.scenario.destinations:
        total = received[dest.id] + by_car[dest.id]
        if total > dest.capacity:
            cars = f" ({by_car[dest.id]} of them by private car)" if by_car[dest.id] else ""
            out.add(
                "reception",
                f"destination {dest.id!r} receives {total} people{cars}, more than its "
                f"reception capacity of {dest.capacity}",
            )
    _check_stations(world, boarded, dropped, out)
    _check_conservation(world, schedule, boarded, out)


def _check_private_cars(world: World, schedule: Schedule, out: ViolationLog) -> dict[str, int]:
    """Private-car slots: known places, a slot of positive length, cars = ceil(people / people per
    car of the scenario). Returns the people they bring to each destination."""
    by_car: dict[str, int] = defaultdict(int)
    per_car = float(world.fleet.private_cars.people_per_car) if world.fleet is not None else None
    for i, slot in enumerate(schedule.private_cars):
        where = f"private_cars[{i}] ({slot.origin!r} -> {slot.destination!r})"
        if world.kinds.get(slot.origin) != "pickup" or world.kinds.get(slot.destination) != "destination":
            out.add("places", f"{where}: expected a pickup point of the scenario to one of its destinations")
        if slot.slot_end_s <= slot.slot_start_s:
            out.add("cars", f"{where}: the slot ends at {num_text(slot.slot_end_s)} s, not after it starts")
        if per_car is not None and slot.vehicles != math.ceil(slot.people / per_car):
            out.add(
                "cars",
                f"{where}: {slot.people} people at {per_car:g} a car are {math.ceil(slot.people / per_car)} "
                f"cars, not {slot.vehicles}",
            )
        by_car[slot.destination] += slot.people
    return by_car


def _check_stations(
    world: World,
    boarded: dict[str, list[tuple[float, int]]],
    dropped: dict[str, list[tuple[float, int]]],
    out: ViolationLog,
) -> None:
    transfer = {s.id: float(s.transfer_s) for s in (world.fleet.stations if world.fleet else [])}
    for station, transfer_s in transfer.items():
        for depart_s, _ in sorted(boarded.get(station, [])):
            ready = sum(
                n for t, n in dropped.get(station, []) if t + transfer_s <= depart_s + TIME_TOLERANCE_S
            )
            gone = sum(n for t, n in boarded[station] if t <= depart_s + TIME_TOLERANCE_S)
            if gone > ready:
                out.add(
                    "reception",
                    f"station {station!r}: {gone} people have left by train at {num_text(depart_s)} s "
                    f"but only {ready} were brought there at least {num_text(transfer_s)} s before",
                )
                break


def _check_conservation(
    world: World, schedule: Schedule, boarded: dict[str, list[tuple[float, int]]], out: ViolationLog
) -> None:
    unserved: dict[str, int] = defaultdict(int)
    for u in schedule.unserved:
        unserved[u.point] += u.people
        if world.kinds.get(u.point) != "pickup":
            out.add("places", f"unserved: {u.point!r} is not a pickup point of the scenario")
    by_cars: dict[str, int] = defaultdict(int)
    for slot in schedule.private_cars:
        by_cars[slot.origin] += slot.people
    listed = {p.point: p for p in schedule.pickups}
    for origin in world.scenario.origins:
        collected = sum(n for _, n in boarded.get(origin.id, []))
        if origin.id not in listed and not collected and not unserved[origin.id]:
            continue
        waiting = listed[origin.id].people if origin.id in listed else origin.people - by_cars[origin.id]
        if waiting + by_cars[origin.id] > origin.people:
            out.add(
                "people",
                f"pickup point {origin.id!r}: the schedule has {waiting} waiting and "
                f"{by_cars[origin.id]} leaving by car, more than the {origin.people} people there",
            )
        if collected + unserved[origin.id] != waiting:
            out.add(
                "people",
                f"pickup point {origin.id!r}: {waiting} people wait for vehicles but the schedule "
                f"picks up {collected} and lists {unserved[origin.id]} as unserved; expected every person "
                "picked up once or listed unserved with a reason",
            )
        _check_arrivals(world, origin.id, origin.people, boarded.get(origin.id, []), out)


def _check_arrivals(
    world: World, origin: str, people: int, boarded: list[tuple[float, int]], out: ViolationLog
) -> None:
    """People arriving later at a pickup point are not picked up before they are there."""
    if world.fleet is None:
        return
    later = [
        (world.scenario.seconds_since_start(a.at), a.people)
        for a in world.fleet.arrivals
        if a.origin == origin
    ]
    if not later:
        return
    for at_s, _ in sorted(boarded):
        present = people - sum(n for t, n in later if t > at_s + TIME_TOLERANCE_S)
        gone = sum(n for t, n in boarded if t <= at_s + TIME_TOLERANCE_S)
        if gone > present:
            out.add(
                "people",
                f"pickup point {origin!r}: {gone} people picked up by {num_text(at_s)} s but only "
                f"{present} are there by then",
            )
            return


def check_summary(world: World, schedule: Schedule, out: ViolationLog) -> None:
    summary = schedule.summary
    last = max(_deliveries_s(world, schedule), default=0.0)
    if abs(summary.last_arrival_s - last) > TIME_TOLERANCE_S:
        out.add(
            "summary",
            f"summary.last_arrival_s is {num_text(summary.last_arrival_s)} s but the last people "
            f"arrive at {num_text(last)} s",
        )
    if summary.last_arrival_s < schedule.solver.lower_bound_s - TIME_TOLERANCE_S:
        out.add(
            "summary",
            f"last arrival {num_text(summary.last_arrival_s)} s is below the claimed lower bound "
            f"{num_text(schedule.solver.lower_bound_s)} s; a schedule cannot beat a proven bound",
        )
    gap = schedule_gap(summary.last_arrival_s, schedule.solver.lower_bound_s)
    if (gap is None) != (schedule.solver.gap is None) or (
        gap is not None and schedule.solver.gap is not None and abs(gap - schedule.solver.gap) > 1e-6
    ):
        out.add("summary", f"solver.gap is {schedule.solver.gap} but last arrival / bound - 1 = {gap}")
    trips = sum(len(v.trips) for v in schedule.vehicles)
    used = sum(1 for v in schedule.vehicles if v.trips)
    if summary.trips != trips or summary.vehicles_used != used:
        out.add(
            "summary",
            f"summary counts {summary.trips} trips and {summary.vehicles_used} vehicles but the "
            f"schedule has {trips} trips by {used} vehicles",
        )


def _deliveries_s(world: World, schedule: Schedule) -> Iterator[float]:
    """When people are delivered: a trip's arrival at a destination of the scenario, or the
    departure of a train (its rail leg leaving the station)."""
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            rail = [leg for leg in trip.legs if leg.mode == "rail"]
            if rail:
                yield rail[0].depart_s
            elif world.kinds.get(trip.destination) == "destination":
                yield trip.arrive_destination_s
