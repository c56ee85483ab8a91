"""The exact Bus Evacuation model for small instances: OR-Tools CP-SAT over trip slots.

Each vehicle ``v`` has ``K_v`` trip slots used in order. Slot ``k`` chooses a pickup (``is_p``)
and a destination (``is_d``), loads ``g[i]`` seated and ``r[i]`` reduced-mobility people at the
chosen pickup (within seats and places), and is timed: it reaches the pickup after the previous
slot's unloading plus the drive from that slot's destination (the depot for the first slot; drive
times read with ``AddElement`` from the pickup-destination tables), loads (``stop + board x
people``), drives to the destination and unloads (``stop + alight x people``). Everyone is carried
once, destinations receive at most their capacity. The objective is the last arrival at a
destination ``M`` (minimised); whole seconds, every time rounded down, so CP-SAT's bound is a
bound on the real times too (the driven schedule may end up to a second per leg later).

Scope: travel times are those of departures at the instance's start (the model is exact when no
closure changes over the horizon; ``is_small`` asks for that, ``method="exact"`` forces the model
anyway and the schedule is then driven on the real, time-dependent roads); people wait from the
start (later arrivals become ready times); no stations. ``K_v`` is the number of people (a trip
carries somebody), capped at :data:`MAX_SLOTS`: below the cap the optimum is the optimum of the
Bus Evacuation Problem itself (tests compare it with brute force); at the cap it is the optimum
with at most that many trips per vehicle, and CP-SAT's bound is reported as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from safepassage.fleet.instance import FleetInstance, PlannedTrip

__all__ = ["MAX_SLOTS", "ExactResult", "is_small", "solve_exact"]

#: Most trip slots per vehicle the exact model builds.
MAX_SLOTS = 8
#: Largest instance ``auto`` sends to the exact model: vehicles x slots, pickups, destinations.
SMALL_SLOTS = 24
SMALL_PLACES = 6


@dataclass(frozen=True)
class ExactResult:
    routes: dict[str, list[PlannedTrip]]
    makespan_s: float
    bound_s: float
    status: str


def _slots(instance: FleetInstance) -> dict[str, int]:
    people = instance.people
    return {v.id: max(1, min(MAX_SLOTS, people)) for v in instance.vehicles}


def is_small(instance: FleetInstance) -> bool:
    """Whether ``auto`` solves ``instance`` exactly (small, static roads, no stations or arrivals)."""
    static = all(t.next_change_s(0.0) is None for t in instance.times.values())
    one_batch = all(len(p.batches) == 1 for p in instance.pickups)
    return (
        static
        and one_batch
        and not any(d.is_station for d in instance.destinations)
        and sum(_slots(instance).values()) <= SMALL_SLOTS
        and len(instance.pickups) + len(instance.destinations) <= SMALL_PLACES
    )


def _sec(value: float, big: int) -> int:
    """Whole seconds rounded down (so the model's bound is a bound on the real times)."""
    return big if not math.isfinite(value) else math.floor(value + 1e-9)


def solve_exact(
    instance: FleetInstance, *, time_limit_s: float = 30.0, workers: int = 2
) -> ExactResult | None:
    """The model of the module docstring; None when CP-SAT finds no schedule in time."""
    pickups = [p for p in instance.pickups if p.people > 0]
    dests = [d for d in instance.destinations if d.capacity > 0 and not d.is_station]
    if not pickups:
        return ExactResult({v.id: [] for v in instance.vehicles}, 0.0, 0.0, "OPTIMAL")
    n_p, n_d = len(pickups), len(dests)
    horizon = instance.horizon_s if math.isfinite(instance.horizon_s) else 10 * 86400.0
    big = int(horizon) + 1
    m = cp_model.CpModel()
    makespan = m.new_int_var(0, big, "M")
    slots = _slots(instance)
    carried_g: dict[int, list[cp_model.IntVar]] = {i: [] for i in range(n_p)}
    carried_r: dict[int, list[cp_model.IntVar]] = {i: [] for i in range(n_p)}
    received: dict[int, list[cp_model.IntVar]] = {j: [] for j in range(n_d)}
    plan: dict[
        str,
        list[
            tuple[
                cp_model.IntVar,
                list[cp_model.IntVar],
                list[cp_model.IntVar],
                list[cp_model.IntVar],
                list[cp_model.IntVar],
            ]
        ],
    ] = {}
    for v in instance.vehicles:
        times = instance.times[v.vehicle_class]
        ready = [int(min(b.ready_s for b in p.batches)) for p in pickups]
        t_dp = [_sec(times.travel_s(d.id, p.id, 0.0), big) for d in dests for p in pickups]
        t_pd = [_sec(times.travel_s(p.id, d.id, 0.0), big) for p in pickups for d in dests]
        t_0 = [_sec(times.travel_s(v.depot, p.id, 0.0), big) for p in pickups]
        prev_end = None
        prev_dest = None
        prev_used = None
        plan[v.id] = []
        for k in range(slots[v.id]):
            used = m.new_bool_var(f"u{v.id}{k}")
            if prev_used is not None:
                m.add_implication(used, prev_used)
            is_p = [m.new_bool_var(f"p{v.id}{k}{i}") for i in range(n_p)]
            is_d = [m.new_bool_var(f"d{v.id}{k}{j}") for j in range(n_d)]
            m.add(sum(is_p) == used)
            m.add(sum(is_d) == used)
            g = [m.new_int_var(0, v.seats, f"g{v.id}{k}{i}") for i in range(n_p)]
            r = [m.new_int_var(0, v.rm_places, f"r{v.id}{k}{i}") for i in range(n_p)]
            for i in range(n_p):
                m.add(g[i] <= v.seats * is_p[i])
                m.add(r[i] <= v.rm_places * is_p[i])
                carried_g[i].append(g[i])
                carried_r[i].append(r[i])
            q = m.new_int_var(0, v.seats + v.rm_places, f"q{v.id}{k}")
            m.add(q == sum(g) + sum(r))
            m.add(sum(g) <= v.seats)
            m.add(sum(r) <= v.rm_places)
            m.add(q >= 1).only_enforce_if(used)
            w = [m.new_int_var(0, v.seats + v.rm_places, f"w{v.id}{k}{j}") for j in range(n_d)]
            for j in range(n_d):
                m.add(w[j] <= (v.seats + v.rm_places) * is_d[j])
                received[j].append(w[j])
            m.add(sum(w) == q)
            pick = m.new_int_var(0, n_p - 1, f"pi{v.id}{k}")
            dest = m.new_int_var(0, n_d - 1, f"di{v.id}{k}")
            m.add(pick == sum(i * is_p[i] for i in range(n_p)))
            m.add(dest == sum(j * is_d[j] for j in range(n_d)))
            reach = m.new_int_var(0, 2 * big, f"a{v.id}{k}")
            if prev_end is None or prev_dest is None:
                m.add(reach >= int(v.available_s) + sum(t_0[i] * is_p[i] for i in range(n_p)))
            else:
                idx = m.new_int_var(0, n_d * n_p - 1, f"x{v.id}{k}")
                m.add(idx == prev_dest * n_p + pick)
                drive = m.new_int_var(0, big, f"e{v.id}{k}")
                m.add_element(idx, t_dp, drive)
                m.add(reach >= prev_end + drive).only_enforce_if(used)
            load = m.new_int_var(0, 2 * big, f"l{v.id}{k}")
            m.add(load >= reach)
            m.add(load >= sum(ready[i] * is_p[i] for i in range(n_p)))
            pd = m.new_int_var(0, n_p * n_d - 1, f"y{v.id}{k}")
            m.add(pd == pick * n_d + dest)
            run = m.new_int_var(0, big, f"t{v.id}{k}")
            m.add_element(pd, t_pd, run)
            arrive = m.new_int_var(0, 3 * big, f"z{v.id}{k}")
            m.add(arrive == load + int(v.stop_s) + int(v.board_s) * q + run)
            m.add(makespan >= arrive).only_enforce_if(used)
            m.add(arrive <= big - 1).only_enforce_if(used)
            end = m.new_int_var(0, 4 * big, f"f{v.id}{k}")
            m.add(end == arrive + int(v.stop_s) + int(v.alight_s) * q)
            plan[v.id].append((used, is_p, is_d, g, r))
            prev_end, prev_dest, prev_used = end, dest, used
    for i, p in enumerate(pickups):
        m.add(sum(carried_g[i]) == p.general)
        m.add(sum(carried_r[i]) == p.rm)
    for j, d in enumerate(dests):
        m.add(sum(received[j]) <= d.capacity)
    m.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    routes: dict[str, list[PlannedTrip]] = {}
    for vid, slots_v in plan.items():
        routes[vid] = []
        for used, is_p, is_d, g, r in slots_v:
            if not solver.value(used):
                continue
            i = next(i for i, b in enumerate(is_p) if solver.value(b))
            j = next(j for j, b in enumerate(is_d) if solver.value(b))
            routes[vid].append(
                PlannedTrip(
                    pickups[i].id,
                    dests[j].id,
                    int(solver.value(g[i])),
                    int(solver.value(r[i])),
                    min(b.ready_s for b in pickups[i].batches),
                )
            )
    return ExactResult(
        routes,
        float(round(solver.objective_value)),
        float(math.floor(solver.best_objective_bound + 1e-6)),
        "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE",
    )
