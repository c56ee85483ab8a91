"""The plan checker on the real Helsinki extract and the bundled demo scenario.

Plans are written by hand (not by the planner): shortest free-flow paths from scipy's Dijkstra,
scheduled the way a time-expanded model schedules them (each link rounded up to whole one-minute
steps), then broken on purpose by routing through a real closed link at the wrong time.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from safepassage.hazards import LinkClosures, link_closures, link_risk
from safepassage.network import RoadNetwork, load_network, snap_points
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import (
    Movement,
    Plan,
    Unserved,
)
from safepassage.scenario import Scenario, TravelMode, load_scenario

from .test_check import assemble


@pytest.fixture(scope="module")
def demo() -> Scenario:
    resource = importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")
    with importlib.resources.as_file(resource) as path:
        return load_scenario(Path(path))


@pytest.fixture(scope="module")
def network(helsinki_pbf: Path) -> RoadNetwork:
    return load_network(helsinki_pbf, TravelMode.DRIVE)


@pytest.fixture(scope="module")
def closures(network: RoadNetwork, demo: Scenario) -> LinkClosures:
    return link_closures(network, demo)


def place_node(network: RoadNetwork, scenario: Scenario, place_id: str) -> int:
    place = next(p for p in [*scenario.origins, *scenario.destinations] if p.id == place_id)
    return snap_points(network, [(place.id, place.lat, place.lon)])[0].node


def shortest(network: RoadNetwork, source: int, target: int, closed: np.ndarray | None = None) -> list[int]:
    """Internal node indices of the fastest path avoiding ``closed`` links."""
    weights = network.link_travel_time_s.copy()
    if closed is not None:
        weights[closed] = np.inf
    _, previous = dijkstra(network.matrix(weights), indices=source, return_predecessors=True)
    path = [target]
    while path[-1] != source:
        step = int(previous[path[-1]])
        assert step >= 0, "no path"
        path.append(step)
    return path[::-1]


def movement(
    network: RoadNetwork,
    scenario: Scenario,
    origin: str,
    destination: str,
    people: int,
    nodes: Sequence[int],
    depart_s: float,
) -> Movement:
    """A group following ``nodes``, each link taking its travel time rounded up to whole steps."""
    step = scenario.time_step_s
    times = [depart_s]
    exposure = 0.0
    for u, v in itertools.pairwise(nodes):
        link = network.find_link(u, v)
        exposure += people * float(link_risk(network, scenario, times[-1])[link])
        times.append(times[-1] + max(1, math.ceil(network.link_travel_time_s[link] / step)) * step)
    return Movement(
        origin=origin,
        destination=destination,
        people=people,
        mode=TravelMode.DRIVE,
        departure=scenario.at(depart_s),
        path=[int(network.node_osm_id[n]) for n in nodes],
        entry_times_s=times,
        exposure=exposure,
    )


def plan_of(network: RoadNetwork, scenario: Scenario, movements: list[Movement]) -> Plan:
    """The hand plan of ``movements``; everyone else is unserved."""
    moved = {o.id: sum(m.people for m in movements if m.origin == o.id) for o in scenario.origins}
    unserved = [
        Unserved(
            origin=o.id, people=o.people - moved[o.id], reason="not planned in this hand-written test plan"
        )
        for o in scenario.origins
        if o.people > moved[o.id]
    ]
    bound = min(m.arrival_s for m in movements)
    return assemble(network, scenario, movements, unserved=unserved, lower_bound_s=bound)


def open_route(
    network: RoadNetwork, scenario: Scenario, closures: LinkClosures, origin: str, dest: str, t_s: float
) -> Movement:
    nodes = shortest(
        network,
        place_node(network, scenario, origin),
        place_node(network, scenario, dest),
        ~closures.open_at(t_s),
    )
    return movement(network, scenario, origin, dest, 10, nodes, t_s)


def via_link(
    network: RoadNetwork, scenario: Scenario, origin: str, dest: str, link: int, t_s: float
) -> Movement:
    """A movement forced through ``link`` (fastest path to its tail, then from its head)."""
    tail, head = int(network.link_tail[link]), int(network.link_head[link])
    nodes = shortest(network, place_node(network, scenario, origin), tail)
    nodes += shortest(network, head, place_node(network, scenario, dest))
    return movement(network, scenario, origin, dest, 10, nodes, t_s)


def first_link_closed_by(closures: LinkClosures, prefix: str) -> int:
    return int(next(closures.link[i] for i, r in enumerate(closures.reason) if r.startswith(prefix)))


def local(scenario: Scenario, clock: str) -> float:
    """Seconds after the scenario's start of ``clock`` (HH:MM, local time) on the scenario's day."""
    day = scenario.start.astimezone(scenario.zone()).date()
    instant = dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=scenario.zone())
    return scenario.seconds_since_start(instant)


NINE_FIVE = "09:05"  # inside the ceasefire window, before the convoy and the shelling


def test_hand_plan_avoiding_every_closure_passes(
    network: RoadNetwork, demo: Scenario, closures: LinkClosures
) -> None:
    pairs = [
        ("kauppatori", "hakaniemi"),
        ("senaatintori", "kaisaniemi"),
        ("erottaja", "rautatieasema"),
        ("lasipalatsi", "rautatieasema"),
    ]
    movements = [open_route(network, demo, closures, o, d, local(demo, NINE_FIVE)) for o, d in pairs]
    assert all(len(m.path) > 2 for m in movements)
    assert check_plan(demo, plan_of(network, demo, movements)) == []


@pytest.mark.parametrize(
    ("reason", "origin", "dest", "clock", "expected"),
    [
        ("exclusion zone", "erottaja", "hakaniemi", NINE_FIVE, "exclusion zone kasarmitori-zone"),
        (
            "blockage",
            "lasipalatsi",
            "rautatieasema",
            "11:00",
            "blockage convoy-mannerheimintie",
        ),
        ("restricted area", "erottaja", "rautatieasema", NINE_FIVE, "restricted area kamppi-food-medicine"),
        ("hazard", "senaatintori", "kaisaniemi", "10:00", "hazard un-shelling-kaisaniemenkatu"),
    ],
)
def test_entering_a_closed_link_is_caught(
    network: RoadNetwork,
    demo: Scenario,
    closures: LinkClosures,
    reason: str,
    origin: str,
    dest: str,
    clock: str,
    expected: str,
) -> None:
    link = first_link_closed_by(closures, reason)
    broken = via_link(network, demo, origin, dest, link, local(demo, clock))
    found = check_plan(demo, plan_of(network, demo, [broken]))
    u, v = (
        int(network.node_osm_id[network.link_tail[link]]),
        int(network.node_osm_id[network.link_head[link]]),
    )
    assert any(f"while it is closed: {expected}" in f for f in found), found
    # the forced link is named, or counted after the first link closed by the same rule
    assert any(f"link {u}->{v}" in f or (expected in f and "more link(s) of its path" in f) for f in found)


def test_leaving_during_the_curfew_is_caught(
    network: RoadNetwork, demo: Scenario, closures: LinkClosures
) -> None:
    daytime = open_route(network, demo, closures, "erottaja", "rautatieasema", local(demo, NINE_FIVE))
    night = movement(
        network,
        demo,
        "erottaja",
        "rautatieasema",
        10,
        [network.node_index(n) for n in daytime.path],
        local(demo, "20:05"),
    )
    found = check_plan(demo, plan_of(network, demo, [night]))
    hops = len(night.path) - 1
    street = network.link_name[network.find_link(*map(network.node_index, night.path[:2]))]
    assert found == [
        f"movement 0: enters link {night.path[0]}->{night.path[1]} ({street}) "
        f"at {local(demo, '20:05'):g} s (2022-03-05T20:05:00+02:00) while it is closed: curfew city-curfew "
        "(20:00-06:00) "
        f"(and {hops - 1} more link(s) of its path closed by the same rule)"
    ]


def test_corridor_after_its_ceasefire_window_is_caught(
    network: RoadNetwork, demo: Scenario, closures: LinkClosures
) -> None:
    link = first_link_closed_by(closures, "corridor unioninkatu-corridor outside")
    late = via_link(network, demo, "kauppatori", "hakaniemi", link, local(demo, "16:30"))  # window ends 16:00
    found = check_plan(demo, plan_of(network, demo, [late]))
    assert any(
        "while it is closed: corridor unioninkatu-corridor outside its ceasefire window" in f for f in found
    )


def test_capacity_of_a_real_street_is_enforced(
    network: RoadNetwork, demo: Scenario, closures: LinkClosures
) -> None:
    group = open_route(network, demo, closures, "erottaja", "rautatieasema", local(demo, NINE_FIVE))
    capacity = network.capacity_people_per_step(demo.capacity, demo.time_step_s)
    first = network.find_link(network.node_index(group.path[0]), network.node_index(group.path[1]))
    too_many = math.floor(capacity[first]) + 1
    crowd = group.model_copy(update={"people": too_many, "exposure": group.exposure / 10 * too_many})
    found = check_plan(demo, plan_of(network, demo, [crowd]))
    assert any(
        f.startswith(f"link {group.path[0]}->{group.path[1]}")
        and f"is entered by {too_many} people in step {int(local(demo, NINE_FIVE) // 60)}" in f
        for f in found
    ), found


def test_a_plan_starting_later_than_the_scenario_is_caught(
    network: RoadNetwork, demo: Scenario, closures: LinkClosures
) -> None:
    plan = plan_of(
        network,
        demo,
        [open_route(network, demo, closures, "erottaja", "rautatieasema", local(demo, NINE_FIVE))],
    )
    later = plan.model_copy(update={"start": plan.start + dt.timedelta(hours=1)})
    expected = f"the plan starts at {later.start.isoformat()} but the scenario at {demo.start.isoformat()}"
    assert any(expected in f for f in check_plan(demo, later))
