"""The solver on tiny drawn networks whose quickest clearance and lower bound are worked out by hand.

Capacities: 600 vehicles/h on a residential lane, 1 person per vehicle -> 10 people per 60 s step.
Residential streets are 30 km/h: 100 m takes 12 s. The plan model rounds each (contracted) arc's
travel time up to whole model steps (``substeps=1``: one-minute steps, so the arithmetic stays
by hand; one test checks quarter steps); the relaxation behind the lower bound rounds down and lets
people wait anywhere. Every plan also goes through the independent checker.
"""

from __future__ import annotations

import pytest

from safepassage.planner import plan_evacuation
from safepassage.planner.check import check_plan

from .solver_scenarios import blockage, drive_networks, hops, people_per_link_step, scenario_on

RES = {"highway": "residential"}

LINE = """
o-----d
"""

# Direct street o-d (400 m, 48 s: 1 step) and a detour o-p-q-d (200 + 400 + 200 m = 96 s: 2 steps;
# p is a way end, so the detour is two links o-p and p-d that contract into one arc).
SQUARE = """
o---d
|   |
p---q
"""
SQUARE_WAYS = [("od", RES), ("op", RES), ("pqd", RES)]


def _plan(scenario, networks, **kwargs):
    kwargs.setdefault("substeps", 1)
    plan = plan_evacuation(scenario, networks=networks, **kwargs)
    assert check_plan(scenario, plan, networks=networks) == []
    return plan


@pytest.mark.parametrize("mode", ["exact", "fast"])
def test_single_street_clears_at_the_hand_computed_step(ascii_network, mode):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 50)], [("d", "d", 100)])
    plan = _plan(scenario, drive_networks(drawn), mode=mode)
    # 600 m = 72 s -> 2 steps; 10 people leave in each of steps 0..4; the last group arrives at
    # step 4 + 2 = 6.
    assert plan.clearance_time_s == 360.0
    assert plan.evacuated == 50
    assert sorted(m.departure_s for m in plan.movements) == [0.0, 60.0, 120.0, 180.0, 240.0]
    assert all(m.people == 10 for m in plan.movements)
    if mode == "exact":
        # Relaxation: 72 s -> 1 step, departures 0..4 arrive by step 5: 300 s. The window cut
        # (10 s substeps) proves 310 s: the last 10 leave at 240 s at the earliest, + 72 s.
        assert plan.solver.details["lower_bound"]["fine_relaxation"]["bound_s"] == 300.0
        assert plan.lower_bound_s == 310.0
        assert plan.gap == pytest.approx(360.0 / 310.0 - 1.0)
    assert plan.lower_bound_s <= plan.clearance_time_s


def test_quarter_steps_cut_the_rounding_and_keep_capacity(ascii_network):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 15)], [("d", "d", 100)])
    networks = drive_networks(drawn)
    whole = _plan(scenario, networks, substeps=1)
    # One-minute steps: 72 s -> 2 steps; departures in steps 0 (10) and 1 (5): arrival at step 3.
    assert whole.clearance_time_s == 180.0
    quarter = _plan(scenario, networks, substeps=4)
    # 15 s steps: 72 s -> 5 substeps; capacity per substep 2, 3, 2, 3 (10 per minute): 15 people
    # leave in substeps 0..5, the last arrives at substep 5 + 5 = 10: 150 s.
    assert quarter.clearance_time_s == 150.0
    assert sorted(m.departure_s for m in quarter.movements) == [0.0, 15.0, 30.0, 45.0, 60.0, 75.0]
    assert [m.people for m in sorted(quarter.movements, key=lambda m: m.departure_s)] == [2, 3, 2, 3, 2, 3]
    # One-minute relaxation: departures in steps 0, 1 -> by step 2 (120 s). The window cut (10 s
    # substeps, capacity per fixed minute) proves 130 s: 10 may leave at 0 s, the last 5 not before
    # 60 s, so nobody valid clears before 132 s.
    assert quarter.lower_bound_s == whole.lower_bound_s == 130.0
    assert whole.solver.details["lower_bound"]["fine_relaxation"]["bound_s"] == 120.0


