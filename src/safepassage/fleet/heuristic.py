"""Bus evacuation heuristic for large instances: LP-guided dispatch, then local search.

Why our own construction + local search rather than OR-Tools routing or pyvroom: the objective is
the *last* delivery (min-max), trips repeat the same pickup many times with loads that depend on
who has arrived, destinations have reception capacity shared by all vehicles, and travel times
depend on the time of departure (closures, corridor windows, curfews). Routing libraries model
visits to nodes with time windows and min-sum costs; encoding hundreds of repeat visits per pickup
with shared capacities makes them slow and loses the time-dependence. The BEP literature (Bish
2011; Goerigk, Grün & Heßler 2013; Pereira & Bish 2015) uses exactly this split: allocate people
to pickup-destination pairs, then build balanced vehicle routes.

1. **Allocation** -- the fleet-work LP of ``fleet.bound`` at a horizon slightly above the bound,
   with least total work, says how many people go from each pickup to each destination; rounded to
   whole people within reception capacity (:func:`allocation`).
2. **Dispatch** (event-driven, :func:`dispatch`) -- the vehicle free earliest takes the pair with
   work left that it can start soonest (drive + wait for people), preferring full loads; loads are
   taken from people already there (first come, first served), a station's people are booked on
   the first train with seats after the transfer time.
3. **Local search** (:func:`balance`) -- move a trip of the vehicle that finishes last to another
   vehicle (any position among its last few) or swap two trips, whenever that brings the later of
   the two finishes forward; until no move helps or the time limit.
"""

from __future__ import annotations

import bisect
import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from safepassage.fleet.bound import lower_bound
from safepassage.fleet.instance import (
    DestinationSpec,
    FleetInstance,
    PlannedTrip,
    VehicleSpec,
    arrive_s,
    route_finish_s,
    time_trip,
)

__all__ = ["Routes", "allocation", "balance", "dispatch", "makespan_s", "solve_heuristic", "unplaced"]

Routes = dict[str, list[PlannedTrip]]
#: (pickup, destination) -> [seated, reduced mobility] people still to move on that pair.
Targets = dict[tuple[str, str], list[int]]
_LOCAL_POSITIONS = 3


def allocation(
    instance: FleetInstance, flows: dict[tuple[str, str], tuple[float, float]], *, stations: bool = True
) -> Targets:
    """Whole people per pair from LP flows, every pickup's people placed within reception capacity
    (at stations only when ``stations``)."""
    room = {d.id: d.capacity for d in instance.destinations if stations or not d.is_station}
    targets: Targets = {}
    for (p, d), (seated, rm) in flows.items():
        take = [min(int(seated), room[d]), 0]
        take[1] = min(int(rm), room[d] - take[0])
        room[d] -= take[0] + take[1]
        targets[(p, d)] = take
    times = next(iter(instance.times.values()))
    for pickup in instance.pickups:
        for need, total in ((0, pickup.general), (1, pickup.rm)):
            left = total - sum(t[need] for (p, _), t in targets.items() if p == pickup.id)
            order = sorted(room, key=lambda d: times.lower_bound_s(pickup.id, d))
            for d in order:
                if left <= 0:
                    break
                more = min(left, room[d])
                if more > 0:
                    targets.setdefault((pickup.id, d), [0, 0])[need] += more
                    room[d] -= more
                    left -= more
    return targets


@dataclass
class _State:
    """What is left while dispatching: people by pickup (batches), targets, train seats."""

    batches: dict[str, list[list[float]]]  # pickup -> [[ready_s, seated, rm], ...] in ready order
    targets: Targets
    train_seats: dict[str, list[list[float]]]  # station -> [[departure_s, seats], ...]
    empty: dict[tuple[str, str], float] = field(default_factory=dict)  # LP's empty drives left
    visits: dict[str, list[float]] = field(default_factory=dict)  # pickup -> when vehicles get there


