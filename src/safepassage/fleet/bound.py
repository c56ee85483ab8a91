"""A proven lower bound on the time the last person is delivered, for every feasible schedule.

``lower_bound(instance)`` returns the larger of two bounds (the proof is in ``docs/fleet.md``):

1. **Trip bound** -- every person of a batch ready at ``r`` at pickup ``i`` rides some trip of some
   vehicle ``v`` able to carry them (seats, or reduced-mobility places). That trip reaches ``i`` no
   sooner than ``a_v + D_v(i)`` (available time, then the quickest drive from the depot), loads
   from ``max(that, r)`` for at least ``stop + board`` seconds and drives at least ``t(i, j)``
   (at a station: then unloads and waits for the first train after the transfer time). The least of this over
   ``v`` and ``j``, the largest over batches, bounds the last delivery.

2. **Fleet-work bound (LP relaxation of a vehicle-flow model)** -- per group ``g`` of vehicles of
   one kind (class, places, handling times), count in any schedule finishing by ``T``: loaded
   trips ``y[i,j]`` from pickup ``i`` to destination ``j`` carrying ``x`` seated and ``z``
   reduced-mobility people, empty drives ``e[j,i]`` between trips, first drives ``s[o,i]`` from
   each start ``o`` (a depot with ``n_o`` vehicles available from ``a_o``) and last stops ``f[j]``.
   These counts satisfy: everyone carried (``sum x = seated_i``, ``sum z = needing_i``), reception
   capacity (``sum x + z <= C_j``; a station: also the seats of its trains), places
   (``x <= seats y``, ``z <= rm y``), flow conservation at pickups (``sum e + s = sum y``) and
   destinations (``sum y = sum e + f``), ``sum_i s[o,i] <= n_o``, and **work**: every vehicle
   drives and handles people between ``a_o`` and ``T``, so
   ``sum y (t(i,j) + 2 stop) + sum e t(j,i) + sum s t(o,i) + sum (x + z)(board + alight)
   <= sum_o n_o (T - a_o + u)`` where ``u`` is one full unloading (the last one may end after
   ``T``: a person counts as arrived when the vehicle reaches the destination). Relaxing
   integrality gives an LP in which ``T`` is a variable;
   its least ``T`` is a lower bound. A start available after ``T`` would make ``T - a_o`` negative,
   so availabilities are clipped at a proven bound ``L`` (``a_o`` -> ``min(a_o, L)``: vehicles
   available earlier, a relaxation) and ``T >= L`` is added; ``L`` starts as the trip bound and is
   raised to the LP's optimum up to three times (HiGHS through ``scipy.optimize.linprog``).
   One integer cut is kept: a pickup with ``q`` seated people needs at least
   ``ceil(q / most seats of any vehicle)`` loaded trips (likewise for reduced-mobility places).

Travel times are the instance's ``lower_bound_s`` (free flow on links not closed for the whole
horizon), so waiting for windows, curfews, column headways and loading queues only add to them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, hstack

from safepassage.fleet.instance import DestinationSpec, FleetInstance, VehicleSpec

__all__ = ["BoundResult", "lower_bound", "trip_bound_s"]


@dataclass(frozen=True)
class BoundResult:
    """The bound (seconds after the start) and which part gave it."""

    bound_s: float
    trip_bound_s: float
    work_bound_s: float
    flows: dict[tuple[str, str], tuple[float, float]]  # (pickup, destination) -> (seated, rm) of the LP
    empty: dict[tuple[str, str], float] = field(default_factory=dict)  # (destination, pickup) -> drives
    starts: dict[tuple[str, str], float] = field(default_factory=dict)  # (depot, pickup) -> drives
    stations_used: bool = True  # whether the flows may send people to stations

    @property
    def source(self) -> str:
        return "fleet work (LP relaxation)" if self.work_bound_s >= self.trip_bound_s else "trip"


def _first_train_s(dest: DestinationSpec, ready_s: float) -> float:
    return min(
        (dep for dep, seats in dest.trains if dep >= ready_s + dest.transfer_s and seats > 0),
        default=math.inf,
    )


def _delivery_s(dest: DestinationSpec, arrive_s: float, unload_s: float) -> float:
    """Arrival at a destination; at a station, the first train after unloading and the transfer."""
    return arrive_s if not dest.is_station else _first_train_s(dest, arrive_s + unload_s)


def trip_bound_s(instance: FleetInstance) -> float:
    """Bound 1 of the module docstring (0 when nobody waits)."""
    best = 0.0
    for pickup in instance.pickups:
        for batch in pickup.batches:
            for need, count in (("general", batch.general), ("rm", batch.rm)):
                if count <= 0:
                    continue
                able = [v for v in instance.vehicles if (v.seats if need == "general" else v.rm_places) > 0]
                earliest = min(
                    (_single_trip_s(instance, v, pickup.id, batch.ready_s) for v in able), default=math.inf
                )
                if math.isfinite(earliest):
                    best = max(best, earliest)
    return best


def _single_trip_s(instance: FleetInstance, v: VehicleSpec, pickup: str, ready_s: float) -> float:
    times = instance.times[v.vehicle_class]
    load = max(v.available_s + times.lower_bound_s(v.depot, pickup), ready_s)
    depart = load + v.stop_s + v.board_s
    return min(
        (
            _delivery_s(d, depart + times.lower_bound_s(pickup, d.id), v.stop_s + v.alight_s)
            for d in instance.destinations
            if d.capacity > 0
        ),
        default=math.inf,
    )


@dataclass(frozen=True)
class _Group:
    """Vehicles of one kind; ``starts``: (depot, available_s, count)."""

    v: VehicleSpec
    starts: tuple[tuple[str, float, int], ...]


def _groups(instance: FleetInstance) -> list[_Group]:
    kinds: dict[tuple[object, ...], dict[tuple[str, float], list[VehicleSpec]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for v in instance.vehicles:
        key = (v.vehicle_class, v.seats, v.rm_places, v.board_s, v.alight_s, v.stop_s)
        kinds[key][(v.depot, v.available_s)].append(v)
    return [
        _Group(next(iter(starts.values()))[0], tuple((d, a, len(m)) for (d, a), m in starts.items()))
        for starts in kinds.values()
    ]


def lower_bound(instance: FleetInstance) -> BoundResult:
    """The proven bound of the module docstring, with the LP's flows (the heuristic's allocation).

    With stations: a schedule sending nobody to a station is bounded by the LP without stations;
    one that does delivers someone no sooner than the first train, so the bound is the lesser of
    the two cases (the flows are those of the lesser).
    """
    tb = trip_bound_s(instance)
    if instance.people == 0:
        return BoundResult(tb, tb, 0.0, {})
    cases = [(_least_t(_WorkLP(instance, stations=True), tb), 0.0, True)]
    stations = [d for d in instance.destinations if d.is_station]
    if stations:
        first_train = min(dep for d in stations for dep, _ in d.trains)
        cases = [
            (cases[0][0], first_train, True),
            (_least_t(_WorkLP(instance, stations=False), tb), 0.0, False),
        ]
    feasible = [(max(t, floor_s), parts, st) for (t, parts), floor_s, st in cases if parts is not None]
    if not feasible:  # the LP says nobody can be moved: report the trip bound only
        return BoundResult(tb, tb, 0.0, {})
    value, parts, used = min(feasible, key=lambda c: (max(c[0], tb), not c[2]))
    work = float(math.floor(value * (1 - 1e-9)))
    return BoundResult(max(tb, work), tb, work, parts["flows"], parts["empty"], parts["starts"], used)


def _least_t(lp: _WorkLP, floor_s: float) -> tuple[float, _Parts | None]:
    """The LP's least ``T``, every start's availability clipped at a proven bound (raised each round)."""
    best: tuple[float, _Parts | None] = (math.inf, None)
    known = floor_s
    for _ in range(3):
        solved = lp.solve(known)
        if solved is None:
            break
        best = solved
        if solved[0] <= known + 1e-6 or all(a <= known for g in lp.groups for _, a, _ in g.starts):
            break
        known = solved[0]
    return best


@dataclass(frozen=True)
class _Parts:
    flows: dict[tuple[str, str], tuple[float, float]]
    empty: dict[tuple[str, str], float]
    starts: dict[tuple[str, str], float]

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


class _WorkLP:
    """Bound 2 as one LP per availability cut-off; the matrix is built once."""

    def __init__(self, instance: FleetInstance, *, stations: bool = True) -> None:
        self.groups = _groups(instance)
        self.pickups = [p for p in instance.pickups if p.people > 0]
        self.dests = [d for d in instance.destinations if d.capacity > 0 and (stations or not d.is_station)]
        n_p, n_d = len(self.pickups), len(self.dests)
        self.n_p, self.n_d = n_p, n_d
        self.k_n = n_p * n_d
        self.offsets: list[int] = []
        col = 0
        for g in self.groups:
            self.offsets.append(col)
            col += 4 * self.k_n + len(g.starts) * n_p + n_d
        self.n_var = col + 1  # the last column is T
        self._times(instance)
        self._build()

    def _times(self, instance: FleetInstance) -> None:
        n_g = len(self.groups)
        self.t_pd = np.full((n_g, self.n_p, self.n_d), np.inf)
        self.t_dp = np.full((n_g, self.n_d, self.n_p), np.inf)
        self.t_start: list[npt.NDArray[np.float64]] = []
        for g, group in enumerate(self.groups):
            times = instance.times[group.v.vehicle_class]
            for i, p in enumerate(self.pickups):
                for j, d in enumerate(self.dests):
                    self.t_pd[g, i, j] = times.lower_bound_s(p.id, d.id)
                    self.t_dp[g, j, i] = times.lower_bound_s(d.id, p.id)
            self.t_start.append(
                np.array(
                    [[times.lower_bound_s(depot, p.id) for p in self.pickups] for depot, _, _ in group.starts]
                )
            )

    def col(self, g: int, part: str, a: int, b: int = 0) -> int:
        base, k_n, n_p = self.offsets[g], self.k_n, self.n_p
        if part in ("y", "x", "z"):
            return base + {"y": 0, "x": k_n, "z": 2 * k_n}[part] + a * self.n_d + b
        if part == "e":  # a = destination, b = pickup
            return base + 3 * k_n + a * n_p + b
        if part == "s":  # a = start, b = pickup
            return base + 4 * k_n + a * n_p + b
        return base + 4 * k_n + len(self.groups[g].starts) * n_p + a  # f

    def _build(self) -> None:
        ub: tuple[list[int], list[int], list[float]] = ([], [], [])
        eq: tuple[list[int], list[int], list[float]] = ([], [], [])
        self.b_ub: list[float] = []
        self.b_eq: list[float] = []
        self.cost = np.zeros(self.n_var)
        self.work_rows: list[int] = []
        self.start_rows: list[list[int]] = []

        def add(m: tuple[list[int], list[int], list[float]], r: int, c: int, v: float) -> None:
            m[0].append(r)
            m[1].append(c)
            m[2].append(v)

        for g, group in enumerate(self.groups):
            v = group.v
            for i in range(self.n_p):
                for j in range(self.n_d):
                    r = len(self.b_ub)
                    add(ub, r, self.col(g, "x", i, j), 1.0)
                    add(ub, r, self.col(g, "y", i, j), -float(v.seats))
                    add(ub, r + 1, self.col(g, "z", i, j), 1.0)
                    add(ub, r + 1, self.col(g, "y", i, j), -float(v.rm_places))
                    self.b_ub += [0.0, 0.0]
            for i in range(self.n_p):  # pickup: in (e, s) = out (y)
                r = len(self.b_eq)
                for j in range(self.n_d):
                    add(eq, r, self.col(g, "e", j, i), 1.0)
                    add(eq, r, self.col(g, "y", i, j), -1.0)
                for o in range(len(group.starts)):
                    add(eq, r, self.col(g, "s", o, i), 1.0)
                self.b_eq.append(0.0)
            for j in range(self.n_d):  # destination: in (y) = out (e, f)
                r = len(self.b_eq)
                for i in range(self.n_p):
                    add(eq, r, self.col(g, "y", i, j), 1.0)
                    add(eq, r, self.col(g, "e", j, i), -1.0)
                add(eq, r, self.col(g, "f", j), -1.0)
                self.b_eq.append(0.0)
            rows = []
            for o, (_, _, count) in enumerate(group.starts):  # vehicles per start
                r = len(self.b_ub)
                for i in range(self.n_p):
                    add(ub, r, self.col(g, "s", o, i), 1.0)
                self.b_ub.append(float(count))
                rows.append(r)
            self.start_rows.append(rows)
            r = len(self.b_ub)  # work; the T column is added per cut-off
            handling = v.board_s + v.alight_s
            for i in range(self.n_p):
                for j in range(self.n_d):
                    for c, w in (
                        (self.col(g, "y", i, j), self.t_pd[g, i, j] + 2 * v.stop_s),
                        (self.col(g, "x", i, j), handling),
                        (self.col(g, "z", i, j), handling),
                        (self.col(g, "e", j, i), self.t_dp[g, j, i]),
                    ):
                        if math.isfinite(w) and w > 0:
                            add(ub, r, c, float(w))
                            self.cost[c] = float(w)
                for o in range(len(group.starts)):
                    w = float(self.t_start[g][o, i])
                    if math.isfinite(w) and w > 0:
                        add(ub, r, self.col(g, "s", o, i), w)
                        self.cost[self.col(g, "s", o, i)] = w
            self.b_ub.append(0.0)
            self.work_rows.append(r)
        self.cap_rows = []
        for j in range(self.n_d):  # reception capacity (a station: also its trains' seats)
            r = len(self.b_ub)
            for g in range(len(self.groups)):
                for i in range(self.n_p):
                    add(ub, r, self.col(g, "x", i, j), 1.0)
                    add(ub, r, self.col(g, "z", i, j), 1.0)
            d = self.dests[j]
            cap = (
                float(d.capacity) if not d.is_station else float(min(d.capacity, sum(s for _, s in d.trains)))
            )
            self.b_ub.append(cap)
            self.cap_rows.append(r)
        most_seats = max((g.v.seats for g in self.groups), default=0)
        most_rm = max((g.v.rm_places for g in self.groups), default=0)
        for i, p in enumerate(self.pickups):  # whole trips: at least ceil(people / most places) per pickup
            for total, places in ((p.general, most_seats), (p.rm, most_rm)):
                if total > 0 and places > 0:
                    r = len(self.b_ub)
                    for g in range(len(self.groups)):
                        for j in range(self.n_d):
                            add(ub, r, self.col(g, "y", i, j), -1.0)
                    self.b_ub.append(-float(math.ceil(total / places)))
        for i, p in enumerate(self.pickups):  # everyone carried
            for part, total in (("x", p.general), ("z", p.rm)):
                r = len(self.b_eq)
                for g in range(len(self.groups)):
                    for j in range(self.n_d):
                        add(eq, r, self.col(g, part, i, j), 1.0)
                self.b_eq.append(float(total))
        self.a_ub = coo_matrix((ub[2], (ub[0], ub[1])), shape=(len(self.b_ub), self.n_var - 1)).tocsr()
        self.a_eq = coo_matrix((eq[2], (eq[0], eq[1])), shape=(len(self.b_eq), self.n_var)).tocsr()
        self.upper = np.full(self.n_var, np.inf)
        for g, group in enumerate(self.groups):
            for i in range(self.n_p):
                for j in range(self.n_d):
                    if not math.isfinite(self.t_pd[g, i, j]):
                        for part in ("y", "x", "z"):
                            self.upper[self.col(g, part, i, j)] = 0.0
                    if not math.isfinite(self.t_dp[g, j, i]):
                        self.upper[self.col(g, "e", j, i)] = 0.0
                    if group.v.seats == 0:
                        self.upper[self.col(g, "x", i, j)] = 0.0
                    if group.v.rm_places == 0:
                        self.upper[self.col(g, "z", i, j)] = 0.0
                for o in range(len(group.starts)):
                    if not math.isfinite(self.t_start[g][o, i]):
                        self.upper[self.col(g, "s", o, i)] = 0.0

    def solve(self, known_s: float) -> tuple[float, _Parts] | None:
        """Least ``T >= known_s`` (a proven bound), every start's availability clipped at
        ``known_s`` (vehicles available earlier: a relaxation), with the flows."""
        t_col = np.zeros(len(self.b_ub))
        b_ub = np.array(self.b_ub)
        upper = self.upper.copy()
        for g, group in enumerate(self.groups):
            for _, avail, count in group.starts:  # the last unloading may end after T
                last_unload = group.v.stop_s + group.v.alight_s * (group.v.seats + group.v.rm_places)
                t_col[self.work_rows[g]] -= count
                b_ub[self.work_rows[g]] += count * (last_unload - min(avail, known_s))
        a_ub = hstack([self.a_ub, coo_matrix(t_col.reshape(-1, 1))]).tocsr()
        cost = self.cost * 1e-7
        cost[-1] = 1.0
        bounds = np.column_stack([np.zeros(self.n_var), upper])
        bounds[-1] = (known_s, np.inf)
        result = linprog(
            cost, A_ub=a_ub, b_ub=b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=bounds, method="highs"
        )
        if result.status != 0:
            return None
        sol = result.x
        n_g = len(self.groups)
        flows: dict[tuple[str, str], tuple[float, float]] = {}
        empty: dict[tuple[str, str], float] = {}
        starts: dict[tuple[str, str], float] = {}
        for i, p in enumerate(self.pickups):
            for j, d in enumerate(self.dests):
                seated = float(sum(sol[self.col(g, "x", i, j)] for g in range(n_g)))
                rm = float(sum(sol[self.col(g, "z", i, j)] for g in range(n_g)))
                if seated > 1e-6 or rm > 1e-6:
                    flows[(p.id, d.id)] = (seated, rm)
                drives = float(sum(sol[self.col(g, "e", j, i)] for g in range(n_g)))
                if drives > 1e-6:
                    empty[(d.id, p.id)] = drives
            for g, group in enumerate(self.groups):
                for o, (depot, _, _) in enumerate(group.starts):
                    value = float(sol[self.col(g, "s", o, i)])
                    if value > 1e-6:
                        starts[(depot, p.id)] = starts.get((depot, p.id), 0.0) + value
        return float(sol[-1]), _Parts(flows, empty, starts)
