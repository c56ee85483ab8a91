"""The independent plan checker on a tiny real network, with plans written by hand.

The network (125 m cells, residential streets at 30 km/h = 60 s per 500 m, one lane each way)::

    a . b . c          a-b, b-c, a-d: 500 m, 60 s
    .       |          c->e: one-way south, 500 m, 60 s
    .       |          d-e: 1,000 m, 120 s
    .       |
    d . . . e

Capacity of every link: 500 vehicles/h/lane x 1 lane x 2.5 people/vehicle x 60 s / 3600 s
= 20.83 people per one-minute step. 50 people wait at ``a``; the reception centre at ``e`` takes 60.

The correct hand plan (clearance 240 s: a->b->c->e carries at most 20 people per minute, a->d->e
takes 180 s and is used once by 10 people):

=====  ======  ========  ================  ===================
group  people  path      entry times (s)   arrives
=====  ======  ========  ================  ===================
0      20      a b c e   0, 60, 120, 180   180
1      10      a d e     0, 60, 180        180
2      20      a b c e   60, 120, 180, 240 240
=====  ======  ========  ================  ===================

Each broken variant changes one thing and must be rejected with a sentence naming it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from asciimap import AsciiNetwork
from safepassage.errors import PlanRejectedError
from safepassage.network import RoadNetwork, load_network
from safepassage.planner.check import check_plan, validate_plan
from safepassage.planner.plan_file import (
    EdgeUse,
    Movement,
    Plan,
    ScenarioRef,
    SolverInfo,
    Unserved,
    plan_gap,
    read_plan,
    write_plan,
)
from safepassage.scenario import Scenario, TravelMode, load_scenario

MAP = """
    a . b . c
    .       |
    .       |
    .       |
    d . . . e
