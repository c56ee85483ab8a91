"""From a flow on the time-expanded network to movements people would drive.

Steps: ``decompose`` (flow paths), loops at a group's own pickup point turned into waiting there,
the greedy shift of other loops into a later departure (``tidy``, within
``LOOP_SHIFT_PATH_BUDGET`` paths), ``assemble.groups_from_paths`` (OSM node paths, entry times in
whole ms), loops skipped by driving into them slower (``loops``), identical movements merged.
The details say what ran and how many movements still revisit a node.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pydantic import JsonValue

from safepassage.planner.assemble import Group, groups_from_paths, merge_identical_groups
from safepassage.planner.decompose import decompose_flow
from safepassage.planner.loops import skip_loops
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.tidy import (
    LOOP_SHIFT_PATH_BUDGET,
    depart_later_over_loops,
    revisiting_paths,
    wait_instead_of_loops,
)
from safepassage.planner.time_expansion import TimeExpandedNetwork

__all__ = ["plan_movements"]

IntArray = npt.NDArray[np.int64]


def plan_movements(
    problem: PlanningProblem,
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    flow: IntArray,
    transit: IntArray,
    model_step_ms: int,
) -> tuple[list[Group], dict[str, JsonValue]]:
    """Movements (merged groups) for ``flow`` (per arc of ``network``) and what was done to them.

    ``transit``: per static arc of ``graph``, its transit in model steps; ``model_step_ms``: the
    model step in whole milliseconds.
    """
    paths = decompose_flow(network, flow)
    paths, loops_home = wait_instead_of_loops(network, paths, graph.arc_head, transit)
    loops_shifted, shift_ran = 0, paths.count <= LOOP_SHIFT_PATH_BUDGET
    if shift_ran:
        paths, loops_shifted = depart_later_over_loops(network, paths, graph.arc_head)
    groups = groups_from_paths(problem, graph, network, paths, model_step_ms)
    # Python over every revisiting path: within the same path budget as the greedy shift (at scale,
    # 80k revisiting paths cost ~30 s and the circles there are longer than a hop's slack).
    loops_slowed: int | str = f"skipped: over {LOOP_SHIFT_PATH_BUDGET} flow paths"
    if shift_ran:
        groups, loops_slowed = skip_loops(problem, groups)
    merged = merge_identical_groups(groups)
    details: dict[str, JsonValue] = {
        "flow_paths": len(groups),
        "loops_turned_into_waiting": loops_home + loops_shifted,
        "greedy_loop_shift": "ran" if shift_ran else f"skipped: over {LOOP_SHIFT_PATH_BUDGET} flow paths",
        "loops_skipped_by_a_slower_hop": loops_slowed,
        "after_merging_identical": len(merged),
        "revisiting_a_node": revisiting_paths([g.nodes for g in merged]),
    }
    return merged, details
