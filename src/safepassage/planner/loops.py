"""Skip the loops left in movements: drive the street into the loop slower instead of circling.

After the tidy pass and the loop shifts of ``tidy`` a few movements may still enter a node twice
(on the Helsinki demo: nine one-person U-turns, forced by the capacity of later links at quarter
steps, since a group may not wait on the way). A plan's hop may take up to one scenario time step
longer than the link's free-flow time (the plan format's "no waiting on the way" rule, which the
model's rounding to model steps uses only partly). So a loop ``v ... v`` entered at ``t1`` and left
at ``t2`` goes when the hop *into* v, ``u -> v`` entered at ``t0``, can take ``t2 - t0`` instead:

    t2 - t0 <= travel_ms_down(u -> v) + time_step_ms

(``travel`` rounded down to whole ms, so the checker's ``travel_time_s + time_step_s + 1 ms``
holds). Every other entry time stays: the links before v are entered as before, the links after
the loop as before, and the loop's links are no longer entered at all, so every capacity, closure,
the destination and the arrival still hold; exposure only drops. A loop starting at the origin
goes always (the group waits at its pickup point instead). Loops are removed outermost first (the
last return to a node), falling back to shorter ones when the slack is too small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from safepassage.planner.assemble import Group
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.time_grid import ms_down, step_ms

__all__ = ["revisiting_mask", "skip_loops"]

IntArray = npt.NDArray[np.int64]


def revisiting_mask(node_paths: Sequence[IntArray]) -> npt.NDArray[np.bool_]:
    """Per path (node indices in travel order): whether it enters some node more than once. Vectorised."""
    if not node_paths:
        return np.zeros(0, dtype=bool)
    lengths = np.fromiter((p.size for p in node_paths), dtype=np.int64, count=len(node_paths))
    nodes = np.concatenate(node_paths).astype(np.int64)
    owner = np.repeat(np.arange(len(node_paths), dtype=np.int64), lengths)
    keys = np.sort(owner * (int(nodes.max(initial=0)) + 1) + nodes)
    twice = keys[1:][keys[1:] == keys[:-1]] // (int(nodes.max(initial=0)) + 1)
    out = np.zeros(len(node_paths), dtype=bool)
    out[twice] = True
    return out


def skip_loops(
    problem: PlanningProblem, groups: Sequence[Group], revisiting: npt.NDArray[np.bool_] | None = None
) -> tuple[list[Group], int]:
    """``groups`` with every loop that fits the slack removed (module docstring); (groups, loops removed).

    ``revisiting``: per group, whether it enters a node twice (:func:`revisiting_mask` if not given);
    only those are looked at.
    """
    slack_ms = step_ms(problem.step_s)
    if revisiting is None:
        revisiting = revisiting_mask([g.nodes for g in groups])
    out = list(groups)
    todo = np.flatnonzero(revisiting).tolist()
    if not todo:
        return out, 0
    travel_ms = [
        ms_down(layer.network.travel_time_s(problem.scenario.capacity)).tolist() for layer in problem.layers
    ]
    removed = 0
    for index in todo:
        group = groups[index]
        fixed, count = _skip(group, travel_ms[group.layer], slack_ms)
        out[index] = fixed
        removed += count
    return out, removed


def _skip(group: Group, travel_ms: list[int], slack_ms: int) -> tuple[Group, int]:
    """Remove the loops of one group; linear in its path per loop removed."""
    nodes, links, times = group.nodes.tolist(), group.links.tolist(), group.entry_times_ms.tolist()
    removed = 0
    at = _positions(nodes)
    i = 0
    while i < len(nodes):
        later = [j for j in reversed(at[nodes[i]]) if j > i]
        cut = next(
            (j for j in later if i == 0 or times[j] - times[i - 1] <= travel_ms[links[i - 1]] + slack_ms),
            None,
        )
        if cut is None:
            i += 1
            continue
        nodes, times, links = nodes[:i] + nodes[cut:], times[:i] + times[cut:], links[:i] + links[cut:]
        at = _positions(nodes)
        removed += 1  # and look at node i again: it may come back once more
    if not removed:
        return group, 0
    return replace(
        group,
        nodes=np.asarray(nodes, dtype=np.int64),
        links=np.asarray(links, dtype=np.int64),
        entry_times_ms=np.asarray(times, dtype=np.int64),
    ), removed


def _positions(nodes: list[int]) -> dict[int, list[int]]:
    at: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        at.setdefault(node, []).append(index)
    return at
