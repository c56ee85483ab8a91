"""The naive baseline the benchmark compares against: nearest-pickup greedy dispatch.

The vehicle free earliest drives to the nearest pickup point (by current travel time) that still
has people it can carry, loads whoever is there, and unloads at the nearest destination with room
(a station: when a train with seats leaves after the transfer). No allocation, no local search.
"""

from __future__ import annotations

import math

from safepassage.fleet.heuristic import Routes, Targets, _plan_trip, _State, dispatch
from safepassage.fleet.instance import FleetInstance, PlannedTrip, VehicleSpec, arrive_s

__all__ = ["solve_greedy"]


def solve_greedy(instance: FleetInstance) -> Routes:
    """Routes of the nearest-pickup greedy baseline."""
    everyone: Targets = {(p.id, "*"): [p.general, p.rm] for p in instance.pickups}
    room = {d.id: d.capacity for d in instance.destinations}

    def nearest(
        inst: FleetInstance, state: _State, v: VehicleSpec, place: str, free_s: float
    ) -> PlannedTrip | None:
        times = inst.times[v.vehicle_class]
        candidates = []
        for (pickup, _), (seated, rm) in state.targets.items():
            if (seated if v.seats else 0) + (rm if v.rm_places else 0) > 0:
                candidates.append(
                    (arrive_s(times, place, pickup, free_s, inst.horizon_s), pickup, seated, rm)
                )
        for at, pickup, seated, rm in sorted(candidates):
            if not math.isfinite(at):
                break
            dests = sorted(inst.destinations, key=lambda d: times.travel_s(pickup, d.id, at))
            for d in dests:
                if room[d.id] <= 0:
                    continue
                planned = _plan_trip(
                    inst, state, v, place, free_s, pickup, d.id, min(seated, room[d.id]), min(rm, room[d.id])
                )
                if planned is None:
                    continue
                trip = planned[0]
                if trip.people > room[d.id]:
                    continue
                room[d.id] -= trip.people
                state.targets[(pickup, "*")][0] -= trip.general
                state.targets[(pickup, "*")][1] -= trip.rm
                return trip
        return None

    return dispatch(instance, everyone, nearest)