def test_two_routes_share_the_load(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    scenario = scenario_on(drawn, [("o", "o", 45)], [("d", "d", 100)])
    plan = _plan(scenario, drive_networks(drawn))
    # By T steps the direct street brings 10*T, the detour 10*(T-1): T=2 gives 30 < 45, T=3 gives 50.
    assert plan.clearance_time_s == 180.0
    # Relaxation: direct 0 steps, detour 1 step (24 s -> 0, 72 s -> 1): by T it brings
    # 10*(T+1) + 10*T: T=1 gives 30, T=2 gives 50: 120 s. The window cut (10 s substeps, capacity
    # per fixed minute) proves 160 s; a valid plan needs 168 s (10 + 10 leave at 0 s and at 60 s on
    # the two routes, the last 5 at 120 s on the direct street: 120 + 48 s).
    assert plan.solver.details["lower_bound"]["fine_relaxation"]["bound_s"] == 120.0
    assert plan.lower_bound_s == 160.0
    assert plan.gap == pytest.approx(0.125)
    paths = {tuple(m.path) for m in plan.movements}
    o, p, d = ord("o"), ord("p"), ord("d")
    assert paths == {(o, d), (o, p, d)}
    detour = next(m for m in plan.movements if m.path == [o, p, d])
    t0 = detour.entry_times_s[0]
    assert detour.entry_times_s[1] == pytest.approx(t0 + 24.0, abs=0.1)  # free flow inside the chain
    assert detour.entry_times_s[2] == t0 + 120.0  # rounded up to 2 steps at the chain's end


def test_capacity_is_never_exceeded(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    scenario = scenario_on(drawn, [("o", "o", 200)], [("d", "d", 1000)])
    plan = _plan(scenario, drive_networks(drawn))
    counts = people_per_link_step(plan)
    assert max(counts.values()) == 10
    assert plan.evacuated == 200


def test_closed_link_is_never_entered_while_closed(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    o, d = ord("o"), ord("d")
    scenario = scenario_on(
        drawn,
        [("o", "o", 45)],
        [("d", "d", 100)],
        blockages=[blockage("military convoy", "o", "d", until="08:02")],
    )
    plan = _plan(scenario, drive_networks(drawn))
    direct = [t for u, v, t, _ in hops(plan) if (u, v) == (o, d)]
    assert direct
    assert min(direct) >= 120.0
    # Direct street from step 2: 10*(T-2); detour 10*(T-1): T=3 gives 30, T=4 gives 50.
    assert plan.clearance_time_s == 240.0
    # Relaxation: steps 0 and 1 fully closed; by T: 10*(T-1) + 10*T >= 45 at T=3: 180 s. The window
    # cut (10 s substeps, capacity per fixed minute) proves 220 s; a valid plan needs 228 s (detour
    # at 0, 60 and 120 s, direct at 120 s, the last 5 direct at 180 s: 180 + 48 s).
    assert plan.solver.details["lower_bound"]["fine_relaxation"]["bound_s"] == 180.0
    assert plan.lower_bound_s == 220.0
    assert any(c.reason.startswith("blockage b1") for c in plan.closures)


def test_reception_capacity_leaves_people_unserved_with_the_reason(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    scenario = scenario_on(drawn, [("o", "o", 45)], [("d", "d", 30)])
    plan = _plan(scenario, drive_networks(drawn))
    assert plan.evacuated == 30
    assert [(u.origin, u.people) for u in plan.unserved] == [("o", 15)]
    assert plan.unserved[0].reason.startswith("reception capacity")
    assert plan.clearance_time_s == 120.0  # 30 people: 20 direct + 10 by the detour by step 2


def test_exclusion_zone_cuts_off_an_origin(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    scenario = scenario_on(
        drawn,
        [("o", "o", 45)],
        [("d", "d", 100)],
        exclusion_zones=[
            {
                "id": "npp",
                "name": "plant",
                "area": {"lat": drawn.lat("d"), "lon": drawn.lon("d"), "radius_m": 50},
            }
        ],
    )
    plan = _plan(scenario, drive_networks(drawn))
    assert plan.evacuated == 0
    assert plan.movements == []
    assert len(plan.unserved) == 1
    assert plan.unserved[0].people == 45
    assert plan.unserved[0].reason.startswith("cut off by closures for the whole horizon: exclusion zone npp")


def test_curfew_stops_departures(ascii_network):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(
        drawn,
        [("o", "o", 50)],
        [("d", "d", 100)],
        start="2022-03-05T19:57:00+02:00",
        curfews=[{"id": "c1", "from": "20:00", "to": "06:00"}],
    )
    plan = _plan(scenario, drive_networks(drawn))
    # Entries allowed at 19:57, 19:58, 19:59 only: 30 people, the last arriving at step 2 + 2.
    assert plan.evacuated == 30
    assert max(t for _, _, t, _ in hops(plan)) < 180.0
    assert plan.clearance_time_s == 240.0
    assert [(u.origin, u.people) for u in plan.unserved] == [("o", 20)]
    assert "curfew c1" in plan.unserved[0].reason


def test_mandatory_corridor_is_used_and_its_window_holds(ascii_network):
    drawn = ascii_network(SQUARE, SQUARE_WAYS)
    corridor = {
        "id": "k1",
        "name": "detour corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat("p"), "lon": drawn.lon("p")},
            {"lat": drawn.lat("q"), "lon": drawn.lon("q")},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": "2022-03-05T08:01:00+02:00", "end": "2022-03-05T09:00:00+02:00"}],
        "evacuees_must_use": True,
    }
    scenario = scenario_on(drawn, [("o", "o", 45)], [("d", "d", 100)], corridors=[corridor])
    plan = _plan(scenario, drive_networks(drawn))
    o, p, d = ord("o"), ord("p"), ord("d")
    assert {tuple(m.path) for m in plan.movements} == {(o, p, d)}
    assert min(m.departure_s for m in plan.movements) >= 60.0  # the window opens at 08:01
    # Only the detour (2 steps), departures from step 1: 10*(T-2) >= 45 at T = 7.
    assert plan.clearance_time_s == 420.0


def test_route_open_too_late_is_reported_as_no_open_route_within_the_horizon(ascii_network):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(
        drawn,
        [("o", "o", 50)],
        [("d", "d", 100)],
        blockages=[blockage("bridge inspection", "o", "d", until="08:59")],
    )
    # Open from 08:59, but the street takes 72 s (2 steps) and the horizon ends at 09:00.
    plan = _plan(scenario, drive_networks(drawn))
    assert plan.evacuated == 0
    assert [(u.origin, u.people) for u in plan.unserved] == [("o", 50)]
    assert plan.unserved[0].reason.startswith("no open route within the horizon")
    assert "blockage b1" in plan.unserved[0].reason


def test_origin_beyond_a_mandatory_corridor_is_unserved_with_the_reason(ascii_network):
    drawn = ascii_network(
        """
o---d-e
|   |
p---q
""",
        [*SQUARE_WAYS, ("de", RES)],
    )
    corridor = {
        "id": "k1",
        "name": "detour corridor",
        "status": "open",
        "route": [
            {"lat": drawn.lat("p"), "lon": drawn.lon("p")},
            {"lat": drawn.lat("q"), "lon": drawn.lon("q")},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": "2022-03-05T08:00:00+02:00", "end": "2022-03-05T09:00:00+02:00"}],
        "evacuees_must_use": True,
    }
    scenario = scenario_on(drawn, [("o", "o", 20), ("e", "e", 5)], [("d", "d", 100)], corridors=[corridor])
    plan = _plan(scenario, drive_networks(drawn))
    assert plan.evacuated == 20
    assert [(u.origin, u.people) for u in plan.unserved] == [("e", 5)]
    assert plan.unserved[0].reason.startswith("beyond corridor k1")


def test_people_already_at_a_destination_and_origins_without_people(ascii_network):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(drawn, [("here", "d", 7), ("empty", "o", 0)], [("d", "d", 100)])
    plan = _plan(scenario, drive_networks(drawn))
    assert plan.evacuated == 7
    assert plan.unserved == []
    assert [(m.origin, m.path, m.entry_times_s) for m in plan.movements] == [("here", [ord("d")], [0.0])]
    assert plan.clearance_time_s == 0.0
    assert plan.gap == 0.0


def test_nobody_to_move(ascii_network):
    drawn = ascii_network(LINE, [("od", RES)])
    scenario = scenario_on(drawn, [("o", "o", 0)], [("d", "d", 100)])
    plan = _plan(scenario, drive_networks(drawn))
    assert (plan.evacuated, plan.movements, plan.unserved, plan.clearance_time_s) == (0, [], [], 0.0)