"""
WAYS: list[tuple[str, dict[str, str]]] = [
    ("ab", {"highway": "residential"}),
    ("bc", {"highway": "residential"}),
    ("ce", {"highway": "residential", "oneway": "yes"}),
    ("ed", {"highway": "residential"}),
    ("da", {"highway": "residential"}),
]
START = "2022-03-05T08:00:00+02:00"

# (origin, destination, people, path as drawn characters, entry times in seconds)
Group = tuple[str, str, int, str, Sequence[float]]
GOOD: list[Group] = [
    ("a", "e", 20, "abce", (0, 60, 120, 180)),
    ("a", "e", 10, "ade", (0, 60, 180)),
    ("a", "e", 20, "abce", (60, 120, 180, 240)),
]


@pytest.fixture
def drawn(ascii_network: Callable[..., AsciiNetwork]) -> AsciiNetwork:
    return ascii_network(MAP, WAYS, grid_m=125.0)


@pytest.fixture
def network(drawn: AsciiNetwork) -> RoadNetwork:
    return load_network(drawn.path, TravelMode.DRIVE)


def make_scenario(drawn: AsciiNetwork, **changes: Any) -> Scenario:
    """A scenario on the drawn network: 50 people at ``a``, room for 60 at ``e``."""
    data: dict[str, Any] = {
        "name": "square",
        "network": {"path": str(drawn.path)},
        "start": START,
        "horizon": "PT2H",
        "time_step_s": 60,
        "timezone": "Europe/Kyiv",
    }
    data.update(changes)
    if "origins" not in data:
        data["origins"] = [
            {"id": "a", "name": "A", "lat": drawn.lat("a"), "lon": drawn.lon("a"), "people": 50}
        ]
    if "destinations" not in data:
        data["destinations"] = [
            {"id": "e", "name": "E", "lat": drawn.lat("e"), "lon": drawn.lon("e"), "capacity": 60}
        ]
    return Scenario.model_validate(data)


def edges_of(network: RoadNetwork, scenario: Scenario, movements: Sequence[Movement]) -> list[EdgeUse]:
    """``edges`` as a planner writes them: the fastest link of every used pair, with network values."""
    capacity = network.capacity_people_per_step(scenario.capacity, scenario.time_step_s)
    edges: dict[tuple[int, int], EdgeUse] = {}
    for movement in movements:
        for u, v in itertools.pairwise(movement.path):
            try:
                link = network.find_link(network.node_index(u), network.node_index(v))
            except KeyError:
                continue
            if link >= 0:
                travel = float(network.link_travel_time_s[link])
                edges[(u, v)] = EdgeUse(
                    u=u, v=v, capacity_per_step=float(capacity[link]), travel_time_s=travel
                )
    return list(edges.values())


def assemble(
    network: RoadNetwork,
    scenario: Scenario,
    movements: list[Movement],
    *,
    unserved: Sequence[Unserved] = (),
    lower_bound_s: float,
) -> Plan:
    """A hand plan whose header fields and ``edges`` agree with its movements."""
    clearance = max((m.arrival_s for m in movements), default=0.0)
    moved = sum(m.people for m in movements)
    return Plan(
        scenario=ScenarioRef(name=scenario.name, sha256=scenario.content_sha256),
        start=scenario.start,
        time_step_s=scenario.time_step_s,
        clearance_time_s=clearance,
        lower_bound_s=lower_bound_s,
        gap=plan_gap(clearance, lower_bound_s),
        people_total=moved + sum(u.people for u in unserved),
        evacuated=moved,
        unserved=list(unserved),
        movements=movements,
        edges=edges_of(network, scenario, movements),
        exposure={"total": sum(m.exposure for m in movements)},
        solver=SolverInfo(mode="hand"),
    )


def hand_plan(
    drawn: AsciiNetwork,
    network: RoadNetwork,
    scenario: Scenario,
    groups: Sequence[Group],
    *,
    unserved: Sequence[Unserved] = (),
    lower_bound_s: float = 180.0,
    exposures: Sequence[float] | None = None,
) -> Plan:
    """The plan of ``groups`` (drawn characters as paths) on the drawn network."""
    movements = [
        Movement(
            origin=origin,
            destination=dest,
            people=people,
            mode=TravelMode.DRIVE,
            departure=scenario.start + dt.timedelta(seconds=times[0]),
            path=[drawn.osm_id(c) for c in chars],
            entry_times_s=list(times),
            exposure=exposures[index] if exposures else 0.0,
        )
        for index, (origin, dest, people, chars, times) in enumerate(groups)
    ]
    return assemble(network, scenario, movements, unserved=unserved, lower_bound_s=lower_bound_s)


def violations_of(
    drawn: AsciiNetwork, network: RoadNetwork, groups: Sequence[Group], **scenario_changes: Any
) -> list[str]:
    scenario = make_scenario(drawn, **scenario_changes)
    return check_plan(scenario, hand_plan(drawn, network, scenario, groups))


def test_the_drawn_network_has_the_hand_numbers(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    capacity = network.capacity_people_per_step(scenario.capacity, 60)
    for a, b, seconds in (("a", "b", 60), ("c", "e", 60), ("d", "e", 120)):
        link = network.find_link(network.node_index(drawn.osm_id(a)), network.node_index(drawn.osm_id(b)))
        assert network.link_travel_time_s[link] == pytest.approx(seconds, rel=1e-3)
        assert capacity[link] == pytest.approx(500 * 2.5 / 60)
    assert (
        network.find_link(network.node_index(drawn.osm_id("e")), network.node_index(drawn.osm_id("c"))) == -1
    )


def test_correct_hand_plan_passes(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    assert violations_of(drawn, network, GOOD) == []


def test_correct_plan_passes_after_a_round_trip_through_the_file(
    drawn: AsciiNetwork, network: RoadNetwork, tmp_path: Path
) -> None:
    scenario = make_scenario(drawn)
    target = tmp_path / "plan.json"
    write_plan(hand_plan(drawn, network, scenario, GOOD), target)
    validate_plan(scenario, read_plan(target))  # raises if anything is wrong


def test_capacity_exceeded_in_one_step(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    both_at_once = [GOOD[0], GOOD[1], ("a", "e", 20, "abce", (0, 60, 120, 180))]
    found = violations_of(drawn, network, both_at_once)
    assert len(found) == 3  # a->b in step 0, b->c in step 1, c->e in step 2
    assert found[0].startswith(
        f"link {drawn.osm_id('a')}->{drawn.osm_id('b')} is entered by 40 people in step 0"
    )
    assert "more than its capacity of 20.83 people per step (movements 0, 2)" in found[0]


def test_closed_link_entered(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    a, b = drawn.osm_id("a"), drawn.osm_id("b")
    blockage = {
        "id": "convoy",
        "reason": "military convoy",
        "links": [[a, b]],
        "until": "2022-03-05T08:01:00+02:00",
    }
    found = violations_of(drawn, network, GOOD, blockages=[blockage])
    assert found == [
        f"movement 0: enters link {a}->{b} at 0 s (2022-03-05T08:00:00+02:00) while it is closed: "
        "blockage convoy (military convoy)"
    ]  # group 2 enters a->b at 60 s, when the convoy has passed


def test_curfew_entered(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    # Start at 19:57 local: group 2 enters c->e at 180 s = 20:00, the first minute of the curfew.
    curfew = {"id": "night", "from": "20:00", "to": "06:00"}
    found = violations_of(drawn, network, GOOD, start="2022-03-05T19:57:00+02:00", curfews=[curfew])
    c, e = drawn.osm_id("c"), drawn.osm_id("e")
    assert found == [
        f"movement 2: enters link {c}->{e} at 180 s (2022-03-05T20:00:00+02:00) while it is closed: "
        "curfew night (20:00-06:00)"
    ]


def test_curfew_exempt_class_does_not_help_evacuees(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    curfew = {"id": "night", "from": "20:00", "to": "06:00", "exempt_vehicle_classes": ["ambulance"]}
    found = violations_of(drawn, network, GOOD, start="2022-03-05T19:57:00+02:00", curfews=[curfew])
    assert len(found) == 1
    assert "curfew night" in found[0]


def test_corridor_entered_outside_its_ceasefire_window(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    # The corridor along b-c (50 m buffer) also touches a->b and c->e at their ends. The window is
    # [08:00, 08:03): group 2 enters c->e at 180 s = 08:03, the first instant after it closes.
    corridor = {
        "id": "bc",
        "name": "B-C corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat("b"), "lon": drawn.lon("b")},
            {"lat": drawn.lat("c"), "lon": drawn.lon("c")},
        ],
        "buffer_m": 50,
        "ceasefire_windows": [{"start": START, "end": "2022-03-05T08:03:00+02:00"}],
    }
    found = violations_of(drawn, network, GOOD, corridors=[corridor])
    c, e = drawn.osm_id("c"), drawn.osm_id("e")
    assert found == [
        f"movement 2: enters link {c}->{e} at 180 s (2022-03-05T08:03:00+02:00) while it is closed: "
        "corridor bc outside its ceasefire window"
    ]


def test_link_that_does_not_exist(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    jump = [GOOD[0], GOOD[1], ("a", "e", 20, "ace", (60, 180, 240))]
    found = violations_of(drawn, network, jump)
    a, c = drawn.osm_id("a"), drawn.osm_id("c")
    assert found == [
        f"movement 2: no road link from node {a} to node {c} in the drive network "
        "(consecutive path nodes must be joined by a road)"
    ]


def test_one_way_street_taken_backwards(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    detour = [GOOD[0], GOOD[1], ("a", "e", 20, "adece", (60, 120, 240, 300, 360))]
    found = violations_of(drawn, network, detour)
    e, c = drawn.osm_id("e"), drawn.osm_id("c")
    assert found == [
        f"movement 2: goes from node {e} to node {c} against the one-way direction; "
        f"the drive network only allows {c}->{e}"
    ]


def test_teleport_faster_than_the_road(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    fast = [("a", "e", 20, "abce", (0, 60, 90, 150)), GOOD[1], GOOD[2]]
    found = violations_of(drawn, network, fast)
    b, c = drawn.osm_id("b"), drawn.osm_id("c")
    assert len(found) == 1
    assert found[0].startswith(f"movement 0: enters link {b}->{c} at 60 s (2022-03-05T08:01:00+02:00)")
    assert "reaches its end 30 s later, but the link takes 60.0 s" in found[0]


def test_waiting_on_the_way_is_not_allowed(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    parked = [("a", "e", 20, "abce", (0, 60, 300, 360)), GOOD[1], GOOD[2]]
    found = violations_of(drawn, network, parked)
    assert len(found) == 1
    assert found[0].startswith(f"movement 0: takes 240 s on link {drawn.osm_id('b')}->{drawn.osm_id('c')}")
    assert "waiting on the way (more than one 60 s step) is not allowed" in found[0]


def test_conservation_broken(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    found = violations_of(drawn, network, GOOD[:2])
    assert found == [
        "people_total is 30 but the scenario's origins hold 50 people; expected equal",
        "origin 'a': 50 people wait there but the plan moves 30 and lists 0 as unserved (30 in all); "
        "expected every person moved or unserved exactly once",
    ]


def test_unserved_people_complete_the_count(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    rest = [Unserved(origin="a", people=20, reason="no capacity left before the horizon")]
    assert check_plan(scenario, hand_plan(drawn, network, scenario, GOOD[:2], unserved=rest)) == []


def test_reception_capacity_exceeded(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    small = [{"id": "e", "name": "E", "lat": drawn.lat("e"), "lon": drawn.lon("e"), "capacity": 45}]
    found = violations_of(drawn, network, GOOD, destinations=small)
    assert found == ["destination 'e' receives 50 people, more than its reception capacity of 45"]


def test_clearance_below_the_bound(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    plan = hand_plan(drawn, network, scenario, GOOD, lower_bound_s=300.0)
    found = check_plan(scenario, plan)
    assert found == [
        "clearance_time_s 240 is below the claimed lower bound lower_bound_s 300; "
        "a plan cannot beat a proven bound"
    ]


def test_wrong_clearance_and_gap(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    plan = hand_plan(drawn, network, scenario, GOOD).model_copy(
        update={"clearance_time_s": 200.0, "gap": 0.1}
    )
    found = check_plan(scenario, plan)
    assert found[0] == (
        "clearance_time_s is 200 but the last group arrives at 240 s (2022-03-05T08:04:00+02:00); "
        "expected the last arrival"
    )
    assert found[1].startswith("gap is 0.1 but clearance / bound - 1 = 0.111")


def test_path_must_start_at_the_origin_and_end_at_the_destination(
    drawn: AsciiNetwork, network: RoadNetwork
) -> None:
    late_start = [GOOD[0], GOOD[1], ("a", "e", 20, "bc", (120, 180))]
    found = violations_of(drawn, network, late_start)
    b, c, a, e = (drawn.osm_id(x) for x in "bcae")
    assert found == [
        f"movement 2: starts at node {b} but origin 'a' is at node {a}",
        f"movement 2: ends at node {c} but destination 'e' is at node {e}",
    ]


def test_arrival_after_the_horizon(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    found = violations_of(drawn, network, GOOD, horizon="PT200S")
    assert len(found) == 1
    assert found[0].startswith(
        "movement 2: arrives at 240 s (2022-03-05T08:04:00+02:00), after the scenario's"
    )


def test_unknown_node_and_unknown_ids(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    plan = hand_plan(drawn, network, scenario, GOOD)
    bad = plan.movements[2].model_copy(update={"path": [drawn.osm_id("a"), 999, drawn.osm_id("e")]})
    stray = plan.movements[1].model_copy(update={"destination": "nowhere"})
    plan = plan.model_copy(update={"movements": [plan.movements[0], stray, bad]})
    found = check_plan(scenario, plan)
    assert "movement 1: destination 'nowhere' is not in the scenario" in found
    assert (
        "movement 2: node 999 of its path is not a node of the drive road network; "
        "expected OSM node ids of road intersections"
    ) in found


def test_departure_must_match_first_entry_time(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    plan = hand_plan(drawn, network, scenario, GOOD)
    shifted = plan.movements[0].model_copy(update={"departure": scenario.start + dt.timedelta(minutes=5)})
    plan = plan.model_copy(update={"movements": [shifted, *plan.movements[1:]]})
    assert check_plan(scenario, plan) == [
        "movement 0: departure 2022-03-05T08:05:00+02:00 is not start + entry_times_s[0] = "
        "2022-03-05T08:00:00+02:00; expected equal"
    ]


def test_edges_must_list_used_links_with_network_values(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn)
    plan = hand_plan(drawn, network, scenario, GOOD)
    inflated = plan.edges[0].model_copy(update={"capacity_per_step": 100.0})
    plan = plan.model_copy(update={"edges": [inflated, *plan.edges[2:]]})
    found = check_plan(scenario, plan)
    a, b, c = drawn.osm_id("a"), drawn.osm_id("b"), drawn.osm_id("c")
    assert (
        f"edges: link {a}->{b} claims capacity_per_step 100 but the scenario's capacity model gives 20.83"
        in found
    )
    assert f"link {b}->{c} is used by a movement but missing from edges" in found


def test_plan_for_another_version_of_the_scenario(
    drawn: AsciiNetwork, network: RoadNetwork, tmp_path: Path
) -> None:
    in_code = make_scenario(drawn)
    plan = hand_plan(drawn, network, in_code, GOOD)
    text = in_code.model_dump_json(by_alias=True)
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(text)  # JSON is YAML
    from_file = load_scenario(scenario_file)
    found = check_plan(from_file, plan)
    assert found == [
        f"the plan was made for scenario content '(none)' but this scenario file's SHA-256 is "
        f"{from_file.content_sha256!r}; the scenario changed since planning, plan again"
    ]
    same = plan.model_copy(update={"scenario": ScenarioRef(name="square", sha256=from_file.content_sha256)})
    assert check_plan(from_file, same) == []


def test_exposure_must_match_the_risk_of_the_links(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    # An unverified social-media shelling report at b: raises risk on a->b and b->c, closes nothing.
    hazard = {
        "id": "post",
        "kind": "shelling",
        "area": {"lat": drawn.lat("b"), "lon": drawn.lon("b"), "radius_m": 100},
        "observed_at": START,
        "source": {"name": "channel", "type": "social"},
    }
    found = violations_of(drawn, network, GOOD, hazards=[hazard])
    assert len(found) == 2
    assert found[0].startswith(
        "movement 0: exposure is 0 but people × risk of its links at their entry times is "
    )
    assert found[1].startswith("movement 2: exposure is 0 but")


def test_validate_plan_raises_with_every_violation(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    scenario = make_scenario(drawn, horizon="PT200S")
    plan = hand_plan(drawn, network, scenario, GOOD, lower_bound_s=300.0)
    with pytest.raises(PlanRejectedError) as info:
        validate_plan(scenario, plan)
    assert info.value.exit_code == 5
    assert len(info.value.violations) == 2
    assert str(info.value).startswith("plan rejected: 2 violation(s)\n- ")


def test_many_violations_are_summarised(drawn: AsciiNetwork, network: RoadNetwork) -> None:
    many: list[Group] = [("a", "e", 1, "ace", (60 * i, 60 * i + 60, 60 * i + 120)) for i in range(30)]
    scenario = make_scenario(
        drawn, origins=[{"id": "a", "name": "A", "lat": drawn.lat("a"), "lon": drawn.lon("a"), "people": 30}]
    )  # each of 30 single travellers jumps from a to c, which no road joins
    found = check_plan(scenario, hand_plan(drawn, network, scenario, many, lower_bound_s=120.0))
    assert len(found) == 21
    assert found[-1] == "... and 10 more links violation(s) of the same kind"


PARALLEL_MAP = """
    a . . . b
    .       .
    x . . . y
