"""Invariants of the fleet solvers on random small instances (hypothesis), and the exact model
against brute force on tiny ones."""

from __future__ import annotations

import itertools
import math
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.fleet.baseline import solve_greedy
from safepassage.fleet.bound import lower_bound
from safepassage.fleet.exact import solve_exact
from safepassage.fleet.heuristic import makespan_s, solve_heuristic, unplaced
from safepassage.fleet.instance import (
    Batch,
    DestinationSpec,
    FleetInstance,
    MatrixTimes,
    PickupSpec,
    PlannedTrip,
    VehicleSpec,
    evaluate_route,
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn, *, tiny: bool = False, closures: bool = False) -> FleetInstance:
    n_p = draw(st.integers(1, 2 if tiny else 3))
    n_d = draw(st.integers(1, 2))
    n_v = draw(st.integers(1, 2 if tiny else 3))
    ids = ["depot"] + [f"p{i}" for i in range(n_p)] + [f"d{j}" for j in range(n_d)]
    index = {p: k for k, p in enumerate(ids)}
    coords = [(draw(st.integers(0, 10)), draw(st.integers(0, 10))) for _ in ids]
    base = [[60.0 * (abs(a[0] - b[0]) + abs(a[1] - b[1])) for b in coords] for a in coords]
    epochs = [base]
    starts = [0.0]
    if closures:  # a closure: from 600 s to 1200 s nothing reaches the first destination
        closed = [
            [math.inf if b == index["d0"] and a != b else base[a][b] for b in range(len(ids))]
            for a in range(len(ids))
        ]
        epochs = [base, closed, base]
        starts = [0.0, 600.0, 1200.0]
    most = 2 if tiny else 40
    pickups = [
        PickupSpec(f"p{i}", (Batch(0.0, draw(st.integers(0, most)), draw(st.integers(0, 1 if tiny else 3))),))
        for i in range(n_p)
    ]
    total = sum(p.people for p in pickups)
    dests = [DestinationSpec(f"d{j}", draw(st.integers(total, total + 5))) for j in range(n_d)]
    vehicles = [
        VehicleSpec(
            f"v{k}",
            "g",
            "bus",
            "bus",
            draw(st.integers(1, 3 if tiny else 20)),
            draw(st.integers(1, 2)),
            draw(st.sampled_from([0.0, 5.0])),
            0.0,
            draw(st.sampled_from([0.0, 30.0])),
            "depot",
        )
        for k in range(n_v)
    ]
    times = MatrixTimes(index, epochs, starts)
    return FleetInstance(vehicles, pickups, dests, {"bus": times}, horizon_s=20_000.0)


