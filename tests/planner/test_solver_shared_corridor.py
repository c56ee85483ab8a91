"""Exact means exact where a must-use corridor is shared with other traffic (issue 11, item 1).

Some origins must use a corridor, others need not: the planner keeps the two groups apart as
commodities and lets them share each link's capacity (``planner.coupled``). Each instance's optimum
is recomputed here by an **independent** model that shares no code with the planner: a
time-indexed path MILP solved with HiGHS (``highspy``), built from the road network's arrays:

- every simple path from an origin's node to a destination's node (networkx); an origin the
  corridor binds may only take paths using at least one of the corridor's links
  (``hazards.corridor_links``, the rule ``check-plan`` applies);
- one whole-people variable per (path, departure step); each link takes ``ceil(travel / step)``
  steps and is entered at the departure plus the steps of the links before it;
- people per (link, step) within the link's capacity, every origin's people moved, reception
  capacity per destination; the least horizon T at which it is feasible is the optimum.

Where the planner's corridor rule (entry side, corridor, exit side) is narrower than check-plan's
(any route using a corridor link, even one touching the buffer), the plan says ``bounded`` and the
independent optimum lies between its bound and its clearance.

The maps use 125 m cells and residential streets (15 s per cell), links of four cells: each link
takes just under 60 s (59.985 s, the UTM scale), so rounding per link or per contracted chain
gives the same whole steps and the planner's model (``substeps=1``, one-minute steps) and this one
are the same problem.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import highspy
import networkx as nx
import numpy as np
import pytest

from safepassage.hazards import corridor_links
from safepassage.network import RoadNetwork, snap_points
from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.scenario import Scenario

from .solver_scenarios import drive_networks, scenario_on

RES = {"highway": "residential"}

# The corridor x-y is the only way from r's and u's side to d: r must use it, u may (and must, to
# arrive); the groups share x-y, r alone uses r-x, u alone u-p-x. The side rule then allows exactly
# the routes check-plan accepts, so the plan is proven quickest.
CUT = """
r---x---y---d
    |
u---p
"""
CUT_WAYS = [("rx", RES), ("xy", RES), ("yd", RES), ("up", RES), ("px", RES)]

# Two destinations with reception capacity beyond the corridor.
TWO_DESTINATIONS = """
r---x---y---d
    |   |
u---p   e
"""
TWO_DESTINATIONS_WAYS = [("rx", RES), ("xy", RES), ("yd", RES), ("up", RES), ("px", RES), ("ye", RES)]

# u may also go u-p-q-d without the corridor. r could drive r-x (a corridor link: it touches the
# buffer), turn back through x-p-q to d, which check-plan accepts and the planner's side rule does
# not: the plan says "bounded".
TWO_ROUTES = """
r---x---y---d
    |       |
