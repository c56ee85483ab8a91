"""The dispatch sheet: per vehicle its trips in order, per pickup point who is collected when.

What a dispatcher reads aloud on a radio: "Bus 3, trip 2: leave Kaisaniemi depot 08:40+02:00 by
Unioninkatu → Kaivokatu, load 50 at Lasipalatsi, by Mannerheimintie → Hämeentie to Arabia
reception, arrive 09:12+02:00, unloaded 09:15+02:00, then back for trip 3." One row per trip
(:class:`TripLine`), one per collection at a pickup point (:class:`PickupLine`), built from a
``safepassage-schedule/1`` :class:`~safepassage.fleet.schedule.Schedule` and shown as

- a terminal table (:func:`sheet_tables`, rich renderables the CLI prints; never printed here),
- a CSV file of trips (:func:`write_trips_csv`) and one of pickups (:func:`write_pickups_csv`),
- a printable HTML page (``fleet/sheet_html.py``); the JSON is the schedule file itself.

Every time is shown through :mod:`safepassage.local_time` in the schedule's zone with the offset in
force at that instant (``08:40+02:00``; with the date when it is not the start's day).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from safepassage.atomic_file import atomic_text_output
from safepassage.fleet.schedule import Leg, Schedule, Trip, VehicleSchedule
from safepassage.fleet.street_names import ROUTE_ARROW, collapse_names, route_text
from safepassage.local_time import clock_text, in_zone, offset_text, stamp_text

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "CarLine",
    "PickupLine",
    "TripLine",
    "Wait",
    "car_lines",
    "coverage_text",
    "needs_text",
    "pickup_lines",
    "sheet_tables",
    "summary_text",
    "time_text",
    "trip_lines",
    "trip_waits",
    "wait_text",
    "write_pickups_csv",
    "write_trips_csv",
]


@dataclass(frozen=True)
class TripLine:
    """One trip of one vehicle, every value as text for a person (times in the schedule's zone)."""

    vehicle: str
    type: str
    trip: int
    leave_from: str
    leave_at: str
    route_to_pickup: str
    pickup: str
    people: int
    route_to_destination: str
    destination: str
    arrive: str
    unloaded: str
    then: str
    waits: str = ""


@dataclass(frozen=True)
class PickupLine:
    """One collection at a pickup point: who is collected when, by which vehicle."""

    point: str
    at: str
    vehicle: str
    trip: int
    people: int
    needs: str


def time_text(schedule: Schedule, seconds: float) -> str:
    """``08:40+02:00`` on the start's local day, ``2022-03-06 08:40+02:00`` on another day."""
    zone = schedule.zone()
    instant = schedule.at(seconds)
    same_day = in_zone(instant, zone).date() == in_zone(schedule.start, zone).date()
    return clock_text(instant, zone) if same_day else stamp_text(instant, zone)


#: A stop longer than this (seconds) is shown as its own "wait at ..." line.
WAIT_SHOWN_S: float = 60.0


@dataclass(frozen=True)
class Wait:
    """A vehicle standing at ``place`` from ``start_s`` to ``end_s`` (seconds after the start)
    with ``aboard`` people on board (0: empty), before its next leg departs."""

    place: str
    start_s: float
    end_s: float
    aboard: int

    @property
    def minutes(self) -> int:
        return round((self.end_s - self.start_s) / 60)


def trip_waits(trip: Trip) -> list[Wait]:
    """Every stop of ``trip`` longer than :data:`WAIT_SHOWN_S` between being ready at a place
    (arrived there, or done loading there) and the departure of the next leg, in travel order.

    Derived from the legs' and boardings' times: a vehicle that arrives (or finishes loading) at
    08:27 and whose next leg departs at 09:00 waits 33 minutes there, with the people loaded so far.
    """
    waits: list[Wait] = []
    place, ready_s, aboard, k = trip.leave_from, trip.leave_at_s, 0, 0
    for leg in trip.legs:
        while k < len(trip.pickups) and trip.pickups[k].point == place:
            aboard += trip.pickups[k].people
            ready_s = max(ready_s, trip.pickups[k].depart_s)
            k += 1
        if leg.depart_s - ready_s > WAIT_SHOWN_S:
            waits.append(Wait(place, ready_s, leg.depart_s, aboard))
        place, ready_s = leg.to_place, leg.arrive_s
    return waits


def wait_text(wait: Wait, clock: Callable[[float], str]) -> str:
    """``wait at erottaja 08:27–09:00 (33 min, 50 aboard)``; ``clock`` formats a time."""
    who = f"{wait.aboard:,} aboard" if wait.aboard else "empty"
    return f"wait at {wait.place} {clock(wait.start_s)}–{clock(wait.end_s)} ({wait.minutes} min, {who})"


def _aboard_wait_person_s(schedule: Schedule) -> tuple[float, Wait | None]:
    """Person-seconds spent waiting aboard standing vehicles, and the longest such wait."""
    total, longest = 0.0, None
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            for wait in trip_waits(trip):
                if wait.aboard:
                    total += wait.aboard * (wait.end_s - wait.start_s)
                    if longest is None or wait.end_s - wait.start_s > longest.end_s - longest.start_s:
                        longest = wait
    return total, longest


def needs_text(needs: dict[str, int]) -> str:
    """``{"reduced_mobility": 2}`` -> ``2 reduced mobility``; empty for no needs."""
    return ", ".join(f"{n} {need.replace('_', ' ')}" for need, n in sorted(needs.items()) if n)


def _route(legs: Sequence[Leg]) -> str:
    names = collapse_names(name for leg in legs for name in leg.streets)
    if legs and all(leg.mode == "rail" for leg in legs):
        return "rail" + (f" ({route_text(names)})" if names else "")
    return route_text(names, empty="(unnamed roads)") if legs else "(already there)"


def _split_legs(trip: Trip) -> tuple[list[Leg], list[Leg]]:
    """Legs before the first pickup (empty drive) and from it to the destination (loaded)."""
    first = trip.pickups[0].point
    if first == trip.leave_from:
        return [], list(trip.legs)
    for i, leg in enumerate(trip.legs):
        if leg.to_place == first:
            return list(trip.legs[: i + 1]), list(trip.legs[i + 1 :])
    return [], list(trip.legs)


def _then(schedule: Schedule, vehicle: VehicleSchedule, trip: Trip) -> str:
    if trip.return_leg is not None:
        leg = trip.return_leg
        return f"to {leg.to_place} by {_route([leg])}, there {time_text(schedule, leg.arrive_s)}"
    if trip.number < len(vehicle.trips):
        return f"trip {trip.number + 1}"
    return f"stays at {trip.destination}"


def trip_lines(schedule: Schedule) -> list[TripLine]:
    """Every trip of every vehicle, vehicles in the schedule's order, trips in order."""
    lines: list[TripLine] = []
    for vehicle in schedule.vehicles:
        for trip in vehicle.trips:
            empty, loaded = _split_legs(trip)
            pickup = "; ".join(
                f"{b.point} at {time_text(schedule, b.arrive_s)}"
                + (f" ({needs_text(b.needs)})" if needs_text(b.needs) else "")
                for b in trip.pickups
            )
            lines.append(
                TripLine(
                    vehicle=vehicle.vehicle,
                    type=vehicle.type,
                    trip=trip.number,
                    leave_from=trip.leave_from,
                    leave_at=time_text(schedule, trip.leave_at_s),
                    route_to_pickup=_route(empty),
                    pickup=pickup,
                    people=trip.people,
                    route_to_destination=_route(loaded),
                    destination=trip.destination,
                    arrive=time_text(schedule, trip.arrive_destination_s),
                    unloaded=time_text(schedule, trip.unloaded_at_s),
                    then=_then(schedule, vehicle, trip),
                    waits="; ".join(wait_text(w, lambda t: time_text(schedule, t)) for w in trip_waits(trip)),
                )
            )
    return lines


def pickup_lines(schedule: Schedule) -> list[PickupLine]:
    """Every collection, by pickup point in the schedule's order, then by time."""
    lines: list[PickupLine] = []
    for calls in schedule.pickups:
        for call in sorted(calls.calls, key=lambda c: (c.at_s, c.vehicle)):
            lines.append(
                PickupLine(
                    point=calls.point,
                    at=time_text(schedule, call.at_s),
                    vehicle=call.vehicle,
                    trip=call.trip,
                    people=call.people,
                    needs=needs_text(call.needs),
                )
            )
    return lines


@dataclass(frozen=True)
class CarLine:
    """One departure slot of private cars from one origin: when, how many cars and people, where to."""

    origin: str
    slot: str
    vehicles: int
    people: int
    destination: str
    route: str


def car_lines(schedule: Schedule) -> list[CarLine]:
    """Every private-car slot, by start time then origin."""
    slots = sorted(schedule.private_cars, key=lambda c: (c.slot_start_s, c.origin, c.destination))
    return [
        CarLine(
            origin=c.origin,
            slot=f"{time_text(schedule, c.slot_start_s)}–{time_text(schedule, c.slot_end_s)}",
            vehicles=c.vehicles,
            people=c.people,
            destination=c.destination,
            route=route_text(c.streets),
        )
        for c in slots
    ]


def summary_text(schedule: Schedule) -> str:
    """One paragraph: people moved, last arrival, bound and gap, waiting at the points and aboard
    standing vehicles, unserved, method."""
    s, solver = schedule.summary, schedule.solver
    gap = "n/a" if solver.gap is None else f"{solver.gap:.1%}"
    aboard_s, longest = _aboard_wait_person_s(schedule)
    aboard = f"{aboard_s / 3600:,.0f} person-hours waiting aboard standing vehicles" + (
        f" (longest {longest.minutes} min at {longest.place}, {longest.aboard:,} aboard)" if longest else ""
    )
    return (
        f"{s.people_moved:,} of {s.people_total:,} people moved by {s.vehicles_used} vehicles in "
        f"{s.trips} trips; last arrival {time_text(schedule, s.last_arrival_s)} "
        f"({s.last_arrival_s / 60:.0f} min), proven lower bound {solver.lower_bound_s / 60:.0f} min, "
        f"gap {gap}; total waiting {s.total_waiting_person_s / 3600:,.0f} person-hours; {aboard}; "
        f"{s.people_unserved:,} unserved ({solver.method}, {solver.solve_time_s:.1f} s)"
    )


def coverage_text(schedule: Schedule, people_total: int) -> str:
    """Who the schedule covers, beside a flow plan of ``people_total`` people: the people assigned
    to the fleet at pickup points, those leaving in private cars, and the rest (on foot, moved only
    by the flow plan). E.g. "This bus schedule covers the 2,494 people assigned to the fleet at
    pickup points (last arrival 10:24+02:00); 363 leave in 145 private cars; the other 243 of the
    3,100 in the plan go on foot as the flow plan routes them." """
    bus = schedule.summary.people_total
    car_people = sum(c.people for c in schedule.private_cars)
    cars = sum(c.vehicles for c in schedule.private_cars)
    rest = people_total - bus - car_people
    text = (
        f"This bus schedule covers the {bus:,} people assigned to the fleet at pickup points (last "
        f"arrival {time_text(schedule, schedule.summary.last_arrival_s)})"
    )
    if car_people:
        text += f"; {car_people:,} leave in {cars:,} private cars (the slots below)"
    if rest > 0:
        text += (
            f"; the other {rest:,} of the {people_total:,} in the plan go on foot as the flow "
            "plan routes them"
        )
    return text + "."


def _table_clock(schedule: Schedule) -> tuple[Callable[[float], str], str]:
    """A short time formatter for terminal tables and the title suffix naming the offset:
    ``("08:40", " (times +02:00)")`` when every time of the schedule shares the start's offset and
    day; else the full :func:`time_text` and no suffix."""
    zone = schedule.zone()
    start = in_zone(schedule.start, zone)
    end_s = max(
        [schedule.summary.last_arrival_s]
        + [t.end_s for v in schedule.vehicles for t in v.trips]
        + [c.slot_end_s for c in schedule.private_cars]
    )
    end = in_zone(schedule.at(end_s), zone)
    if offset_text(start) != offset_text(end) or start.date() != end.date():
        return (lambda t: time_text(schedule, t)), ""
    return (lambda t: f"{in_zone(schedule.at(t), zone):%H:%M}"), f" (times {offset_text(start)})"


def _wrap_route(text: str, width: int) -> str:
    """Break a route only after an arrow: greedy lines of at most ``width`` characters (a single
    street longer than that gets a line of its own)."""
    parts = text.split(ROUTE_ARROW)
    lines: list[str] = []
    for i, part in enumerate(parts):
        piece = part + (ROUTE_ARROW.rstrip() if i < len(parts) - 1 else "")
        if lines and len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return "\n".join(lines)


def _id_width(ids: list[str], header: str) -> int:
    return max([len(header), *(len(i) for i in ids)])


def sheet_tables(schedule: Schedule) -> list[Table]:
    """The dispatch sheet as rich tables: one per vehicle (a row to leave by ..., one to load by
    ..., one per wait longer than a minute, one to arrive and then), the pickup points, private
    cars, the unserved people. Ids are never cut, streets break only after an arrow, times are
    ``08:40`` with the offset in the title; laid out for 80 columns."""
    from rich.table import Table

    clock, offset = _table_clock(schedule)
    place_ids = [p.point for p in schedule.pickups] + [u.point for u in schedule.unserved]
    place_ids += [c.origin for c in schedule.private_cars] + [c.destination for c in schedule.private_cars]
    for v in schedule.vehicles:
        place_ids += [v.depot] + [p for t in v.trips for p in (t.leave_from, t.destination, t.end_place)]
    id_w = _id_width(place_ids, "point")
    tables: list[Table] = [*(_vehicle_table(schedule, v, clock, offset, id_w) for v in schedule.vehicles)]
    pickups = Table(title="Pickup points: who is collected when" + offset, title_justify="left")
    vehicle_w = _id_width([v.vehicle for v in schedule.vehicles], "vehicle")
    pickups.add_column("point", no_wrap=True, min_width=id_w)
    pickups.add_column("at", no_wrap=True)
    pickups.add_column("vehicle", no_wrap=True, min_width=vehicle_w)
    pickups.add_column("trip", justify="right", no_wrap=True)
    pickups.add_column("people", justify="right", no_wrap=True)
    pickups.add_column("needs")
    for calls in schedule.pickups:
        for call in sorted(calls.calls, key=lambda c: (c.at_s, c.vehicle)):
            pickups.add_row(
                calls.point,
                clock(call.at_s),
                call.vehicle,
                str(call.trip),
                f"{call.people:,}",
                needs_text(call.needs),
            )
    tables.append(pickups)
    if schedule.private_cars:
        tables.append(_cars_table(schedule, clock, offset))
    if schedule.unserved:
        unserved = Table(title="Unserved", title_justify="left")
        unserved.add_column("point", no_wrap=True, min_width=id_w)
        unserved.add_column("people", justify="right", no_wrap=True)
        unserved.add_column("needs")
        unserved.add_column("reason")
        for u in schedule.unserved:
            unserved.add_row(u.point, f"{u.people:,}", needs_text(u.needs), u.reason)
        tables.append(unserved)
    return tables


#: Width of a terminal table's free-text columns laid out for 80 columns.
_TERMINAL_COLUMNS = 80


def _vehicle_table(
    schedule: Schedule, vehicle: VehicleSchedule, clock: Callable[[float], str], offset: str, id_w: int
) -> Table:
    from rich.table import Table

    places = needs_text(vehicle.needs_capacity)
    table = Table(
        title=f"{vehicle.vehicle} — {vehicle.type}, {vehicle.seats} seats"
        + (f" + {places} places" if places else "")
        + f", depot {vehicle.depot}{offset}",
        title_justify="left",
    )
    time_w = len(clock(0.0))
    what_w = max(id_w + len("arrive "), 24)
    longest_street = max(
        [
            len(n) + 2
            for t in vehicle.trips
            for leg in [*t.legs, *([t.return_leg] if t.return_leg else [])]
            for n in leg.streets
        ]
        + [16]
    )
    route_w = max(_TERMINAL_COLUMNS - 13 - 4 - time_w - what_w, longest_street)
    table.add_column("trip", justify="right", no_wrap=True)
    table.add_column("time", no_wrap=True, min_width=time_w)
    table.add_column("what", width=what_w)
    table.add_column("by / then", width=route_w)
    for trip in vehicle.trips:
        empty, loaded = _split_legs(trip)
        loads = "; ".join(
            f"{b.people:,} at {b.point}" + (f" ({needs_text(b.needs)})" if needs_text(b.needs) else "")
            for b in trip.pickups
        )
        waits = trip_waits(trip)
        first = trip.pickups[0]
        table.add_row(
            str(trip.number),
            clock(trip.leave_at_s),
            f"leave {trip.leave_from}",
            _wrap_route(_route(empty), route_w),
        )
        for wait in (w for w in waits if not w.aboard):
            table.add_row("", clock(wait.start_s), wait_text(wait, clock), "")
        table.add_row("", clock(first.arrive_s), f"load {loads}", _wrap_route(_route(loaded), route_w))
        for wait in (w for w in waits if w.aboard):
            table.add_row("", clock(wait.start_s), wait_text(wait, clock), "")
        then = _then(schedule, vehicle, trip)
        if trip.return_leg is not None:
            leg = trip.return_leg
            then = f"to {leg.to_place} by {_wrap_route(_route([leg]), route_w)}, there {clock(leg.arrive_s)}"
        table.add_row(
            "",
            clock(trip.arrive_destination_s),
            f"arrive {trip.destination}, unloaded {clock(trip.unloaded_at_s)}",
            then,
        )
        table.add_section()
    if not vehicle.trips:
        table.add_row("", "", "no trips", "")
    return table


def _cars_table(schedule: Schedule, clock: Callable[[float], str], offset: str) -> Table:
    from rich.table import Table

    slots = sorted(schedule.private_cars, key=lambda c: (c.slot_start_s, c.origin, c.destination))
    from_w = _id_width([c.origin for c in slots], "from")
    to_w = _id_width([c.destination for c in slots], "to")
    slot_w = len(clock(0.0)) * 2 + 1
    longest_street = max([len(n) + 2 for c in slots for n in c.streets] + [16])
    route_w = max(_TERMINAL_COLUMNS - 17 - from_w - to_w - slot_w - 4 - 6, longest_street)
    cars = Table(title="Private cars: departure slots" + offset, title_justify="left", show_edge=False)
    cars.add_column("from", no_wrap=True, min_width=from_w)
    cars.add_column("slot", no_wrap=True, min_width=slot_w)
    cars.add_column("cars", justify="right", no_wrap=True)
    cars.add_column("people", justify="right", no_wrap=True)
    cars.add_column("to", no_wrap=True, min_width=to_w)
    cars.add_column("by", width=route_w)
    for c in slots:
        cars.add_row(
            c.origin,
            f"{clock(c.slot_start_s)}–{clock(c.slot_end_s)}",
            f"{c.vehicles:,}",
            f"{c.people:,}",
            c.destination,
            _wrap_route(route_text(c.streets), route_w),
        )
    return cars


def _write_csv(path: Path, header: list[str], rows: list[dict[str, object]]) -> None:
    with atomic_text_output(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_trips_csv(schedule: Schedule, path: str | Path) -> None:
    """One CSV row per trip (columns of :class:`TripLine`), written atomically, UTF-8."""
    header = [f.name for f in fields(TripLine)]
    _write_csv(Path(path), header, [asdict(line) for line in trip_lines(schedule)])


def write_pickups_csv(schedule: Schedule, path: str | Path) -> None:
    """One CSV row per collection at a pickup point (columns of :class:`PickupLine`)."""
    header = [f.name for f in fields(PickupLine)]
    _write_csv(Path(path), header, [asdict(line) for line in pickup_lines(schedule)])
