"""The Bus Evacuation Problem as the solvers see it: vehicles, pickups, destinations, travel times.

An instance (after Bish 2011, "Planning for a bus-based evacuation", OR Spectrum 33) holds:

- **vehicles**, each with its seats, places for reduced mobility, handling times, depot and the
  time it is available;
- **pickups** with people in *batches* (people ready from a time on: those waiting at the start,
  those arriving later), split into people who take a seat and people who need a reduced-mobility
  place;
- **destinations** with reception capacity; a *station* is a destination whose people leave on
  trains (their arrival is the departure of the train they board, ``fleet.trains``);
- **travel times** per vehicle class (:class:`TimeModel`): the seconds of a drive leaving at a
  time, with "no route now" as ``inf`` and the next time the closures change.

A *trip* (:class:`PlannedTrip`) is one round: drive to a pickup, load, drive to a destination,
unload. A vehicle's *route* is its trips in order; :func:`evaluate_route` times it (waiting for a
road to open, for people to arrive), and the objective is the time the last person is delivered
(the vehicle reaches its destination, or the train they board leaves), then total waiting. Every solver
(``heuristic``, ``exact``, ``baseline``) returns routes; ``fleet.simulate`` turns them into legs
on real roads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Batch",
    "DestinationSpec",
    "FleetInstance",
    "MatrixTimes",
    "PickupSpec",
    "PlannedTrip",
    "TimeModel",
    "TripTiming",
    "VehicleSpec",
    "evaluate_route",
    "route_finish_s",
]


class TimeModel(Protocol):
    """Travel seconds between places for one vehicle class."""

    def travel_s(self, origin: str, destination: str, depart_s: float) -> float:
        """Seconds of the drive leaving at ``depart_s``; inf when no route is open then."""
        ...

    def next_change_s(self, t_s: float) -> float | None:
        """When the closures next change after ``t_s`` (None: never)."""
        ...

    def lower_bound_s(self, origin: str, destination: str) -> float:
        """Seconds no drive between the two places, at any time, can beat."""
        ...


@dataclass
class MatrixTimes:
    """A :class:`TimeModel` from fixed matrices: ``epochs[k]`` from ``epoch_starts_s[k]`` on.

    Used for built instances (tests, benchmarks) and, through ``fleet.travel_times``, for real
    networks. ``bound`` defaults to the element-wise minimum over epochs.
    """

    index: Mapping[str, int]
    epochs: Sequence[Sequence[Sequence[float]]]
    epoch_starts_s: Sequence[float] = (0.0,)
    bound: Sequence[Sequence[float]] | None = None

    def _epoch(self, t_s: float) -> int:
        k = 0
        while k + 1 < len(self.epoch_starts_s) and self.epoch_starts_s[k + 1] <= t_s:
            k += 1
        return k

    def travel_s(self, origin: str, destination: str, depart_s: float) -> float:
        return float(self.epochs[self._epoch(depart_s)][self.index[origin]][self.index[destination]])

    def next_change_s(self, t_s: float) -> float | None:
        k = self._epoch(t_s) + 1
        return float(self.epoch_starts_s[k]) if k < len(self.epoch_starts_s) else None

    def lower_bound_s(self, origin: str, destination: str) -> float:
        a, b = self.index[origin], self.index[destination]
        if self.bound is not None:
            return float(self.bound[a][b])
        return min(float(m[a][b]) for m in self.epochs)


@dataclass(frozen=True)
class VehicleSpec:
    """One vehicle. ``seats`` for people without needs, ``rm_places`` for reduced mobility."""

    id: str
    group: str
    type_id: str
    vehicle_class: str
    seats: int
    rm_places: int
    board_s: float
    alight_s: float
    stop_s: float
    depot: str
    available_s: float = 0.0


@dataclass(frozen=True)
class Batch:
    """People of one pickup ready from ``ready_s`` on: ``general`` take seats, ``rm`` need places."""

    ready_s: float
    general: int
    rm: int = 0


@dataclass(frozen=True)
class PickupSpec:
    id: str
    batches: tuple[Batch, ...]

    @property
    def general(self) -> int:
        return sum(b.general for b in self.batches)

    @property
    def rm(self) -> int:
        return sum(b.rm for b in self.batches)

    @property
    def people(self) -> int:
        return self.general + self.rm


@dataclass(frozen=True)
class DestinationSpec:
    """A destination; ``trains`` (departure s, seats) when it is a station people leave by train."""

    id: str
    capacity: int
    trains: tuple[tuple[float, int], ...] = ()
    transfer_s: float = 0.0

    @property
    def is_station(self) -> bool:
        return bool(self.trains)


@dataclass
class FleetInstance:
    vehicles: list[VehicleSpec]
    pickups: list[PickupSpec]
    destinations: list[DestinationSpec]
    times: dict[str, TimeModel]  # by vehicle class
    horizon_s: float = math.inf

    def pickup(self, pickup_id: str) -> PickupSpec:
        return next(p for p in self.pickups if p.id == pickup_id)

    def destination(self, destination_id: str) -> DestinationSpec:
        return next(d for d in self.destinations if d.id == destination_id)

    @property
    def people(self) -> int:
        return sum(p.people for p in self.pickups)


@dataclass(frozen=True)
class PlannedTrip:
    """One round: load ``general`` + ``rm`` people at ``pickup`` (ready from ``ready_s``), unload at
    ``destination``. ``train_departure_s`` is the train they board when ``destination`` is a station."""

    pickup: str
    destination: str
    general: int
    rm: int
    ready_s: float = 0.0
    train_departure_s: float | None = None

    @property
    def people(self) -> int:
        return self.general + self.rm


@dataclass(frozen=True)
class TripTiming:
    """Times of one trip (seconds after the start); ``inf`` when a road never opens in time."""

    leave_s: float
    at_pickup_s: float
    load_start_s: float
    depart_pickup_s: float
    at_destination_s: float
    unloaded_s: float
    delivered_s: float  # arrival at the destination, or the train's departure at a station
    waiting_person_s: float = field(default=0.0)


def arrive_s(times: TimeModel, origin: str, destination: str, depart_s: float, horizon_s: float) -> float:
    """When a vehicle leaving ``origin`` at ``depart_s`` reaches ``destination``, waiting where it is
    until a route opens; inf when none opens before ``horizon_s``."""
    if origin == destination:
        return depart_s
    t = depart_s
    while t < horizon_s:
        d = times.travel_s(origin, destination, t)
        if math.isfinite(d):
            return t + d
        nxt = times.next_change_s(t)
        if nxt is None or nxt <= t:
            return math.inf
        t = nxt
    return math.inf


def time_trip(
    instance: FleetInstance, vehicle: VehicleSpec, place: str, free_s: float, trip: PlannedTrip
) -> TripTiming:
    """Times of ``trip`` for ``vehicle`` free at ``place`` from ``free_s``."""
    times = instance.times[vehicle.vehicle_class]
    horizon = instance.horizon_s
    at_pickup = arrive_s(times, place, trip.pickup, free_s, horizon)
    load_start = max(at_pickup, trip.ready_s)
    depart = load_start + vehicle.stop_s + vehicle.board_s * trip.people
    at_dest = arrive_s(times, trip.pickup, trip.destination, depart, horizon)
    unloaded = at_dest + vehicle.stop_s + vehicle.alight_s * trip.people
    delivered = at_dest
    if trip.train_departure_s is not None:
        transfer = instance.destination(trip.destination).transfer_s
        delivered = trip.train_departure_s if unloaded + transfer <= trip.train_departure_s else math.inf
    waiting = trip.people * max(0.0, load_start - trip.ready_s) if math.isfinite(load_start) else math.inf
    return TripTiming(free_s, at_pickup, load_start, depart, at_dest, unloaded, delivered, waiting)


def evaluate_route(
    instance: FleetInstance, vehicle: VehicleSpec, trips: Sequence[PlannedTrip]
) -> list[TripTiming]:
    """Times of every trip of ``vehicle``'s route, in order, from its depot."""
    place, free = vehicle.depot, vehicle.available_s
    out: list[TripTiming] = []
    for trip in trips:
        timing = time_trip(instance, vehicle, place, free, trip)
        out.append(timing)
        place, free = trip.destination, timing.unloaded_s
    return out


def route_finish_s(instance: FleetInstance, vehicle: VehicleSpec, trips: Sequence[PlannedTrip]) -> float:
    """When the route's last person is delivered (0 for an empty route)."""
    return max((t.delivered_s for t in evaluate_route(instance, vehicle, trips)), default=0.0)
