"""The time-expanded network: a copy of every (useful) node per time step, built with numpy.

Node ``(v, t)`` means "at node v at the start of step t". Arcs:

- **link** ``(u, t) -> (v, t + transit)`` for each static arc that may be entered at step ``t``,
  with the arc's capacity in people per step;
- **depart** ``p -> (o, t)``, unlimited, for every step t, where ``p`` is the *pickup point* of an
  origin's node, fed only by the source: people wait only at their own pickup point, as long as
  they like (the scenario allows waiting nowhere else; someone driving through an origin's node
  may not stop there); in the relaxation people may also **wait** ``(v, t) -> (v, t + 1)`` at
  every road node;
- **source** ``S -> p`` with the origin's people; **arrive** ``(d, t) -> D_j`` for every step
  in which destination j's node is reached; **receive** ``D_j -> Z`` with j's reception capacity.

Two step models share the builder:

- the **plan model** (``relaxed=False``): transit rounded *up* to whole model steps (at least
  one); an arc entered at ``t`` is open only if each of its links is open at the instant the group
  enters it (``t * step + offset``). The model step may be a fraction 1/s of the scenario's step
  (``substeps``), which cuts the rounding of travel times s-fold; capacities per substep then
  follow :func:`substep_capacity`. Every flow of this model is a plan ``check-plan`` accepts.
- the **relaxation** (``relaxed=True``): transit of a chain rounded *down*; the chain counts as
  closed in step t only if one closure covers every instant its link could be entered (the whole
  step, shifted by the link's offset, plus one step of allowed slowdown per earlier link); capacity
  per step is the chain's *first* link's (times ``capacity_factor`` for coarse steps: the entries
  of k fine steps); waiting everywhere. A valid plan (any entry instants, each hop at least its
  free-flow time and at most one step longer, capacity per step, entries while open) maps to a
  flow of this model arriving in the same or an earlier step, so the least T this model clears is
  a proven lower bound on any valid plan's clearance time.

All times are whole milliseconds (``time_grid``): the step, each chain's travel time and link
offsets, closure instants; transit and "closed at step t" are integer divisions, exact.

Pruning: ``(v, t)`` is kept only if some origin can reach v by step t and v can still reach a
destination by T (static shortest paths in steps, ``scipy.sparse.csgraph``); nodes get compact
indices per their time window ``[earliest(v), T - to_go(v)]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_grid import FAR_MS, MS_PER_S, first_ms_at_or_after, step_ms

__all__ = [
    "ARRIVE",
    "DEPART",
    "LINK",
    "RECEIVE",
    "SOURCE",
    "WAIT",
    "StepModel",
    "TimeExpandedNetwork",
    "expand",
    "min_weight_matrix",
    "static_times",
    "substep_capacity",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

LINK, WAIT, SOURCE, ARRIVE, RECEIVE, DEPART = 0, 1, 2, 3, 4, 5
_EPS = 1e-9


@dataclass(frozen=True)
class StepModel:
    """How time is discretised (see module docstring).

    ``step_s`` and ``slowdown_s`` must be whole milliseconds (``InputError`` otherwise): the model
    computes in integer milliseconds (``step_ms``, ``slowdown_ms``; see ``time_grid``).
    """

    step_s: float
    relaxed: bool = False
    capacity_factor: int = 1
    slowdown_s: float = 0.0  # relaxation: how much longer than free flow a hop may take
    substeps: int = 1  # plan model: model steps per scenario step (see ``substep_capacity``)

    def __post_init__(self) -> None:
        step_ms(self.step_s)  # raises when the step is not whole milliseconds
        if self.slowdown_s:
            step_ms(self.slowdown_s)

    @property
    def step_ms(self) -> int:
        return step_ms(self.step_s)

    @property
    def slowdown_ms(self) -> int:
        return step_ms(self.slowdown_s) if self.slowdown_s else 0


@dataclass(frozen=True, eq=False)
class StaticTimes:
    """Per static arc: transit in steps; per node: earliest step reachable and steps still to go."""

    transit: IntArray
    earliest: FloatArray  # inf where no origin reaches the node
    to_go: FloatArray  # inf where no destination can be reached


@dataclass(frozen=True, eq=False)
class TimeExpandedNetwork:
    """Arrays ready for OR-Tools: arcs ``tail -> head`` with ``capacity``, and what each arc means."""

    horizon_steps: int
    node_count: int
    source: int
    sink: int
    tail: IntArray
    head: IntArray
    capacity: IntArray
    kind: npt.NDArray[np.int8]
    ref: IntArray  # LINK: static arc; WAIT, DEPART: static node; SOURCE: origin; ARRIVE/RECEIVE: destination
    time: IntArray  # step at which the arc is entered (-1 for SOURCE and RECEIVE)

    @property
    def arc_count(self) -> int:
        return int(self.tail.shape[0])


def static_times(graph: StaticGraph, model: StepModel) -> StaticTimes:
    """Transit per arc and earliest / to-go steps per node for ``model``."""
    step = model.step_ms
    if model.relaxed:
        transit = graph.arc_travel_lo_ms // step
    else:
        transit = np.maximum(1, -(-graph.arc_travel_ms // step))
    weights = transit.astype(np.float64) + _EPS
    matrix = min_weight_matrix(graph.arc_tail, graph.arc_head, weights, graph.node_count)
    people = graph.origin_people > 0
    sources = np.unique(graph.origin_node[people]) if people.any() else np.unique(graph.origin_node)
    earliest = np.floor(dijkstra(matrix, indices=sources, min_only=True) + 1e-6)
    to_go = np.floor(dijkstra(matrix.T.tocsr(), indices=np.unique(graph.sink_node), min_only=True) + 1e-6)
    return StaticTimes(transit=transit, earliest=earliest, to_go=to_go)


def expand(
    graph: StaticGraph, model: StepModel, horizon_steps: int, times: StaticTimes
) -> TimeExpandedNetwork:
    """The pruned time-expanded network of ``graph`` over steps ``0..horizon_steps``."""
    big = 1 << 40
    lo = np.where(np.isfinite(times.earliest), times.earliest, big).astype(np.int64)
    hi = horizon_steps - np.where(np.isfinite(times.to_go), times.to_go, big).astype(np.int64)
    valid = lo <= hi
    width = np.where(valid, hi - lo + 1, 0)
    base = np.concatenate([[0], np.cumsum(width)])[:-1]
    n_time_nodes = int(width.sum())

    def node_id(v: IntArray, t: IntArray) -> IntArray:
        out: IntArray = base[v] + (t - lo[v])
        return out

    # --- link arcs ---------------------------------------------------------------------------
    tr = times.transit
    a_tail, a_head = graph.arc_tail, graph.arc_head
    t_start = lo[a_tail]
    t_end = np.minimum(hi[a_tail], hi[a_head] - tr)
    t_start = np.maximum(t_start, lo[a_head] - tr)
    count = np.where(valid[a_tail] & valid[a_head], np.maximum(t_end - t_start + 1, 0), 0)
    first = np.concatenate([[0], np.cumsum(count)])
    total = int(first[-1])
    arc_id = np.repeat(np.arange(graph.arc_count, dtype=np.int64), count)
    t_link = t_start[arc_id] + (np.arange(total, dtype=np.int64) - first[arc_id])
    open_mask = ~_closed_mask(graph, model, t_start, count, first, total)
    arc_id, t_link = arc_id[open_mask], t_link[open_mask]
    if model.relaxed:
        raw = np.floor(graph.arc_first_capacity_raw + _EPS).astype(np.int64)
        link_cap = raw[arc_id] * model.capacity_factor
    else:
        link_cap = substep_capacity(graph.arc_capacity[arc_id], t_link, model.substeps)
    keep = link_cap > 0
    arc_id, t_link, link_cap = arc_id[keep], t_link[keep], link_cap[keep]
    link_tail = node_id(a_tail[arc_id], t_link)
    link_head = node_id(a_head[arc_id], t_link + tr[arc_id])

    # --- waiting: at pickup points (only people of that origin); relaxed: anywhere
    waiters = np.flatnonzero(valid & (width > 1)) if model.relaxed else np.zeros(0, dtype=np.int64)
    w_node, w_t = _spread(waiters, lo[waiters], width[waiters] - 1)
    road_wait_tail = node_id(w_node, w_t)

    o_ok = valid[graph.origin_node] & (lo[graph.origin_node] == 0) & (graph.origin_people > 0)
    origins_ok = np.flatnonzero(o_ok)
    pickups = np.unique(graph.origin_node[origins_ok])
    pick_base = n_time_nodes + np.arange(pickups.size, dtype=np.int64)
    n_pick = int(pickups.size)
    d_rank, d_t = _spread(np.arange(pickups.size), np.zeros(pickups.size, np.int64), hi[pickups] + 1)
    depart_tail = pick_base[d_rank]
    depart_head = node_id(pickups[d_rank], d_t)

    # --- source, arrivals, reception --------------------------------------------------------
    n_dest = graph.destination_capacity.shape[0]
    dest_base = n_time_nodes + n_pick
    source = dest_base + n_dest
    sink = source + 1
    infinite = max(1, int(graph.origin_people.sum()) + 1)
    src_head = pick_base[np.searchsorted(pickups, graph.origin_node[origins_ok])]

    s_ok = valid[graph.sink_node]
    s_node, s_dest = graph.sink_node[s_ok], graph.sink_destination[s_ok]
    s_rep, s_t = _spread(np.arange(s_node.size), lo[s_node], width[s_node])
    arrive_tail = node_id(s_node[s_rep], s_t)
    arrive_dest = s_dest[s_rep]

    dests = np.arange(n_dest, dtype=np.int64)
    none = np.full(n_dest, -1)
    parts = [
        (link_tail, link_head, link_cap, LINK, arc_id, t_link),
        (road_wait_tail, road_wait_tail + 1, np.full(w_node.size, infinite), WAIT, w_node, w_t),
        (depart_tail, depart_head, np.full(d_rank.size, infinite), DEPART, pickups[d_rank], d_t),
        (
            np.full(origins_ok.size, source),
            src_head,
            graph.origin_people[origins_ok],
            SOURCE,
            origins_ok,
            np.full(origins_ok.size, -1),
        ),
        (arrive_tail, dest_base + arrive_dest, np.full(arrive_tail.size, infinite), ARRIVE, arrive_dest, s_t),
        (dest_base + dests, np.full(n_dest, sink), graph.destination_capacity, RECEIVE, dests, none),
    ]
    return TimeExpandedNetwork(
        horizon_steps=horizon_steps,
        node_count=sink + 1,
        source=source,
        sink=sink,
        tail=np.concatenate([p[0] for p in parts]).astype(np.int64),
        head=np.concatenate([p[1] for p in parts]).astype(np.int64),
        capacity=np.concatenate([p[2] for p in parts]).astype(np.int64),
        kind=np.concatenate([np.full(len(p[0]), p[3], dtype=np.int8) for p in parts]),
        ref=np.concatenate([p[4] for p in parts]).astype(np.int64),
        time=np.concatenate([p[5] for p in parts]).astype(np.int64),
    )


def substep_capacity(per_step: IntArray, t: IntArray, substeps: int) -> IntArray:
    """Capacity of model step ``t`` when a scenario step is split into ``substeps`` model steps.

    ``floor(U (j + 1) / s) - floor(U j / s)`` for ``j = t mod s``: the s substeps of a scenario
    step add up to exactly ``U``, and so does *any* s consecutive substeps (the pattern repeats),
    so the people entering a link in any window of one scenario step — also a chain's later links,
    entered at a fixed offset — never exceed ``U``. Nothing of the capacity is lost to rounding.
    """
    if substeps == 1:
        return per_step
    j = t % substeps
    out: IntArray = (per_step * (j + 1)) // substeps - (per_step * j) // substeps
    return out


def _spread(owner: IntArray, first_t: IntArray, count: IntArray) -> tuple[IntArray, IntArray]:
    """Repeat each ``owner[i]`` ``count[i]`` times with times ``first_t[i], first_t[i] + 1, ...``.

    Returns (positions into ``owner``, times).
    """
    count = np.maximum(count, 0)
    rank = np.repeat(np.arange(owner.size, dtype=np.int64), count)
    starts = np.concatenate([[0], np.cumsum(count)])[:-1]
    t = first_t[rank] + (np.arange(int(count.sum()), dtype=np.int64) - starts[rank])
    return owner[rank] if owner.size else rank, t


def _closed_mask(
    graph: StaticGraph, model: StepModel, t_start: IntArray, count: IntArray, first: IntArray, total: int
) -> npt.NDArray[np.bool_]:
    """Which candidate (arc, step) pairs are closed, via a difference array over the candidates.

    Integer milliseconds throughout (``time_grid``), so "closed at step t" is decided exactly.
    """
    if total == 0 or graph.closure_arc.size == 0:
        return np.zeros(total, dtype=bool)
    step = model.step_ms
    arc = graph.closure_arc
    offset, offset_lo = graph.closure_offset_ms, graph.closure_offset_lo_ms
    from_s, to_s = graph.closure_from_s, graph.closure_to_s
    if model.relaxed:
        # Closed only if every instant the link could be entered lies inside [from, to): from
        # t*step + offset to (t+1)*step + offset plus one step of allowed slowdown per earlier
        # link of the chain (offsets: the least and the most the links before may take).
        from_ms = _clip_ms(np.ceil(from_s * MS_PER_S - 1e-6))
        to_ms = _clip_ms(np.floor(to_s * MS_PER_S + 1e-6))
        slack = graph.closure_position * model.slowdown_ms
        t0 = -((offset_lo - from_ms) // step)  # ceil((from - offset) / step)
        t1 = (to_ms - offset - slack) // step
    else:  # closed if the entry instant t*step + offset lies in [from, to), both on the ms grid
        from_ms = first_ms_at_or_after(from_s)
        to_ms = first_ms_at_or_after(to_s)
        t0 = -((offset - from_ms) // step)
        t1 = -((offset - to_ms) // step)
    lo_t = t_start[arc]
    hi_t = lo_t + count[arc]  # exclusive
    t0 = np.clip(t0, lo_t, hi_t).astype(np.int64)
    t1 = np.clip(t1, lo_t, hi_t).astype(np.int64)
    real = t1 > t0
    diff = np.zeros(total + 1, dtype=np.int64)
    np.add.at(diff, first[arc[real]] + (t0[real] - lo_t[real]), 1)
    np.add.at(diff, first[arc[real]] + (t1[real] - lo_t[real]), -1)
    return np.cumsum(diff[:-1]) > 0


def _clip_ms(ms: npt.NDArray[np.float64] | IntArray) -> IntArray:
    """Milliseconds (float, maybe ±inf) as int64 within ``±FAR_MS``."""
    finite = np.nan_to_num(np.asarray(ms, dtype=np.float64), neginf=-FAR_MS, posinf=FAR_MS)
    out: IntArray = np.clip(finite, -FAR_MS, FAR_MS).astype(np.int64)
    return out


def min_weight_matrix(tail: IntArray, head: IntArray, weight: FloatArray, n: int) -> csr_matrix:
    """Sparse matrix keeping the smallest weight of parallel arcs (csr would add them up)."""
    order = np.lexsort((weight, head, tail))
    t, h, w = tail[order], head[order], weight[order]
    first = np.ones(t.shape[0], dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    return csr_matrix((w[first], (t[first], h[first])), shape=(n, n))
