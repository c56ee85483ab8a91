"""From a flow on the time-expanded network to movements people would drive.

Steps: ``decompose`` (flow paths, interval matching with numpy), loops turned into a later
departure from the pickup point wherever the shifted route has room (``loop_shift``, every path
at once in rounds), ``assemble.groups_from_paths`` (OSM node paths, entry times in whole ms, numpy
arrays), loops left skipped by driving into them slower (``loops``), identical movements merged
(vectorised). The details say what ran and how many movements still revisit a node.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from pydantic import JsonValue

from safepassage.planner.assemble import Group, groups_from_paths, merge_identical_groups
from safepassage.planner.decompose import decompose_flow, merge_identical_paths
from safepassage.planner.loop_shift import depart_later_over_all_loops, revisiting_static_nodes
from safepassage.planner.loops import revisiting_mask, skip_loops
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import TimeExpandedNetwork

__all__ = ["SLOW_HOP_GROUP_BUDGET", "plan_movements"]

IntArray = npt.NDArray[np.int64]

#: ``loops.skip_loops`` (Python over each revisiting group) runs on at most this many groups.
SLOW_HOP_GROUP_BUDGET: Final = 20_000


def plan_movements(
    problem: PlanningProblem,
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    flow: IntArray,
    transit: IntArray,
    model_step_ms: int,
) -> tuple[list[Group], dict[str, JsonValue]]:
    """Movements (merged groups) for ``flow`` (per arc of ``network``) and what was done to them.

    ``transit``: per static arc of ``graph``, its transit in model steps (unused since the shift
    reads steps off the arcs; kept for the caller's signature); ``model_step_ms``: the model step
    in whole milliseconds.
    """
    del transit
    paths = decompose_flow(network, flow)
    flow_paths = paths.count
    paths, shifted = depart_later_over_all_loops(network, paths, graph.arc_head)
    paths = merge_identical_paths(paths)
    # Candidates for the slower hop: paths entering a static node twice (a path entering an OSM
    # node twice enters a chain's end twice: chains are entered at their ends).
    candidates = revisiting_static_nodes(network, paths, graph.arc_head)
    merged = groups_from_paths(problem, graph, network, paths, model_step_ms)
    del paths
    loops_slowed: int | str = f"skipped: over {SLOW_HOP_GROUP_BUDGET} revisiting groups"
    if int(candidates.sum()) <= SLOW_HOP_GROUP_BUDGET:
        merged, loops_slowed = skip_loops(problem, merged, candidates)
        if loops_slowed:
            merged = merge_identical_groups(merged)
            candidates = np.ones(len(merged), dtype=bool)
    revisiting = int(revisiting_mask([merged[i].nodes for i in np.flatnonzero(candidates)]).sum())
    details: dict[str, JsonValue] = {
        "flow_paths": flow_paths,
        "loops_turned_into_waiting": shifted,
        "loops_skipped_by_a_slower_hop": loops_slowed,
        "after_merging_identical": len(merged),
        "revisiting_a_node": revisiting,
    }
    return merged, details