u---p-------q
"""
TWO_WAY_WAYS = [("rx", RES), ("xy", RES), ("yd", RES), ("up", RES), ("px", RES), ("pq", RES), ("qd", RES)]


def _corridor(drawn: Any, origins: list[str]) -> dict[str, Any]:
    return {
        "id": "k1",
        "name": "x-y corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat("x"), "lon": drawn.lon("x")},
            {"lat": drawn.lat("y"), "lon": drawn.lon("y")},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": "2022-03-05T08:00:00+02:00", "end": "2022-03-05T09:00:00+02:00"}],
        "evacuees_must_use": True,
        "origins": origins,
    }


def independent_optimum_s(scenario: Scenario, network: RoadNetwork, max_steps: int = 60) -> float:
    """Least clearance (seconds) of the time-indexed path MILP described in the module docstring."""
    step = float(scenario.time_step_s)
    capacity = np.floor(network.capacity_people_per_step(scenario.capacity, step) + 1e-9)
    steps_of = np.ceil(network.travel_time_s(scenario.capacity) / step - 1e-9).astype(int)
    link_of = {
        (int(u), int(v)): i for i, (u, v) in enumerate(zip(network.link_tail, network.link_head, strict=True))
    }
    graph = nx.DiGraph(list(link_of))
    corridor = set(np.flatnonzero(corridor_links(network, scenario)["k1"]).tolist())
    bound = {o.id for o in scenario.origins if o.id in scenario.corridors[0].origins}
    o_nodes = [s.node for s in snap_points(network, [(o.id, o.lat, o.lon) for o in scenario.origins])]
    d_nodes = [s.node for s in snap_points(network, [(d.id, d.lat, d.lon) for d in scenario.destinations])]
    routes: list[tuple[int, int, list[int]]] = []  # (origin, destination, links)
    for i, (origin, o_node) in enumerate(zip(scenario.origins, o_nodes, strict=True)):
        for j, d_node in enumerate(d_nodes):
            for nodes in nx.all_simple_paths(graph, o_node, d_node):
                links = [link_of[(a, b)] for a, b in itertools.pairwise(nodes)]
                if origin.id in bound and not corridor.intersection(links):
                    continue
                routes.append((i, j, links))
    for horizon in range(1, max_steps + 1):
        if _feasible(scenario, routes, steps_of, capacity, horizon):
            return horizon * step
    raise AssertionError("no feasible horizon found")


def _feasible(
    scenario: Scenario, routes: list[tuple[int, int, list[int]]], steps_of: Any, capacity: Any, horizon: int
) -> bool:
    columns: list[tuple[int, int, list[tuple[int, int]]]] = []  # (origin, destination, (link, step) entered)
    for origin, destination, links in routes:
        length = int(sum(steps_of[link] for link in links))
        for depart in range(horizon - length + 1):
            at, entered = depart, []
            for link in links:
                entered.append((link, at))
                at += int(steps_of[link])
            columns.append((origin, destination, entered))
    people = [o.people for o in scenario.origins]
    rows: dict[tuple[str, int, int], int] = {}
    for i in range(len(people)):
        rows[("origin", i, 0)] = len(rows)
    for j in range(len(scenario.destinations)):
        rows[("destination", j, 0)] = len(rows)
    for _, _, entered in columns:
        for link, at in entered:
            rows.setdefault(("link", link, at), len(rows))
    lower = np.full(len(rows), -highspy.kHighsInf)
    upper = np.full(len(rows), highspy.kHighsInf)
    for (kind, index, _), row in rows.items():
        if kind == "origin":
            lower[row] = upper[row] = people[index]
        elif kind == "destination":
            upper[row] = scenario.destinations[index].capacity
        else:
            upper[row] = capacity[index]
    starts, index, values = [0], [], []
    for origin, destination, entered in columns:
        mine = [rows[("origin", origin, 0)], rows[("destination", destination, 0)]]
        mine += [rows[("link", link, at)] for link, at in entered]
        index += mine
        values += [1.0] * len(mine)
        starts.append(len(index))
    if not columns:
        return sum(people) == 0
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(columns), len(rows)
    lp.col_cost_ = np.zeros(len(columns))
    lp.col_lower_ = np.zeros(len(columns))
    lp.col_upper_ = np.full(len(columns), highspy.kHighsInf)
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(values)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(columns)
    solver.passModel(lp)
    solver.run()
    status = solver.getModelStatus()
    assert status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible), status
    return bool(status == highspy.HighsModelStatus.kOptimal)


def _exact(scenario: Scenario, networks: Any) -> Any:
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    assert check_plan(scenario, plan, networks=networks) == []
    return plan


@pytest.mark.parametrize(
    ("restricted", "free", "bound_to"),
    [(60, 20, ["r"]), (30, 80, ["r"]), (80, 25, ["r"]), (45, 45, ["r", "u"]), (0, 50, ["r"]), (70, 3, ["r"])],
)
def test_exact_plan_matches_an_independent_milp_when_the_corridor_is_shared(
    ascii_network: Any, restricted: int, free: int, bound_to: list[str]
) -> None:
    drawn = ascii_network(CUT, CUT_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn,
        [("r", "r", restricted), ("u", "u", free)],
        [("d", "d", 1000)],
        corridors=[_corridor(drawn, bound_to)],
    )
    networks = drive_networks(drawn)
    plan = _exact(scenario, networks)
    assert plan.solver.mode == "exact"
    assert plan.solver.details["exactness"]["proven"] is True  # type: ignore[index, call-overload]
    assert plan.clearance_time_s == independent_optimum_s(scenario, networks[next(iter(networks))])
    assert plan.lower_bound_s <= plan.clearance_time_s


@pytest.mark.parametrize(
    ("restricted", "free", "far", "near"), [(40, 40, 50, 40), (50, 30, 1000, 40), (20, 60, 30, 60)]
)
def test_exact_plan_with_reception_capacity_matches_an_independent_milp(
    ascii_network: Any, restricted: int, free: int, far: int, near: int
) -> None:
    drawn = ascii_network(TWO_DESTINATIONS, TWO_DESTINATIONS_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn,
        [("r", "r", restricted), ("u", "u", free)],
        [("d", "d", far), ("e", "e", near)],
        corridors=[_corridor(drawn, ["r"])],
    )
    networks = drive_networks(drawn)
    plan = _exact(scenario, networks)
    assert plan.evacuated == restricted + free
    assert plan.clearance_time_s == independent_optimum_s(scenario, networks[next(iter(networks))])


@pytest.mark.parametrize(
    ("restricted", "free", "bound_to"), [(60, 60, ["r"]), (45, 45, ["r", "u"]), (80, 20, ["r"])]
)
def test_where_the_side_rule_is_narrower_the_plan_says_bounded_and_its_bound_holds(
    ascii_network: Any, restricted: int, free: int, bound_to: list[str]
) -> None:
    drawn = ascii_network(TWO_ROUTES, TWO_WAY_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn,
        [("r", "r", restricted), ("u", "u", free)],
        [("d", "d", 1000)],
        corridors=[_corridor(drawn, bound_to)],
    )
    networks = drive_networks(drawn)
    plan = _exact(scenario, networks)
    optimum = independent_optimum_s(scenario, networks[next(iter(networks))])
    assert plan.solver.mode == "bounded"
    assert "excludes" in str(plan.solver.details["exactness"]["why"])  # type: ignore[index, call-overload]
    assert plan.lower_bound_s <= optimum <= plan.clearance_time_s


def test_splitting_capacity_by_people_is_slower_than_the_exact_plan(ascii_network: Any) -> None:
    # The old rule (still fast mode's): r gets 3/4 of every link it may use (7 of 10 a step, whole
    # people), u 1/4 (2 a step), even r-x which only r uses and u-p-x which only u uses. Exactly,
    # the two share x-y's 10 a step as they arrive.
    drawn = ascii_network(CUT, CUT_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn, [("r", "r", 60), ("u", "u", 20)], [("d", "d", 1000)], corridors=[_corridor(drawn, ["r"])]
    )
    networks = drive_networks(drawn)
    exact = _exact(scenario, networks)
    split = plan_evacuation(scenario, networks=networks, substeps=1, mode="fast")
    assert check_plan(scenario, split, networks=networks) == []
    assert exact.clearance_time_s == independent_optimum_s(scenario, networks[next(iter(networks))])
    assert split.clearance_time_s >= exact.clearance_time_s + 120.0


def test_too_large_for_the_coupled_lp_says_bounded_in_the_plan(ascii_network: Any, monkeypatch: Any) -> None:
    import safepassage.planner.solve as solve

    monkeypatch.setattr(solve, "COUPLED_ARC_BUDGET", 1)  # a configuration knob, not a stand-in
    drawn = ascii_network(CUT, CUT_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn, [("r", "r", 60), ("u", "u", 20)], [("d", "d", 1000)], corridors=[_corridor(drawn, ["r"])]
    )
    networks = drive_networks(drawn)
    plan = _exact(scenario, networks)
    exactness = plan.solver.details["exactness"]
    assert plan.solver.mode == "bounded"
    assert exactness["proven"] is False  # type: ignore[index, call-overload]
    assert "split between groups" in str(exactness["method"])  # type: ignore[index, call-overload]
    assert "could not prove it the quickest" in str(plan.solver.details["guarantee"])
    assert math.isclose(plan.gap or 0.0, plan.clearance_time_s / plan.lower_bound_s - 1.0)