def _take(
    state: _State, pickup: str, at_s: float, seated: int, rm: int, commit: bool
) -> tuple[int, int, float]:
    """People who board at ``pickup`` arriving ``at_s``: those ready by then, else the next batch."""
    got_s = got_r = 0
    ready = 0.0
    for batch in state.batches[pickup]:
        if batch[1] + batch[2] <= 0:
            continue
        if batch[0] > at_s and (got_s + got_r) > 0:
            break
        s, r = min(int(batch[1]), seated - got_s), min(int(batch[2]), rm - got_r)
        if s + r <= 0:
            continue
        ready = max(ready, batch[0])
        got_s, got_r = got_s + s, got_r + r
        if commit:
            batch[1] -= s
            batch[2] -= r
        if got_s >= seated and got_r >= rm:
            break
    return got_s, got_r, ready


def _train(
    state: _State, dest: DestinationSpec, unloaded_s: float, people: int, commit: bool
) -> float | None:
    for train in state.train_seats.get(dest.id, []):
        if train[0] >= unloaded_s + dest.transfer_s and train[1] >= people:
            if commit:
                train[1] -= people
            return train[0]
    return None


Chooser = Callable[[FleetInstance, _State, VehicleSpec, str, float], PlannedTrip | None]


def dispatch(
    instance: FleetInstance,
    targets: Targets,
    choose: Chooser | None = None,
    empty: dict[tuple[str, str], float] | None = None,
) -> Routes:
    """Routes built event by event: the vehicle free earliest takes the trip ``choose`` picks."""
    state = _State(
        {
            p.id: [
                [b.ready_s, float(b.general), float(b.rm)] for b in sorted(p.batches, key=lambda b: b.ready_s)
            ]
            for p in instance.pickups
        },
        {k: list(v) for k, v in targets.items()},
        {
            d.id: [[dep, float(s)] for dep, s in sorted(d.trains)]
            for d in instance.destinations
            if d.is_station
        },
        dict(empty or {}),
    )
    chooser = choose or _best_pair
    routes: Routes = {v.id: [] for v in instance.vehicles}
    heap = [(v.available_s, k, v.depot) for k, v in enumerate(instance.vehicles)]
    heapq.heapify(heap)
    while heap:
        free_s, k, place = heapq.heappop(heap)
        vehicle = instance.vehicles[k]
        trip = chooser(instance, state, vehicle, place, free_s)
        if trip is None:
            continue
        _commit(instance, state, vehicle, place, free_s, trip)
        routes[vehicle.id].append(trip)
        end = route_end_s(instance, vehicle, place, free_s, trip)
        heapq.heappush(heap, (end, k, trip.destination))
    return routes


def route_end_s(
    instance: FleetInstance, v: VehicleSpec, place: str, free_s: float, trip: PlannedTrip
) -> float:
    """When ``v`` is free again after ``trip`` (unloaded)."""
    return time_trip(instance, v, place, free_s, trip).unloaded_s


def _commit(
    instance: FleetInstance, state: _State, v: VehicleSpec, place: str, free_s: float, trip: PlannedTrip
) -> None:
    times = instance.times[v.vehicle_class]
    at = arrive_s(times, place, trip.pickup, free_s, instance.horizon_s)
    bisect.insort(state.visits.setdefault(trip.pickup, []), at)
    _take(state, trip.pickup, at, trip.general, trip.rm, commit=True)
    if (place, trip.pickup) in state.empty:
        state.empty[(place, trip.pickup)] -= 1.0
    key = (trip.pickup, trip.destination)
    if key in state.targets:
        state.targets[key][0] -= trip.general
        state.targets[key][1] -= trip.rm
    if trip.train_departure_s is not None:
        for train in state.train_seats[trip.destination]:
            if train[0] == trip.train_departure_s:
                train[1] -= trip.people
                break


