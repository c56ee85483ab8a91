"""Plan the fleet: the scenario's vehicles, pickups and trains -> a ``safepassage-schedule/1``.

``solve_fleet(scenario)``:

1. **instance** (:func:`build_instance`): vehicles expanded from the fleet's groups; at each pickup
   point the people who wait for vehicles (the origin's people minus those who leave by
   themselves, ``fleet.private_cars.share_leaving_alone``; people with reduced mobility never leave
   alone) in batches by arrival time; destinations with reception capacity; stations with the seats
   of their trains; travel times per vehicle class from the road network with the hazards at the
   time of travel (``fleet.travel_times``).
2. **solve**: the exact CP-SAT model (``fleet.exact``) when the instance is small
   (``exact.is_small``) or ``method="exact"``, else the heuristic (``fleet.heuristic``); the proven
   bound of ``fleet.bound`` either way (the exact model's own bound when it is larger).
3. **drive** (``fleet.simulate``): every trip on real roads, in time order, columns at the road's
   pace; people onto trains.
4. **private cars** (``fleet.private_cars``): the flow planner's plan for people leaving by car,
   in vehicles and 10-minute slots.

Who cannot be served, and why, is listed per pickup point: no vehicle with places for their needs,
no open road in the horizon, no reception capacity left.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from safepassage.fleet.bound import lower_bound
from safepassage.fleet.instance import (
    Batch,
    DestinationSpec,
    FleetInstance,
    PickupSpec,
    PlannedTrip,
    VehicleSpec,
)
from safepassage.fleet.schedule import (
    PickupCall,
    PickupCalls,
    PrivateCarSlot,
    ScenarioRef,
    Schedule,
    SolverInfo,
    Summary,
    Trip,
    Unserved,
    VehicleSchedule,
    schedule_gap,
)
from safepassage.fleet.simulate import Driven, board_trains, drive_routes
from safepassage.fleet.travel_times import Place, RoadOccupancy, TravelTimes, link_headway_s
from safepassage.network import RoadNetwork, load_scenario_networks
from safepassage.scenario.fleet import REDUCED_MOBILITY, Fleet
from safepassage.scenario.model import Blockage, Scenario
from safepassage.scenario.vocabulary import TravelMode, VehicleClass

__all__ = ["FleetContext", "FleetMethod", "NetworkTimes", "build_instance", "reschedule", "solve_fleet"]

FleetMethod = Literal["auto", "exact", "heuristic"]


class NetworkTimes:
    """:class:`~safepassage.fleet.instance.TimeModel` over a :class:`TravelTimes`."""

    def __init__(self, travel: TravelTimes) -> None:
        self.travel = travel
        self._bound = travel.lower_bound_matrix()

    def travel_s(self, origin: str, destination: str, depart_s: float) -> float:
        m = self.travel.matrix(depart_s)
        return float(m[self.travel.index[origin], self.travel.index[destination]])

    def next_change_s(self, t_s: float) -> float | None:
        return self.travel.next_epoch_start(t_s)

    def lower_bound_s(self, origin: str, destination: str) -> float:
        return float(self._bound[self.travel.index[origin], self.travel.index[destination]])


@dataclass
class FleetContext:
    """What the solver needs besides the instance: the network, the legs per class, the fleet."""

    scenario: Scenario
    fleet: Fleet
    network: RoadNetwork
    travel: dict[str, TravelTimes]
    riders: dict[str, tuple[int, int]]  # pickup -> (seated, rm) waiting for vehicles
    unservable: list[Unserved]


def _places(scenario: Scenario, fleet: Fleet) -> list[Place]:
    places = [Place(d.id, "depot", d.name, d.lat, d.lon) for d in fleet.depots]
    places += [Place(o.id, "pickup", o.name, o.lat, o.lon) for o in scenario.origins]
    places += [Place(d.id, "destination", d.name, d.lat, d.lon) for d in scenario.destinations]
    places += [Place(s.id, "station", s.name, s.lat, s.lon) for s in fleet.stations]
    return places


def riders(scenario: Scenario, fleet: Fleet) -> dict[str, tuple[int, int]]:
    """Per served pickup: (seated, reduced-mobility) people who wait for vehicles."""
    served = set(fleet.pickups) or {o.id for o in scenario.origins}
    out: dict[str, tuple[int, int]] = {}
    for origin in scenario.origins:
        if origin.id not in served:
            continue
        rm = origin.needs.get(REDUCED_MOBILITY, 0)
        alone = math.floor(fleet.private_cars.share_leaving_alone * (origin.people - rm))
        out[origin.id] = (origin.people - rm - alone, rm)
    return out


def build_instance(
    scenario: Scenario, network: RoadNetwork | None = None, *, reserved: Mapping[str, int] | None = None
) -> tuple[FleetInstance, FleetContext]:
    """The solver's instance of ``scenario`` (see module docstring); InputError without a fleet.
    ``reserved``: reception places already promised (to private cars) per destination."""
    from safepassage.errors import InputError

    fleet = scenario.fleet
    if fleet is None:
        raise InputError("the scenario has no fleet section; add one (docs/scenario-format.md, Fleet)")
    if network is None:
        network = load_scenario_networks(scenario, [TravelMode.DRIVE])[TravelMode.DRIVE]
    vehicles = _vehicles(scenario, fleet)
    classes = sorted({v.vehicle_class for v in vehicles})
    places = _places(scenario, fleet)
    travel = {c: TravelTimes(network, scenario, places, VehicleClass(c)) for c in classes}
    vehicles = _leaving_in_turn(vehicles, travel, link_headway_s(network, scenario))
    everyone = riders(scenario, fleet)
    waiting = dict(everyone)
    unservable: list[Unserved] = []
    if not any(v.rm_places for v in vehicles):
        for pid, (seated, rm) in list(waiting.items()):
            if rm:
                unservable.append(
                    Unserved(
                        point=pid,
                        people=rm,
                        needs={REDUCED_MOBILITY: rm},
                        reason="no vehicle of the fleet has a place for reduced mobility",
                    )
                )
                waiting[pid] = (seated, 0)
    pickups = [
        PickupSpec(pid, _batches(scenario, fleet, pid, seated, rm)) for pid, (seated, rm) in waiting.items()
    ]
    taken = reserved or {}
    destinations = [
        DestinationSpec(d.id, max(0, d.capacity - taken.get(d.id, 0))) for d in scenario.destinations
    ]
    for station in fleet.stations:
        trains = tuple(
            (scenario.seconds_since_start(t.departs), t.seats)
            for t in fleet.trains
            if t.station == station.id
        )
        if trains:
            destinations.append(
                DestinationSpec(station.id, sum(s for _, s in trains), trains, float(station.transfer_s))
            )
    times = {c: NetworkTimes(t) for c, t in travel.items()}
    instance = FleetInstance(vehicles, pickups, destinations, dict(times), scenario.horizon_s)
    return instance, FleetContext(scenario, fleet, network, travel, everyone, unservable)


def _vehicles(scenario: Scenario, fleet: Fleet) -> list[VehicleSpec]:
    out: list[VehicleSpec] = []
    for group in fleet.vehicles:
        vt = fleet.vehicle_type(group.type)
        available = scenario.seconds_since_start(group.available_from) if group.available_from else 0.0
        for k in range(group.count):
            out.append(
                VehicleSpec(
                    id=f"{group.id}-{k + 1}" if group.count > 1 else group.id,
                    group=group.id,
                    type_id=vt.id,
                    vehicle_class=vt.vehicle_class.value,
                    seats=vt.seats,
                    rm_places=vt.reduced_mobility_places,
                    board_s=float(vt.board_s_per_person),
                    alight_s=float(vt.alight_s_per_person),
                    stop_s=float(vt.stop_s),
                    depot=group.depot,
                    available_s=max(0.0, available),
                )
            )
    return out


def _leaving_in_turn(
    vehicles: list[VehicleSpec], travel: dict[str, TravelTimes], headway_s: np.ndarray
) -> list[VehicleSpec]:
    """Vehicles of a depot leave it one after another: the depot's node has a few roads out, each
    taking one vehicle per headway (``travel_times.RoadOccupancy``), so the k-th vehicle to leave
    cannot start before the k-th earliest free slot on those roads (first come, first out). Starting
    each vehicle then makes every solver and the bound see the queue at the depot gate."""
    from safepassage.fleet.travel_times import PASSENGER_CAR_EQUIVALENT

    out = list(vehicles)
    by_depot: dict[tuple[str, str], list[int]] = {}
    for k, v in enumerate(vehicles):
        by_depot.setdefault((v.depot, v.vehicle_class), []).append(k)
    for (depot, cls), members in by_depot.items():
        t = travel[cls]
        node = int(t.nodes[t.index[depot]])
        links = range(int(t.network.indptr[node]), int(t.network.indptr[node + 1]))
        pce = PASSENGER_CAR_EQUIVALENT.get(VehicleClass(cls), 1.0)
        gaps = [float(headway_s[link]) * pce for link in links]
        same_node = [i for i, p in enumerate(t.places) if p.id != depot and int(t.nodes[i]) == node]
        if not gaps or same_node:  # a place on the depot's node needs no road out
            continue
        free = [-math.inf] * len(gaps)  # when each road out next takes a vehicle
        for k in sorted(members, key=lambda k: (vehicles[k].available_s, vehicles[k].id)):
            ready = vehicles[k].available_s
            best = min(range(len(gaps)), key=lambda r: max(ready, free[r]))
            leave = max(ready, free[best])
            free[best] = leave + gaps[best]
            out[k] = replace(vehicles[k], available_s=leave)
    return out


def _batches(scenario: Scenario, fleet: Fleet, pickup: str, seated: int, rm: int) -> tuple[Batch, ...]:
    """People ready at the start, then those arriving later (seated riders only: needs wait from
    the start)."""
    later = sorted(
        (max(0.0, scenario.seconds_since_start(a.at)), a.people) for a in fleet.arrivals if a.origin == pickup
    )
    batches: list[Batch] = []
    left = seated
    arriving: list[tuple[float, int]] = []
    for at_s, people in reversed(later):  # the last to arrive are the last of the riders
        take = min(people, left)
        left -= take
        arriving.append((at_s, take))
    batches.append(Batch(0.0, left, rm))
    batches += [Batch(at_s, n, 0) for at_s, n in sorted(arriving) if n > 0]
    return tuple(b for b in batches if b.general + b.rm > 0) or (Batch(0.0, 0, 0),)


def solve_fleet(
    scenario: Scenario,
    *,
    network: RoadNetwork | None = None,
    method: FleetMethod = "auto",
    time_limit_s: float = 30.0,
    private_cars: bool = True,
    networks: Mapping[TravelMode, RoadNetwork] | None = None,
) -> Schedule:
    """The fleet schedule of ``scenario`` (see module docstring)."""
    started = time.monotonic()
    if network is None and networks is not None:
        network = networks.get(TravelMode.DRIVE)
    if network is None:
        network = load_scenario_networks(scenario, [TravelMode.DRIVE])[TravelMode.DRIVE]
    cars: tuple[list[PrivateCarSlot], dict[str, object]] = ([], {})
    if private_cars and scenario.fleet is not None and scenario.fleet.private_cars.share_leaving_alone > 0:
        from safepassage.fleet.private_cars import plan_private_cars

        cars = plan_private_cars(scenario, scenario.fleet, networks=networks, network=network)
    by_cars: dict[str, int] = {}
    for slot in cars[0]:
        by_cars[slot.destination] = by_cars.get(slot.destination, 0) + slot.people
    instance, ctx = build_instance(scenario, network, reserved=by_cars)
    routes, method_used, details = _solve(instance, method, time_limit_s)
    bound = lower_bound(instance)
    exact_bound = float(details.get("exact_bound_s", 0.0))  # type: ignore[arg-type]
    return assemble(
        instance,
        ctx,
        routes,
        method_used,
        max(bound.bound_s, exact_bound),
        {
            **details,
            "bound_source": bound.source,
            "trip_bound_s": bound.trip_bound_s,
            "work_bound_s": bound.work_bound_s,
        },
        started,
        cars=cars if private_cars else None,
    )


def _solve(
    instance: FleetInstance, method: FleetMethod, time_limit_s: float
) -> tuple[dict[str, list[PlannedTrip]], Literal["exact", "heuristic"], dict[str, object]]:
    from safepassage.fleet import exact, heuristic

    if method == "exact" or (method == "auto" and exact.is_small(instance)):
        result = exact.solve_exact(instance, time_limit_s=time_limit_s)
        if result is not None:
            static = all(t.next_change_s(0.0) is None for t in instance.times.values())
            details: dict[str, object] = {"status": result.status, "model_makespan_s": result.makespan_s}
            if static:  # the model's times are the real ones (rounded down): its bound holds
                details["exact_bound_s"] = result.bound_s
            return result.routes, "exact", details
    routes, figures = heuristic.solve_heuristic(instance, time_limit_s=time_limit_s)
    return routes, "heuristic", {k: round(v, 3) for k, v in figures.items()}


def assemble(
    instance: FleetInstance,
    ctx: FleetContext,
    routes: dict[str, list[PlannedTrip]],
    method: Literal["exact", "heuristic"],
    bound_s: float,
    details: dict[str, object],
    started: float,
    *,
    cars: tuple[list[PrivateCarSlot], dict[str, object]] | None = None,
    start_places: dict[str, tuple[str, float]] | None = None,
    kept: dict[str, list[Trip]] | None = None,
    kept_calls: dict[str, list[PickupCall]] | None = None,
) -> Schedule:
    """Drive ``routes`` and put everything in a :class:`Schedule`."""
    scenario, fleet = ctx.scenario, ctx.fleet
    occupancy = RoadOccupancy(link_headway_s(ctx.network, scenario))
    driven = drive_routes(instance, routes, ctx.travel, occupancy, start_places=start_places)
    if kept:
        _prepend(driven, kept)
    for point, old in (kept_calls or {}).items():
        driven.calls[point] = list(old) + driven.calls.get(point, [])
    vehicles = [_vehicle_schedule(v, driven.trips.get(v.id, [])) for v in instance.vehicles]
    transfer = {s.id: float(s.transfer_s) for s in fleet.stations}
    timetable = [
        (
            t.id,
            t.station,
            scenario.seconds_since_start(t.departs),
            scenario.seconds_since_start(t.arrives),
            t.seats,
            t.to,
        )
        for t in fleet.trains
    ]
    used, left = board_trains(timetable, driven.station_drops, transfer)
    vehicles += [_train_schedule(*u) for u in used]
    unserved = list(ctx.unservable) + driven.dropped + _left_over(instance, routes)
    last = max([driven.last_arrival_s] + [u[2] for u in used])
    for station, n in left.items():
        details[f"left_at_{station}"] = n
    calls = [
        PickupCalls(
            point=pid,
            people=seated + rm,
            collected=sum(c.people for c in driven.calls.get(pid, [])),
            unserved=sum(u.people for u in unserved if u.point == pid),
            calls=sorted(driven.calls.get(pid, []), key=lambda c: (c.at_s, c.vehicle)),
        )
        for pid, (seated, rm) in ctx.riders.items()
    ]
    slots: list[PrivateCarSlot] = []
    if cars is not None and cars[0]:
        slots = cars[0]
        details["private_cars"] = cars[1]
    details["column_delay_s"] = round(driven.column_delay_s, 1)
    if fleet.stations and scenario.source_path is not None:
        from safepassage.fleet.rail import match_stations

        details["stations"] = match_stations(scenario, fleet)
    moved = sum(c.collected for c in calls)
    return Schedule(
        scenario=ScenarioRef(name=scenario.name, sha256=scenario.content_sha256),
        generated_at=dt.datetime.now(dt.UTC),
        start=scenario.start,
        timezone=scenario.timezone or scenario.start.strftime("%z") or "UTC",
        vehicles=vehicles,
        pickups=calls,
        unserved=_merge_unserved(unserved),
        private_cars=slots,
        summary=Summary(
            people_total=sum(s + r for s, r in ctx.riders.values()),
            people_moved=moved,
            people_unserved=sum(u.people for u in unserved),
            last_arrival_s=last,
            total_waiting_person_s=driven.waiting_person_s,
            vehicles_used=sum(1 for v in vehicles if v.trips),
            trips=sum(len(v.trips) for v in vehicles),
        ),
        solver=SolverInfo(
            method=method,
            lower_bound_s=min(bound_s, last) if moved else 0.0,
            gap=schedule_gap(last, min(bound_s, last)) if moved else 0.0,
            solve_time_s=time.monotonic() - started,
            details=_json(details),
        ),
    )


def _prepend(driven: Driven, kept: dict[str, list[Trip]]) -> None:
    """Kept trips first; the new trips (and their calls) numbered after them."""
    for vid, trips in kept.items():
        later = driven.trips.get(vid, [])
        renumbered = [t.model_copy(update={"number": len(trips) + k + 1}) for k, t in enumerate(later)]
        driven.trips[vid] = list(trips) + renumbered
        for point, calls in driven.calls.items():
            driven.calls[point] = [
                c.model_copy(update={"trip": c.trip + len(trips)}) if c.vehicle == vid else c for c in calls
            ]
        for trip in trips:
            if trip.legs and trip.legs[-1].mode == "road":
                driven.last_arrival_s = max(driven.last_arrival_s, trip.arrive_destination_s)


def _vehicle_schedule(v: VehicleSpec, trips: list[Trip]) -> VehicleSchedule:
    return VehicleSchedule(
        vehicle=v.id,
        type=v.type_id,
        vehicle_class=v.vehicle_class,
        seats=v.seats,
        needs_capacity={REDUCED_MOBILITY: v.rm_places} if v.rm_places else {},
        depot=v.depot,
        trips=trips,
    )


def _train_schedule(
    train_id: str, station: str, dep: float, arr: float, people: int, to: str
) -> VehicleSchedule:
    from safepassage.fleet.schedule import Boarding, Leg

    rail = Leg(from_place=station, to_place=to, mode="rail", depart_s=dep, arrive_s=arr)
    trip = Trip(
        number=1,
        leave_from=station,
        leave_at_s=dep,
        legs=[rail],
        pickups=[Boarding(point=station, people=people, arrive_s=dep, depart_s=dep)],
        destination=to,
        people=people,
        arrive_destination_s=arr,
        unloaded_at_s=arr,
    )
    return VehicleSchedule(
        vehicle=train_id, type="train", vehicle_class="train", seats=people, depot=station, trips=[trip]
    )


def _left_over(instance: FleetInstance, routes: dict[str, list[PlannedTrip]]) -> list[Unserved]:
    from safepassage.fleet.heuristic import unplaced

    out = []
    for pid, (seated, rm) in unplaced(instance, routes).items():
        out.append(
            Unserved(
                point=pid,
                people=seated + rm,
                needs={REDUCED_MOBILITY: rm} if rm else {},
                reason="no vehicle can reach them and a destination with room before the horizon ends",
            )
        )
    return out


def _merge_unserved(items: list[Unserved]) -> list[Unserved]:
    merged: dict[tuple[str, str], list[int]] = {}
    for u in items:
        entry = merged.setdefault((u.point, u.reason), [0, 0])
        entry[0] += u.people
        entry[1] += u.needs.get(REDUCED_MOBILITY, 0)
    return [
        Unserved(point=p, people=n, needs={REDUCED_MOBILITY: rm} if rm else {}, reason=r)
        for (p, r), (n, rm) in merged.items()
    ]


def _json(details: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in details.items():
        if isinstance(v, float | np.floating):
            out[k] = float(v) if math.isfinite(float(v)) else None
        else:
            out[k] = v
    return out


def reschedule(
    scenario: Scenario,
    schedule: Schedule,
    closure: Blockage,
    now_s: float,
    *,
    network: RoadNetwork | None = None,
    time_limit_s: float = 30.0,
) -> Schedule:
    """A new schedule after ``closure`` (a blockage: roads closed from/until), decided at ``now_s``.

    Trips that have started by ``now_s`` are kept as they are (a vehicle finishes its trip: a
    closure forbids entering roads); the kept trips whose remaining links enter the closure while
    closed are named in ``solver.details.trips_crossing_closure`` for the dispatcher. Everyone not
    yet collected is planned again, each vehicle starting where and when its kept trips end, on the
    roads with the closure added.
    """
    started = time.monotonic()
    changed = scenario.model_copy(update={"blockages": [*scenario.blockages, closure]})
    instance, ctx = build_instance(changed, network)
    kept = {
        v.vehicle: [t for t in v.trips if t.leave_at_s <= now_s]
        for v in schedule.vehicles
        if v.type != "train"
    }
    taken: dict[str, list[int]] = {}
    received: dict[str, int] = {}
    start_places: dict[str, tuple[str, float]] = {}
    for vid, trips in kept.items():
        for trip in trips:
            for b in trip.pickups:
                entry = taken.setdefault(b.point, [0, 0])
                rm = b.needs.get(REDUCED_MOBILITY, 0)
                entry[0] += b.people - rm
                entry[1] += rm
            received[trip.destination] = received.get(trip.destination, 0) + trip.people
        if trips:
            start_places[vid] = (trips[-1].destination, max(now_s, trips[-1].unloaded_at_s))
    pickups = [PickupSpec(p.id, _less(p.batches, *taken.get(p.id, [0, 0]))) for p in instance.pickups]
    destinations = [
        replace(d, capacity=max(0, d.capacity - received.get(d.id, 0))) for d in instance.destinations
    ]
    movers = [
        replace(v, depot=start_places[v.id][0], available_s=start_places[v.id][1])
        if v.id in start_places
        else replace(v, available_s=max(now_s, v.available_s))
        for v in instance.vehicles
    ]
    solving = replace(instance, vehicles=movers, pickups=pickups, destinations=destinations)
    routes, method, details = _solve(solving, "heuristic", time_limit_s)
    bound = lower_bound(solving)
    crossing = _crossing(ctx, kept, now_s)
    details.update(
        {
            "rescheduled_at_s": now_s,
            "closure": closure.id,
            "trips_crossing_closure": crossing,
            "bound_source": bound.source,
        }
    )
    start_places.update({v.id: (v.depot, v.available_s) for v in movers if v.id not in start_places})
    final = replace(
        solving, vehicles=[replace(v, depot=o.depot) for v, o in zip(movers, instance.vehicles, strict=True)]
    )
    kept_calls = {
        c.point: [
            call
            for call in c.calls
            if any(call.vehicle == vid and call.trip <= len(t) for vid, t in kept.items())
        ]
        for c in schedule.pickups
    }
    return assemble(
        final,
        ctx,
        routes,
        method,
        bound.bound_s,
        details,
        started,
        start_places=start_places,
        kept={k: v for k, v in kept.items() if v},
        kept_calls=kept_calls,
    )


def _less(batches: tuple[Batch, ...], seated: int, rm: int) -> tuple[Batch, ...]:
    """``batches`` without the first ``seated`` and ``rm`` people (collected first come, first served)."""
    out: list[Batch] = []
    for b in sorted(batches, key=lambda b: b.ready_s):
        s, r = min(seated, b.general), min(rm, b.rm)
        seated, rm = seated - s, rm - r
        if b.general - s + b.rm - r > 0:
            out.append(Batch(b.ready_s, b.general - s, b.rm - r))
    return tuple(out) or (Batch(0.0, 0, 0),)


def _crossing(ctx: FleetContext, kept: dict[str, list[Trip]], now_s: float) -> list[str]:
    """Kept trips whose links from ``now_s`` on are entered while the new closures forbid it."""
    out: list[str] = []
    for vid, trips in kept.items():
        for trip in trips:
            for leg in trip.legs:
                if _leg_blocked(ctx, leg.path, leg.entry_times_s, now_s):
                    out.append(f"{vid} trip {trip.number}")
                    break
    return out


def _leg_blocked(ctx: FleetContext, path: list[int], times: list[float], now_s: float) -> bool:
    travel = next(iter(ctx.travel.values()))
    network = ctx.network
    for k in range(len(path) - 1):
        if times[k] < now_s:
            continue
        try:
            link = network.find_link(network.node_index(path[k]), network.node_index(path[k + 1]))
        except KeyError:
            continue
        if link >= 0 and travel.closed(link, times[k]):
            return True
    return False
