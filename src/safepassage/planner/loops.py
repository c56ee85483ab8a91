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

__all__ = ["skip_loops"]

IntArray = npt.NDArray[np.int64]


def skip_loops(problem: PlanningProblem, groups: Sequence[Group]) -> tuple[list[Group], int]:
    """``groups`` with every loop that fits the slack removed (module docstring); (groups, loops removed)."""
    slack_ms = step_ms(problem.step_s)
    travel_ms = [
        ms_down(layer.network.travel_time_s(problem.scenario.capacity)).tolist() for layer in problem.layers
    ]
    out: list[Group] = []
    removed = 0
    for group in groups:
        if len(set(group.nodes)) == len(group.nodes):
            out.append(group)
            continue
        fixed, count = _skip(group, travel_ms[group.layer], slack_ms)
        out.append(fixed)
        removed += count
    return out, removed


def _skip(group: Group, travel_ms: list[int], slack_ms: int) -> tuple[Group, int]:
    """Remove the loops of one group; linear in its path per loop removed."""
    nodes, links, times = list(group.nodes), list(group.links), list(group.entry_times_ms)
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
    return replace(group, nodes=tuple(nodes), links=tuple(links), entry_times_ms=tuple(times)), removed


def _positions(nodes: list[int]) -> dict[int, list[int]]:
    at: dict[int, list[int]] = {}
    for index, node in enumerate(nodes):
        at.setdefault(node, []).append(index)
    return at
