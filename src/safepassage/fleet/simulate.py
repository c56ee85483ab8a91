"""Turn planned routes into a schedule on real roads: legs, waits, columns, trains.

The solvers plan with travel-time matrices; here every trip is driven on the network in time
order (the vehicle free earliest goes next), with :meth:`TravelTimes.leg`: a path open at each
link's entry time, through the corridor that obliges its evacuees, behind the vehicles already on
its links (:class:`RoadOccupancy`, the column's pace). When no road is open the vehicle waits where
it is until the closures change; a trip that cannot reach its destination within the horizon is
dropped and its people are listed unserved with the reason. People at a station board the first
train with seats leaving at least the transfer time after they are unloaded.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from safepassage.fleet.instance import FleetInstance, PlannedTrip, VehicleSpec
from safepassage.fleet.schedule import Boarding, Leg, PickupCall, Trip, Unserved
from safepassage.fleet.street_names import path_street_names
from safepassage.fleet.travel_times import Leg as RoadLeg
from safepassage.fleet.travel_times import RoadOccupancy, TravelTimes
from safepassage.scenario.fleet import REDUCED_MOBILITY

__all__ = ["Driven", "drive_routes"]


@dataclass
class Driven:
    """Trips driven per vehicle, calls per pickup, people dropped at stations, what could not run."""

    trips: dict[str, list[Trip]] = field(default_factory=dict)
    calls: dict[str, list[PickupCall]] = field(default_factory=lambda: defaultdict(list))
    station_drops: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    dropped: list[Unserved] = field(default_factory=list)
    waiting_person_s: float = 0.0
    last_arrival_s: float = 0.0
    column_delay_s: float = 0.0


def _leg(travel: TravelTimes, road: RoadLeg) -> Leg:
    network = travel.network
    path = [int(network.node_osm_id[n]) for n in road.nodes]
    return Leg(
        from_place=road.origin,
        to_place=road.destination,
        mode="road",
        depart_s=road.depart_s,
        arrive_s=road.arrive_s,
        path=path if len(path) > 1 else [],
        entry_times_s=list(road.times_s) if len(path) > 1 else [],
        streets=path_street_names(network, path),
    )


def _drive(
    travel: TravelTimes,
    occupancy: RoadOccupancy,
    origin: str,
    destination: str,
    depart_s: float,
    corridor_origin: str | None,
) -> RoadLeg | None:
    """The leg leaving at ``depart_s`` or, when no road is open, as soon as the closures change."""
    t = depart_s
    horizon = travel.scenario.horizon_s
    while t < horizon:
        leg = travel.leg(origin, destination, t, occupancy=occupancy, corridor_origin=corridor_origin)
        if leg is not None:
            return leg
        nxt = travel.next_epoch_start(t)
        if nxt is None:
            return None
        t = nxt
    return None


def drive_routes(
    instance: FleetInstance,
    routes: dict[str, list[PlannedTrip]],
    travel: dict[str, TravelTimes],
    occupancy: RoadOccupancy,
    *,
    start_places: dict[str, tuple[str, float]] | None = None,
) -> Driven:
    """Drive every route on the network (see module docstring). ``start_places``: vehicle id ->
    (place, free_s) when vehicles do not start at their depots (re-scheduling)."""
    out = Driven()
    vehicles = {v.id: v for v in instance.vehicles}
    where = {v.id: (v.depot, v.available_s) for v in instance.vehicles}
    where.update(start_places or {})
    pending = {vid: list(trips) for vid, trips in routes.items()}
    heap = [(where[vid][1], vid) for vid in pending if pending[vid]]
    heapq.heapify(heap)
    for vid in pending:
        out.trips[vid] = []
    while heap:
        free_s, vid = heapq.heappop(heap)
        trip = pending[vid].pop(0)
        vehicle = vehicles[vid]
        place = where[vid][0]
        done = _one_trip(
            instance, travel[vehicle.vehicle_class], occupancy, vehicle, place, free_s, trip, out
        )
        if done is not None:
            where[vid] = (trip.destination, done)
        if pending[vid]:
            heapq.heappush(heap, (where[vid][1], vid))
    return out


def _one_trip(
    instance: FleetInstance,
    travel: TravelTimes,
    occupancy: RoadOccupancy,
    vehicle: VehicleSpec,
    place: str,
    free_s: float,
    trip: PlannedTrip,
    out: Driven,
) -> float | None:
    """Drive one trip and record it; when it is free again (None: dropped, people unserved)."""
    from safepassage.fleet.travel_times import PASSENGER_CAR_EQUIVALENT

    pce = PASSENGER_CAR_EQUIVALENT.get(travel.vehicle, 1.0)
    legs: list[Leg] = []
    at_pickup = free_s
    first = None
    if place != trip.pickup:
        first = _drive(travel, occupancy, place, trip.pickup, free_s, None)
        if first is None:
            _drop(out, trip, f"no road open for a {vehicle.vehicle_class} from {place} to the pickup point")
            return None
        at_pickup = first.arrive_s
    load_start = max(at_pickup, trip.ready_s)
    depart = load_start + vehicle.stop_s + vehicle.board_s * trip.people
    second = _drive(travel, occupancy, trip.pickup, trip.destination, depart, trip.pickup)
    if second is None or second.arrive_s > instance.horizon_s:
        _drop(
            out,
            trip,
            f"no road open for a {vehicle.vehicle_class} to {trip.destination} before the horizon ends",
        )
        return None
    if first is not None:
        occupancy.book(first.links, first.times_s, pce)
        legs.append(_leg(travel, first))
    occupancy.book(second.links, second.times_s, pce)
    legs.append(_leg(travel, second))
    unloaded = second.arrive_s + vehicle.stop_s + vehicle.alight_s * trip.people
    needs = {REDUCED_MOBILITY: trip.rm} if trip.rm else {}
    number = len(out.trips[vehicle.id]) + 1
    out.trips[vehicle.id].append(
        Trip(
            number=number,
            leave_from=place,
            leave_at_s=free_s if place != trip.pickup else load_start,
            legs=legs,
            pickups=[
                Boarding(
                    point=trip.pickup, people=trip.people, needs=needs, arrive_s=at_pickup, depart_s=depart
                )
            ],
            destination=trip.destination,
            people=trip.people,
            arrive_destination_s=second.arrive_s,
            unloaded_at_s=unloaded,
        )
    )
    out.calls[trip.pickup].append(
        PickupCall(vehicle=vehicle.id, trip=number, at_s=at_pickup, people=trip.people, needs=needs)
    )
    out.waiting_person_s += trip.people * max(0.0, load_start - trip.ready_s)
    out.column_delay_s += max(0.0, second.arrive_s - depart - _free_flow(travel, second))
    if instance.destination(trip.destination).is_station:
        out.station_drops[trip.destination].append((unloaded, trip.people))
    else:
        out.last_arrival_s = max(out.last_arrival_s, second.arrive_s)
    return unloaded


def _free_flow(travel: TravelTimes, leg: RoadLeg) -> float:
    return float(sum(float(travel.travel_s[link]) for link in leg.links))


def _drop(out: Driven, trip: PlannedTrip, reason: str) -> None:
    needs = {REDUCED_MOBILITY: trip.rm} if trip.rm else {}
    out.dropped.append(Unserved(point=trip.pickup, people=trip.people, needs=needs, reason=reason))


def board_trains(
    trains: list[tuple[str, str, float, float, int, str]],
    drops: dict[str, list[tuple[float, int]]],
    transfer_s: dict[str, float],
) -> tuple[list[tuple[str, str, float, float, int, str]], dict[str, int]]:
    """People at stations onto trains, first come first served: ``trains`` are (id, station, departs_s,
    arrives_s, seats, to). Returns (train, station, departs, arrives, people, to) for trains that
    carry someone, and people left at each station for want of a train."""
    used: list[tuple[str, str, float, float, int, str]] = []
    left: dict[str, int] = {}
    for station, arrivals in drops.items():
        queue = sorted(arrivals)
        waiting = [[t + transfer_s.get(station, 0.0), n] for t, n in queue]
        for train_id, st, dep, arr, seats, to in sorted(trains, key=lambda t: t[2]):
            if st != station:
                continue
            room, carried = seats, 0
            for item in waiting:
                if item[0] <= dep and item[1] > 0 and room > 0:
                    take = min(room, int(item[1]))
                    item[1] -= take
                    room -= take
                    carried += take
            if carried:
                used.append((train_id, station, dep, arr, carried, to))
        rest = sum(int(n) for _, n in waiting)
        if rest:
            left[station] = rest
    return used, left


def finite_or(value: float, default: float) -> float:
    return value if math.isfinite(value) else default
