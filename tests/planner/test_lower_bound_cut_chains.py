"""The relaxation on chains cut before a link that opens later (``planner.relaxed_network``).

A street o-a-b-c-d of four links (each 4 cells of 125 m, residential at 30 km/h: 59.985 s) is one
contracted chain o -> d. The link b-c is blocked until 08:10 (600 s after the start), like a
corridor opening at the start of its ceasefire window. A plan must enter b-c at 600 s or later
and then drive c-d (60 s): nobody arrives before 720 s. Exact mode (quarter steps) clears at 735 s
for one person: entering the chain at 480 s would reach b-c 30 ms too early, so it enters at 495 s.

The uncut relaxation may enter the chain in step 6 (b-c is two links in, and each of them may
take a step longer, so a group entering at 360 s could still reach b-c at 600 s) and then drives
the whole chain at free flow (3 steps, rounded down): 540 s. Cut before b-c, the piece b -> d is
open from step 10 and takes 1 step: 660 s.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan
from safepassage.planner.lower_bound import relaxation_clearance
from safepassage.planner.problem import build_problem
from safepassage.planner.relaxed_network import cut_positions, split_before_openings
from safepassage.planner.static_graph import build_static_graph

from .solver_scenarios import blockage, drive_networks, scenario_on

RES = {"highway": "residential"}
STREET = """
o---a---b---c---d
"""
STREET_WAYS = [("oa", RES), ("ab", RES), ("bc", RES), ("cd", RES)]


def _street(ascii_network, people: int, u: str, v: str, until: str):
    drawn = ascii_network(STREET, STREET_WAYS, grid_m=125.0)
    scenario = scenario_on(
        drawn,
        [("o", "o", people)],
        [("d", "d", 1000)],
        blockages=[blockage("corridor not yet open", u, v, until=until)],
    )
    return scenario, drive_networks(drawn)


def test_cutting_before_the_opening_link_lifts_the_bound_to_660_s(ascii_network):
    scenario, networks = _street(ascii_network, 1, "b", "c", "08:10")
    problem = build_problem(scenario, networks)
    graph = build_static_graph(problem)
    cut = split_before_openings(problem, graph, 720.0)
    # o -> d and d -> o are chains of four links; the blockage closes both directions of b-c:
    # o -> d is cut before b -> c (position 2), d -> o before c -> b (position 1).
    assert (graph.arc_count, cut.arc_count) == (2, 4)
    assert cut_positions(graph, 720.0).sum() == 2
    assert cut_positions(graph, 599.0).sum() == 0  # the link opens after 599 s: nothing cut
    assert split_before_openings(problem, graph, 599.0) is graph
    assert sorted(cut.arc_travel_lo_ms.tolist()) == [59_985, 119_970, 119_970, 179_955]
    uncut = relaxation_clearance(problem, graph, 1, 60, 1)
    tighter = relaxation_clearance(problem, cut, 1, 60, 1)
    assert (uncut.horizon_steps, tighter.horizon_steps) == (9, 11)

    plan = plan_evacuation(scenario, networks=networks)
    assert check_plan(scenario, plan, networks=networks) == []
    assert plan.clearance_time_s == 735.0
    assert plan.lower_bound_s == 660.0
    assert plan.solver.details["lower_bound"]["fine_cut_relaxation"]["bound_s"] == 660.0
    assert plan.solver.details["lower_bound"]["fine_relaxation"]["bound_s"] == 540.0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(1, 40),
    st.sampled_from(["oa", "ab", "bc", "cd"]),
    st.integers(1, 25),
)
def test_bound_never_exceeds_a_plan_check_plan_accepts(ascii_network, people, link, minutes):
    u, v = link
    scenario, networks = _street(ascii_network, people, u, v, f"08:{minutes:02d}")
    plan = plan_evacuation(scenario, networks=networks)
    assert check_plan(scenario, plan, networks=networks) == []
    assert plan.evacuated == people
    assert plan.lower_bound_s <= plan.clearance_time_s
    # A hand bound that holds for every valid plan: the first person crosses u-v no earlier than
    # its opening, then drives the links after it (59.985 s each); the last one leaves o no
    # earlier than step ceil(people / 10) - 1 and needs the whole street's free-flow time.
    after = 3 - "oabc".index(u)
    assert plan.clearance_time_s >= max(
        minutes * 60.0 + after * 59.985, (-(-people // 10) - 1) * 60.0 + 239.94
    )
    problem = build_problem(scenario, networks)
    graph = build_static_graph(problem)
    cut = split_before_openings(problem, graph, plan.clearance_time_s)
    if u != "o" and minutes * 60.0 <= plan.clearance_time_s:  # opens inside the chain o -> d
        assert cut is not graph
    bound_cut = relaxation_clearance(problem, cut, 1, 60, people).horizon_steps * 60.0
    assert bound_cut <= plan.clearance_time_s
    assert plan.lower_bound_s >= bound_cut


@pytest.mark.parametrize("until", ["08:10", "08:20"])
def test_cut_graph_keeps_the_chain_s_links_times_and_closures(ascii_network, until):
    scenario, networks = _street(ascii_network, 5, "b", "c", until)
    problem = build_problem(scenario, networks)
    graph = build_static_graph(problem)
    cut = split_before_openings(problem, graph, 10_000.0)
    assert cut.chain_link.tolist() == graph.chain_link.tolist()
    assert int(cut.arc_travel_lo_ms.sum()) == int(graph.arc_travel_lo_ms.sum())
    assert int(cut.arc_travel_ms.sum()) == int(graph.arc_travel_ms.sum())
    # The closures of b-c and c-b are now at position 0 of their pieces, with offset 0.
    assert graph.closure_position.tolist() in ([2, 1], [1, 2])
    assert cut.closure_position.tolist() == [0, 0]
    assert cut.closure_offset_ms.tolist() == [0, 0]
    assert cut.closure_offset_lo_ms.tolist() == [0, 0]
    assert cut.closure_to_s.tolist() == graph.closure_to_s.tolist()
