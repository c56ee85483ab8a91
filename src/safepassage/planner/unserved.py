"""Why people cannot be served: infeasibility is an answer, with a reason a coordinator can act on.

For each origin whose people the best flow within the horizon cannot all move, in this order:

1. **cut off by closures** — no destination this group may use can be reached at all once links
   closed for the whole horizon are removed; the reason names the closures on the links leading
   out of the region that can still be reached (or says no road leads there at all);
2. **no open route within the horizon** — a route exists on the map but none is open long enough
   (curfew, ceasefire windows, time-limited closures); names the closures met on the way;
3. **reception capacity** — the destinations this origin can reach are full;
4. **road capacity** — the open roads cannot carry everybody out before the horizon ends (naming
   the time-limited closures, e.g. a curfew, that shorten the time the roads are open).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from safepassage.hazards import LinkClosures
from safepassage.planner.plan_file import Unserved
from safepassage.planner.problem import PlanningProblem

__all__ = ["explain_unserved"]

IntArray = npt.NDArray[np.int64]
_MAX_REASONS = 3


def explain_unserved(problem: PlanningProblem, served: IntArray, received: IntArray) -> list[Unserved]:
    """One :class:`Unserved` per origin with people left behind (see module docstring)."""
    out: list[Unserved] = []
    horizon = problem.horizon_s
    for i, origin_id in enumerate(problem.origin_ids):
        left = int(problem.origin_people[i] - served[i])
        if left <= 0:
            continue
        if problem.origin_excluded[i]:
            out.append(Unserved(origin=origin_id, people=left, reason=problem.origin_excluded[i]))
            continue
        layer = problem.layers[int(problem.origin_layer[i])]
        net, closures = layer.network, layer.closures
        start = int(problem.origin_node[i])
        never_open = closures.closed_throughout(0.0, horizon)
        sinks = layer.destination_node[layer.destination_node >= 0]
        reach_all = _reachable(problem, layer.usable, start, net.node_count, i)
        reach_open = _reachable(problem, layer.usable & ~never_open, start, net.node_count, i)
        if not reach_open[sinks].any():
            if not reach_all[sinks].any():
                rule = f"allowed by corridor {layer.corridor} " if layer.corridor else ""
                why = f"cut off: no road {rule}leads from this pickup point to any destination it may use"
            else:
                leaving = layer.usable & never_open & reach_open[net.link_tail] & ~reach_open[net.link_head]
                why = "cut off by closures for the whole horizon: " + _reasons(closures, leaving, None)
        elif served[i] == 0 and not _reception_full(problem, layer.destination_node, received):
            touched = layer.usable & reach_open[net.link_tail]
            why = (
                "no open route within the horizon (curfew, ceasefire windows or time-limited closures): "
                + _reasons(closures, touched, horizon)
            )
        elif _reception_full(problem, layer.destination_node, received):
            full = [
                problem.destination_ids[j]
                for j in np.flatnonzero(layer.destination_node >= 0).tolist()
                if received[j] >= problem.destination_capacity[j]
            ]
            why = "reception capacity: the destinations it can reach are full (" + ", ".join(full) + ")"
        else:
            why = "road capacity: the open roads cannot carry everybody out before the horizon ends"
            timed = layer.usable & reach_open[net.link_tail]
            limited = _reasons(closures, timed & ~never_open, horizon, missing="")
            if limited:
                why += "; roads are closed part of the time by: " + limited
        out.append(Unserved(origin=origin_id, people=left, reason=why))
    return out


def _reachable(
    problem: PlanningProblem, links: npt.NDArray[np.bool_], start: int, node_count: int, origin: int
) -> npt.NDArray[np.bool_]:
    layer = problem.layers[int(problem.origin_layer[origin])]
    net = layer.network
    keep = np.flatnonzero(links)
    graph = csr_matrix(
        (np.ones(keep.size), (net.link_tail[keep], net.link_head[keep])), shape=(node_count, node_count)
    )
    order = breadth_first_order(graph, start, directed=True, return_predecessors=False)
    mask = np.zeros(node_count, dtype=bool)
    mask[order] = True
    return mask


def _reception_full(problem: PlanningProblem, destination_node: IntArray, received: IntArray) -> bool:
    usable = np.flatnonzero(destination_node >= 0)
    return bool(usable.size) and bool((received[usable] >= problem.destination_capacity[usable]).all())


def _reasons(
    closures: LinkClosures,
    links: npt.NDArray[np.bool_],
    horizon_s: float | None,
    *,
    missing: str = "no closure found on the way out; the roads are not connected",
) -> str:
    hit = links[closures.link]
    if horizon_s is not None:
        hit &= (closures.from_s < horizon_s) & (closures.to_s > 0.0)
    counts = Counter(r for r, h in zip(closures.reason, hit.tolist(), strict=True) if h)
    if not counts:
        return missing
    named = [f"{reason}" for reason, _ in counts.most_common(_MAX_REASONS)]
    more = len(counts) - len(named)
    return "; ".join(named) + (f" and {more} more" if more > 0 else "")
