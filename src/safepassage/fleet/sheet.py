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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from safepassage.atomic_file import atomic_text_output
from safepassage.fleet.schedule import Leg, Schedule, Trip, VehicleSchedule
from safepassage.fleet.street_names import collapse_names, route_text
from safepassage.local_time import clock_text, in_zone, stamp_text

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "CarLine",
    "PickupLine",
    "TripLine",
    "car_lines",
    "needs_text",
    "pickup_lines",
    "sheet_tables",
    "summary_text",
    "time_text",
    "trip_lines",
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
    """One paragraph: people moved, last arrival, bound and gap, vehicles, trips, method."""
    s, solver = schedule.summary, schedule.solver
    gap = "n/a" if solver.gap is None else f"{solver.gap:.1%}"
    return (
        f"{s.people_moved:,} of {s.people_total:,} people moved by {s.vehicles_used} vehicles in "
        f"{s.trips} trips; last arrival {time_text(schedule, s.last_arrival_s)} "
        f"({s.last_arrival_s / 60:.0f} min), proven lower bound {solver.lower_bound_s / 60:.0f} min, "
        f"gap {gap}; total waiting {s.total_waiting_person_s / 3600:,.0f} person-hours; "
        f"{s.people_unserved:,} unserved ({solver.method}, {solver.solve_time_s:.1f} s)"
    )


def sheet_tables(schedule: Schedule) -> list[Table]:
    """The dispatch sheet as rich tables: one per vehicle (three rows a trip: leave by ..., load
    by ..., arrive and then), the pickup points, the unserved people. Narrow enough for 80 columns."""
    from rich.table import Table

    lines = {(line.vehicle, line.trip): line for line in trip_lines(schedule)}
    tables: list[Table] = []
    for vehicle in schedule.vehicles:
        places = needs_text(vehicle.needs_capacity)
        table = Table(
            title=f"{vehicle.vehicle} — {vehicle.type}, {vehicle.seats} seats"
            + (f" + {places} places" if places else "")
            + f", depot {vehicle.depot}",
            title_justify="left",
        )
        for name in ("trip", "time", "what", "by / then"):
            table.add_column(name, justify="right" if name == "trip" else "left", overflow="fold")
        for trip in vehicle.trips:
            line = lines[(vehicle.vehicle, trip.number)]
            loads = "; ".join(
                f"{b.people:,} at {b.point}" + (f" ({needs_text(b.needs)})" if needs_text(b.needs) else "")
                for b in trip.pickups
            )
            board_at = time_text(schedule, trip.pickups[0].arrive_s)
            table.add_row(str(trip.number), line.leave_at, f"leave {trip.leave_from}", line.route_to_pickup)
            table.add_row("", board_at, f"load {loads}", line.route_to_destination)
            table.add_row("", line.arrive, f"arrive {trip.destination}, unloaded {line.unloaded}", line.then)
            table.add_section()
        if not vehicle.trips:
            table.add_row("", "", "no trips", "")
        tables.append(table)
    pickups = Table(title="Pickup points: who is collected when")
    for name in ("point", "at", "vehicle", "trip", "people", "needs"):
        pickups.add_column(name, justify="right" if name in ("trip", "people") else "left")
    for p in pickup_lines(schedule):
        pickups.add_row(p.point, p.at, p.vehicle, str(p.trip), f"{p.people:,}", p.needs)
    tables.append(pickups)
    if schedule.private_cars:
        cars = Table(title="Private cars: departure slots")
        for name in ("from", "slot", "cars", "people", "to", "by"):
            cars.add_column(name, justify="right" if name in ("cars", "people") else "left", overflow="fold")
        for c in car_lines(schedule):
            cars.add_row(c.origin, c.slot, f"{c.vehicles:,}", f"{c.people:,}", c.destination, c.route)
        tables.append(cars)
    if schedule.unserved:
        unserved = Table(title="Unserved")
        for name in ("point", "people", "needs", "reason"):
            unserved.add_column(name, justify="right" if name == "people" else "left", overflow="fold")
        for u in schedule.unserved:
            unserved.add_row(u.point, f"{u.people:,}", needs_text(u.needs), u.reason)
        tables.append(unserved)
    return tables


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