def _plan_trip(
    instance: FleetInstance,
    state: _State,
    v: VehicleSpec,
    place: str,
    free_s: float,
    pickup: str,
    dest: str,
    seated: int,
    rm: int,
) -> tuple[PlannedTrip, float, float] | None:
    """The trip for this pair with its load start and delivery, or None when it cannot run."""
    times = instance.times[v.vehicle_class]
    at = arrive_s(times, place, pickup, free_s, instance.horizon_s)
    if not math.isfinite(at):
        return None
    got_s, got_r, ready = _take(state, pickup, at, min(seated, v.seats), min(rm, v.rm_places), commit=False)
    if got_s + got_r == 0:
        return None
    start = max(at, ready)
    depart = start + v.stop_s + v.board_s * (got_s + got_r)
    reach = arrive_s(times, pickup, dest, depart, instance.horizon_s)
    unloaded = reach + v.stop_s + v.alight_s * (got_s + got_r)
    if not math.isfinite(unloaded) or reach > instance.horizon_s:
        return None
    d = instance.destination(dest)
    train = None
    if d.is_station:
        train = _train(state, d, unloaded, got_s + got_r, commit=False)
        if train is None:
            return None
    delivered = reach if train is None else train
    return PlannedTrip(pickup, dest, got_s, got_r, ready, train), start, delivered


#: Seconds added to a trip's score per vehicle reaching the same pickup within
#: :data:`COLUMN_WINDOW_S` of it: vehicles bunched at one pickup leave in a column and queue on
#: the roads (``travel_times.RoadOccupancy``), so the dispatch spreads them.
COLUMN_PENALTY_S = 150.0
COLUMN_WINDOW_S = 120.0


def _nearby(times: list[float], t: float) -> int:
    return bisect.bisect_right(times, t + COLUMN_WINDOW_S) - bisect.bisect_left(times, t - COLUMN_WINDOW_S)


def _best_pair(
    instance: FleetInstance, state: _State, v: VehicleSpec, place: str, free_s: float
) -> PlannedTrip | None:
    """The trip ``v`` can start soonest (drive + wait), among the pickups the LP drives to from
    here when one of them can be served, else among all."""
    options: dict[str, list[tuple[str, int, int]]] = {}
    for (pickup, dest), (seated, rm) in state.targets.items():
        want_s, want_r = (seated if v.seats else 0), (rm if v.rm_places else 0)
        if want_s + want_r > 0:
            options.setdefault(pickup, []).append((dest, want_s, want_r))
    planned_here = {i for (j, i), n in state.empty.items() if j == place and n >= 0.5 and i in options}
    if planned_here:
        found = _best_of(instance, state, v, place, free_s, {p: options[p] for p in planned_here})
        if found is not None:
            return found
    return _best_of(instance, state, v, place, free_s, options)


def _best_of(
    instance: FleetInstance,
    state: _State,
    v: VehicleSpec,
    place: str,
    free_s: float,
    options: dict[str, list[tuple[str, int, int]]],
) -> PlannedTrip | None:
    times = instance.times[v.vehicle_class]
    ranked: list[tuple[float, str]] = []
    for pickup, pairs in options.items():
        at = arrive_s(times, place, pickup, free_s, instance.horizon_s)
        if math.isfinite(at):
            need_bonus = 3600.0 if (v.rm_places and any(r for _, _, r in pairs)) else 0.0
            ranked.append((at - free_s - need_bonus, pickup))
    ranked.sort()
    best_trip: tuple[float, PlannedTrip] | None = None
    tried = 0
    for _, pickup in ranked:
        if tried >= 4 and best_trip is not None:
            break
        tried += 1
        for dest, want_s, want_r in options[pickup]:
            planned = _plan_trip(instance, state, v, place, free_s, pickup, dest, want_s, want_r)
            if planned is None:
                continue
            trip, start, delivered = planned
            fill = trip.people / max(1, min(v.seats, want_s) + min(v.rm_places, want_r))
            handling = v.stop_s + v.board_s * trip.people
            held = max(0.0, delivered - start - handling - times.lower_bound_s(pickup, dest))  # road closed
            score = (start - free_s) + held + (1.0 - fill) * times.lower_bound_s(pickup, dest)
            score += COLUMN_PENALTY_S * _nearby(state.visits.get(pickup, []), start)
            score -= 3600.0 if trip.rm else 0.0
            if best_trip is None or score < best_trip[0]:
                best_trip = (score, trip)
    return best_trip[1] if best_trip else None


