"""Min-cost flows on the time-expanded network: the risk pass and the arrival-time baseline.

- **Risk pass.** Among all flows that move the same people within a given horizon (T*, or T*
  stretched by ``max_delay``), find one of least total risk exposure: cost of a link arc = risk
  points of its chain's links at the entry step, in thousandths, per person. OR-Tools
  ``SimpleMinCostFlow``. It costs far more than a max flow, so the planner runs it only when some
  hazard report actually carries risk on the roads.
- **Baseline.** The textbook alternative to the max-flow search: one min-cost flow minimising the
  total arrival time (cost of an arrival arc = its step) on the network of a horizon known to be
  long enough. Its flow is an earliest-arrival flow, so its last arrival is T* too; the benchmark
  times it against the search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from safepassage.errors import SolverError
from safepassage.planner.exposure import RiskModel
from safepassage.planner.problem import PlanningProblem
from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import ARRIVE, LINK, TimeExpandedNetwork

__all__ = ["RISK_COST_SCALE", "arrival_time_costs", "risk_costs", "solve_min_cost_flow"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Risk points are floats; the solver wants integer costs: thousandths of a risk point.
RISK_COST_SCALE = 1000.0


def solve_min_cost_flow(network: TimeExpandedNetwork, cost: IntArray, amount: int) -> IntArray:
    """Least-cost flow of ``amount`` people from source to sink; raises if it cannot be moved."""
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(network.tail, network.head, network.capacity, cost)
    supplies = np.zeros(network.node_count, dtype=np.int64)
    supplies[network.source] = amount
    supplies[network.sink] = -amount
    solver.set_nodes_supplies(np.arange(network.node_count), supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(
            f"OR-Tools min-cost flow ended with status {status} moving {amount} people over "
            f"{network.arc_count} arcs; expected an optimal flow (the max-flow search found one)"
        )
    return np.asarray(solver.flows(np.arange(network.arc_count)), dtype=np.int64)


def arrival_time_costs(network: TimeExpandedNetwork) -> IntArray:
    """Cost = arrival step on arrival arcs, zero elsewhere."""
    return np.where(network.kind == ARRIVE, network.time, 0).astype(np.int64)


def risk_costs(
    problem: PlanningProblem,
    graph: StaticGraph,
    network: TimeExpandedNetwork,
    risk: list[RiskModel],
    step_ms: int,
) -> IntArray:
    """Per arc: thousandths of risk points of the chain's links, evaluated at the entry step.

    ``step_ms``: the model step in whole milliseconds.

    Risk changes with time only through report intensities, so the chain risks are computed once
    per distinct risk vector over the steps, not once per step.
    """
    cost = np.zeros(network.arc_count, dtype=np.int64)
    links = np.flatnonzero(network.kind == LINK)
    if links.size == 0:
        return cost
    static = network.ref[links]
    steps = network.time[links]
    layer_of_arc = graph.arc_layer[static]
    starts = graph.chain_indptr[:-1]
    for layer in range(len(problem.layers)):
        model = risk[layer]
        idx = np.flatnonzero(layer_of_arc == layer)
        if not model.has_risk or idx.size == 0:
            continue
        order = idx[np.argsort(steps[idx], kind="stable")]
        unique_steps, first = np.unique(steps[order], return_index=True)
        bounds = [*first.tolist(), int(order.size)]
        distinct: dict[bytes, FloatArray] = {}
        for k, t in enumerate(unique_steps.tolist()):
            per_link = model.per_link_at(t * step_ms / 1000.0)
            key = per_link.tobytes()
            if key not in distinct:
                # chain_link holds every layer's local link ids; only this layer's chains are read.
                distinct[key] = np.add.reduceat(np.take(per_link, graph.chain_link, mode="clip"), starts)
            chosen = order[bounds[k] : bounds[k + 1]]
            cost[links[chosen]] = np.rint(distinct[key][static[chosen]] * RISK_COST_SCALE).astype(np.int64)
    return cost