def _carried(routes: dict[str, list[PlannedTrip]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for trips in routes.values():
        for t in trips:
            entry = out.setdefault(t.pickup, [0, 0])
            entry[0] += t.general
            entry[1] += t.rm
    return out


def _open_departure(times: MatrixTimes, a: str, b: str, ready_s: float, arrive_s: float) -> bool:
    """Some departure at ``ready_s`` or at a later epoch start reaches ``b`` at ``arrive_s``."""
    if a == b:
        return arrive_s == ready_s
    for t in [ready_s, *(e for e in times.epoch_starts_s if e > ready_s)]:
        d = times.travel_s(a, b, t)
        if math.isfinite(d) and abs(t + d - arrive_s) < 1e-6:
            return True
    return False


def _check_routes(instance: FleetInstance, routes: dict[str, list[PlannedTrip]]) -> None:
    vehicles = {v.id: v for v in instance.vehicles}
    carried = _carried(routes)
    missing = unplaced(instance, routes)
    for p in instance.pickups:  # every person once: carried or left over, never twice
        got = carried.get(p.id, [0, 0])
        left = missing.get(p.id, (0, 0))
        assert (got[0] + left[0], got[1] + left[1]) == (p.general, p.rm)
    received: dict[str, int] = {}
    for vid, trips in routes.items():
        v = vehicles[vid]
        times = instance.times[v.vehicle_class]
        assert isinstance(times, MatrixTimes)
        for trip, timing in zip(trips, evaluate_route(instance, v, trips), strict=True):
            assert trip.general <= v.seats
            assert trip.rm <= v.rm_places  # seats never exceeded
            assert trip.people >= 1
            received[trip.destination] = received.get(trip.destination, 0) + trip.people
            # windows: the loaded drive leaves (after waiting at the pickup if need be) while a road is open
            assert _open_departure(
                times, trip.pickup, trip.destination, timing.depart_pickup_s, timing.at_destination_s
            )
            assert timing.load_start_s >= timing.at_pickup_s >= timing.leave_s
    for d in instance.destinations:
        assert received.get(d.id, 0) <= d.capacity


@SETTINGS
@given(instances(closures=True))
def test_heuristic_is_feasible_and_above_the_bound(instance: FleetInstance) -> None:
    routes, _ = solve_heuristic(instance, time_limit_s=2.0)
    _check_routes(instance, routes)
    if not unplaced(instance, routes):  # the bound holds for schedules moving everyone
        assert makespan_s(instance, routes) >= lower_bound(instance).bound_s - 1e-6


@SETTINGS
@given(instances(closures=True))
def test_greedy_is_feasible_and_above_the_bound(instance: FleetInstance) -> None:
    routes = solve_greedy(instance)
    _check_routes(instance, routes)
    if not unplaced(instance, routes):
        assert makespan_s(instance, routes) >= lower_bound(instance).bound_s - 1e-6


def brute_force(instance: FleetInstance) -> float:
    """The least last arrival over every assignment of trips (loads of any size) to vehicles."""
    vehicles = instance.vehicles
    times = instance.times["bus"]

    @cache
    def best(
        left: tuple[tuple[int, int], ...],
        state: tuple[tuple[str, float], ...],
        room: tuple[int, ...],
        done: float,
    ) -> float:
        if all(g == 0 and r == 0 for g, r in left):
            return done
        result = math.inf
        for k, v in enumerate(vehicles):
            place, free = state[k]
            for i, (g_left, r_left) in enumerate(left):
                pickup = instance.pickups[i].id
                for g, r in itertools.product(
                    range(min(g_left, v.seats) + 1), range(min(r_left, v.rm_places) + 1)
                ):
                    if g + r == 0:
                        continue
                    for j, d in enumerate(instance.destinations):
                        if room[j] < g + r:
                            continue
                        at = free + (times.travel_s(place, pickup, free) if place != pickup else 0.0)
                        depart = at + v.stop_s + v.board_s * (g + r)
                        arrive = depart + times.travel_s(pickup, d.id, depart)
                        if arrive >= result:
                            continue
                        end = arrive + v.stop_s + v.alight_s * (g + r)
                        new_left = tuple(
                            (a - g, b - r) if n == i else (a, b) for n, (a, b) in enumerate(left)
                        )
                        new_state = tuple((d.id, end) if n == k else s for n, s in enumerate(state))
                        new_room = tuple(c - (g + r) if n == j else c for n, c in enumerate(room))
                        result = min(result, best(new_left, new_state, new_room, max(done, arrive)))
        return result

    return best(
        tuple((p.general, p.rm) for p in instance.pickups),
        tuple((v.depot, v.available_s) for v in vehicles),
        tuple(d.capacity for d in instance.destinations),
        0.0,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(tiny=True))
def test_exact_optimum_equals_brute_force_and_the_bound_is_below(instance: FleetInstance) -> None:
    if instance.people == 0 or instance.people > 5:
        return
    result = solve_exact(instance, time_limit_s=20.0)
    assert result is not None
    assert result.status == "OPTIMAL"
    optimum = brute_force(instance)
    assert result.makespan_s == optimum  # whole-second travel times: no rounding
    assert makespan_s(instance, result.routes) == optimum
    _check_routes(instance, result.routes)
    assert lower_bound(instance).bound_s <= optimum + 1e-6
    heuristic, _ = solve_heuristic(instance, time_limit_s=1.0)
    assert makespan_s(instance, heuristic) >= optimum - 1e-6