"""


def test_parallel_links_the_open_one_is_taken(ascii_network: Callable[..., AsciiNetwork]) -> None:
    # Two streets join a and b: straight, and round by x and y (x and y are no intersections, so that
    # street is one link a->b too, twice as long or more). A blockage closes the straight one.
    drawn = ascii_network(
        PARALLEL_MAP, [("ab", {"highway": "residential"}), ("axyb", {"highway": "residential"})]
    )
    network = load_network(drawn.path, TravelMode.DRIVE)
    a, b = network.node_index(drawn.osm_id("a")), network.node_index(drawn.osm_id("b"))
    links = [
        k for k in range(int(network.indptr[a]), int(network.indptr[a + 1])) if network.link_head[k] == b
    ]
    straight, detour = sorted(links, key=lambda k: float(network.link_travel_time_s[k]))
    slow_s = math.ceil(network.link_travel_time_s[detour] / 60) * 60
    fast_s = math.ceil(network.link_travel_time_s[straight] / 60) * 60
    assert fast_s < network.link_travel_time_s[detour]
    middle = {"lat": (drawn.lat("a") + drawn.lat("b")) / 2, "lon": (drawn.lon("a") + drawn.lon("b")) / 2}
    blockage = {"id": "crater", "reason": "road damaged", "area": {**middle, "radius_m": 50}}
    scenario = make_scenario(
        drawn,
        origins=[{"id": "a", "name": "A", "lat": drawn.lat("a"), "lon": drawn.lon("a"), "people": 10}],
        destinations=[{"id": "e", "name": "B", "lat": drawn.lat("b"), "lon": drawn.lon("b"), "capacity": 10}],
        blockages=[blockage],
    )
    capacity = network.capacity_people_per_step(scenario.capacity, 60)
    detour_edge = EdgeUse(
        u=drawn.osm_id("a"),
        v=drawn.osm_id("b"),
        capacity_per_step=float(capacity[detour]),
        travel_time_s=float(network.link_travel_time_s[detour]),
    )
    round_about = hand_plan(
        drawn, network, scenario, [("a", "e", 10, "ab", (0, slow_s))], lower_bound_s=slow_s
    )
    round_about = round_about.model_copy(update={"edges": [detour_edge]})
    assert check_plan(scenario, round_about) == []
    straight_through = hand_plan(
        drawn, network, scenario, [("a", "e", 10, "ab", (0, fast_s))], lower_bound_s=fast_s
    )
    straight_through = straight_through.model_copy(update={"edges": [detour_edge]})
    found = check_plan(scenario, straight_through)
    assert len(found) == 1
    assert (
        f"reaches its end {fast_s} s later, but the link takes {network.link_travel_time_s[detour]:.1f} s"
        in found[0]
    )


def test_walking_groups_are_checked_on_the_walk_network(drawn: AsciiNetwork) -> None:
    # On foot (1.2 m/s) each 500 m street takes 416.7 s, rounded up to 420 s; the one-way c->e binds
    # cars only, so walkers may go e->c. Pedestrian capacity: 1.25 /m/s x 2 m x 60 s = 150 per step.
    walk = load_network(drawn.path, TravelMode.WALK)
    scenario = make_scenario(
        drawn,
        network={"path": str(drawn.path), "modes": ["walk"]},
        origins=[
            {
                "id": "a",
                "name": "A",
                "lat": drawn.lat("a"),
                "lon": drawn.lon("a"),
                "people": 50,
                "mode": "walk",
            }
        ],
        destinations=[{"id": "c", "name": "C", "lat": drawn.lat("c"), "lon": drawn.lon("c"), "capacity": 60}],
    )

    def on_foot(chars: str, times: Sequence[float]) -> Movement:
        return Movement(
            origin="a",
            destination="c",
            people=50,
            mode=TravelMode.WALK,
            departure=scenario.start,
            path=[drawn.osm_id(c) for c in chars],
            entry_times_s=list(times),
        )

    assert (
        check_plan(scenario, assemble(walk, scenario, [on_foot("abc", (0, 420, 840))], lower_bound_s=840))
        == []
    )
    backwards = on_foot("adec", (0, 420, 1260, 1680))  # e->c against the cars' one-way: fine on foot
    assert check_plan(scenario, assemble(walk, scenario, [backwards], lower_bound_s=840)) == []
    at_car_speed = assemble(walk, scenario, [on_foot("abc", (0, 60, 120))], lower_bound_s=120)
    found = check_plan(scenario, at_car_speed)
    assert len(found) == 2
    assert all("but the link takes 416.6 s" in f or "but the link takes 416.7 s" in f for f in found)