def balance(instance: FleetInstance, routes: Routes, *, deadline: float) -> Routes:
    """Local search on the last delivery (see module docstring); returns improved routes."""
    vehicles = {v.id: v for v in instance.vehicles}
    finish = {vid: route_finish_s(instance, vehicles[vid], trips) for vid, trips in routes.items()}
    while time.monotonic() < deadline:
        worst = max(finish, key=lambda vid: finish[vid])
        if not _improve(instance, routes, finish, vehicles, worst, deadline):
            break
    return routes


def _fits(v: VehicleSpec, trip: PlannedTrip) -> bool:
    return trip.general <= v.seats and trip.rm <= v.rm_places


def _improve(
    instance: FleetInstance,
    routes: Routes,
    finish: dict[str, float],
    vehicles: dict[str, VehicleSpec],
    worst: str,
    deadline: float,
) -> bool:
    current = finish[worst]
    trips = routes[worst]
    order = sorted(finish, key=lambda vid: finish[vid])
    for idx in range(len(trips) - 1, -1, -1):
        trip = trips[idx]
        rest = trips[:idx] + trips[idx + 1 :]
        rest_finish = route_finish_s(instance, vehicles[worst], rest)
        if rest_finish >= current:
            continue
        for other in order:
            if time.monotonic() > deadline:
                return False
            if other == worst or finish[other] >= current or not _fits(vehicles[other], trip):
                continue
            target = routes[other]
            for pos in range(len(target), max(-1, len(target) - _LOCAL_POSITIONS - 1), -1):
                candidate = [*target[:pos], trip, *target[pos:]]
                f = route_finish_s(instance, vehicles[other], candidate)
                if max(f, rest_finish) < current - 1e-6:
                    routes[worst], routes[other] = rest, candidate
                    finish[worst], finish[other] = rest_finish, f
                    return True
            for k2, mine in enumerate(target):  # swap
                if not _fits(vehicles[worst], mine):
                    continue
                a = [*trips[:idx], mine, *trips[idx + 1 :]]
                b = [*target[:k2], trip, *target[k2 + 1 :]]
                fa = route_finish_s(instance, vehicles[worst], a)
                fb = route_finish_s(instance, vehicles[other], b)
                if max(fa, fb) < current - 1e-6:
                    routes[worst], routes[other] = a, b
                    finish[worst], finish[other] = fa, fb
                    return True
    return False


def solve_heuristic(
    instance: FleetInstance, *, time_limit_s: float = 30.0
) -> tuple[Routes, dict[str, float]]:
    """Allocation, dispatch and local search within ``time_limit_s``; routes and timing figures."""
    started = time.monotonic()
    bound = lower_bound(instance)
    targets = allocation(instance, bound.flows, stations=bound.stations_used)
    routes = dispatch(instance, targets, empty={**bound.empty, **bound.starts})
    built = time.monotonic()
    left = max(0.0, time_limit_s - (built - started))
    routes = balance(instance, routes, deadline=time.monotonic() + left)
    figures = {
        "bound_s": bound.bound_s,
        "trip_bound_s": bound.trip_bound_s,
        "work_bound_s": bound.work_bound_s,
        "construct_s": built - started,
        "local_search_s": time.monotonic() - built,
    }
    return routes, figures


def unplaced(instance: FleetInstance, routes: Routes) -> dict[str, tuple[int, int]]:
    """Seated and rm people of each pickup no route carries."""
    carried: dict[str, list[int]] = {p.id: [0, 0] for p in instance.pickups}
    for trips in routes.values():
        for trip in trips:
            carried[trip.pickup][0] += trip.general
            carried[trip.pickup][1] += trip.rm
    return {
        p.id: (p.general - carried[p.id][0], p.rm - carried[p.id][1])
        for p in instance.pickups
        if (p.general - carried[p.id][0]) + (p.rm - carried[p.id][1]) > 0
    }


def makespan_s(instance: FleetInstance, routes: Routes) -> float:
    """The last delivery of ``routes`` (0 when empty)."""
    vehicles = {v.id: v for v in instance.vehicles}
    return max((route_finish_s(instance, vehicles[vid], t) for vid, t in routes.items()), default=0.0)
