"""Routes on hand-drawn networks (times checkable by hand) and on the real Helsinki extract.

Map used below (100 m per character cell, residential streets at 30 km/h = 12 s per cell)::

    a b c        top, a-b-c: 4 cells = 400 m = 48 s (a-b 24 s, b-c 24 s)
    |   |
    d e f        bottom, a-d-e-f-c: 2 + 4 + 2 = 8 cells = 800 m = 96 s

Every letter ends a way, so every letter is a node of the network.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.errors import NoRouteError, UnknownIdError
from safepassage.hazards import link_closures
from safepassage.network import load_network
from safepassage.routing import best_route
from safepassage.scenario import resolve_network_path
from scenario_builder import at, make_scenario, point, square_scenario


def _path(drawn, network, route):
    names = {drawn.osm_id(ch): ch for ch in drawn.cells}
    return "".join(names[o] for o in route.osm_path(network))


def test_free_network_takes_the_short_way(square) -> None:
    drawn, network = square
    route = best_route(network, square_scenario(drawn), "a", "c")
    assert _path(drawn, network, route) == "abc"
    assert route.travel_time_s == pytest.approx(48.0, rel=1e-3)
    assert route.distance_m == pytest.approx(400.0, rel=1e-3)
    assert route.risk_exposure == 0.0


def test_verified_shelling_closes_the_top_street(square) -> None:
    drawn, network = square
    lat, lon = drawn.lat_lon["b"]
    scenario = square_scenario(
        drawn,
        hazards=[
            {
                "id": "h1",
                "kind": "shelling",
                "area": {"lat": lat, "lon": lon, "radius_m": 50},
                "observed_at": at("07:00"),
                "source": {"name": "OHCHR", "type": "un"},
                "verification": "verified",
            }
        ],
    )
    route = best_route(network, scenario, "a", "c")
    assert _path(drawn, network, route) == "adefc"
    assert route.travel_time_s == pytest.approx(96.0, rel=1e-3)


def test_unverified_social_report_adds_risk_but_closes_nothing(square) -> None:
    drawn, network = square
    lat, lon = drawn.lat_lon["b"]
    report = {
        "id": "h1",
        "kind": "shelling",
        "area": {"lat": lat, "lon": lon, "radius_m": 50},
        "observed_at": at("07:00"),
        "source": {"name": "a Telegram channel", "type": "social"},
        "verification": "unverified",
    }
    scenario = square_scenario(drawn, hazards=[report])
    assert link_closures(network, scenario).link.size == 0
    # 0.2 risk points x 600 s = 120 s penalty > the 48 s detour: the route avoids it.
    route = best_route(network, scenario, "a", "c")
    assert _path(drawn, network, route) == "adefc"
    # With a small penalty the short way is worth its risk, and the exposure is reported.
    risky = best_route(network, scenario, "a", "c", risk_penalty_s=100.0)
    assert _path(drawn, network, risky) == "abc"
    assert risky.risk_exposure == pytest.approx(0.4)  # a-b and b-c both touch the area


def test_curfew_starting_mid_trip_is_respected(square) -> None:
    drawn, network = square
    # A curfew around b from 08:01. Leaving 08:00:40 the top street looks open, but b-c would be
    # entered at 08:01:04, inside the curfew: the route must take the bottom street instead.
    lat, lon = drawn.lat_lon["b"]
    scenario = square_scenario(
        drawn,
        curfews=[
            {"id": "c1", "from": "08:01", "to": "09:00", "area": {"lat": lat, "lon": lon, "radius_m": 50}}
        ],
    )
    start = dt.datetime.fromisoformat(at("08:00"))
    early = best_route(network, scenario, "a", "c", at=start)
    assert _path(drawn, network, early) == "abc"  # b-c entered at 08:00:24, before the curfew
    late = best_route(network, scenario, "a", "c", at=start + dt.timedelta(seconds=40))
    assert _path(drawn, network, late) == "adefc"
    assert late.entry_times_s[0] == pytest.approx(40.0)
    assert late.travel_time_s == pytest.approx(96.0, rel=1e-3)


def test_closed_everywhere_is_an_answer_not_a_crash(square) -> None:
    drawn, network = square
    scenario = square_scenario(drawn, curfews=[{"id": "c1", "from": "07:00", "to": "09:00"}])
    with pytest.raises(NoRouteError, match="curfew c1"):
        best_route(network, scenario, "a", "c")
    route = best_route(network, scenario, "a", "c", at=dt.datetime.fromisoformat(at("09:00")))
    assert _path(drawn, network, route) == "abc"


def test_mandatory_corridor_is_followed(square) -> None:
    drawn, network = square
    corridor = {
        "id": "k1",
        "name": "bottom corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat_lon["d"][0], "lon": drawn.lat_lon["d"][1]},
            {"lat": drawn.lat_lon["f"][0], "lon": drawn.lat_lon["f"][1]},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": at("08:00"), "end": at("12:00")}],
        "evacuees_must_use": True,
    }
    route = best_route(network, square_scenario(drawn, corridors=[corridor]), "a", "c")
    assert _path(drawn, network, route) == "adefc"
    assert route.corridor == "k1"
    # Before the window opens the corridor cannot be used at all.
    with pytest.raises(NoRouteError):
        best_route(
            network,
            square_scenario(
                drawn,
                corridors=[{**corridor, "ceasefire_windows": [{"start": at("10:00"), "end": at("12:00")}]}],
            ),
            "a",
            "c",
        )


def test_unknown_ids_are_named(square) -> None:
    drawn, network = square
    with pytest.raises(UnknownIdError, match=r"'zz'.*a"):
        best_route(network, square_scenario(drawn), "zz", "c")


# --- the real extract: no route ever enters a link while it is closed ----------------------------

HELSINKI_BOX = (60.160, 60.172, 24.925, 24.955)


@pytest.fixture(scope="module")
def helsinki(helsinki_pbf: Path):
    return load_network(helsinki_pbf)


lat_st = st.floats(HELSINKI_BOX[0], HELSINKI_BOX[1])
lon_st = st.floats(HELSINKI_BOX[2], HELSINKI_BOX[3])
hazard_st = st.fixed_dictionaries(
    {
        "lat": lat_st,
        "lon": lon_st,
        "radius_m": st.floats(30, 250),
        "observed_min": st.integers(0, 120),
        "active_min": st.integers(5, 120),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    o=st.tuples(lat_st, lon_st),
    d=st.tuples(lat_st, lon_st),
    hazards=st.lists(hazard_st, max_size=6),
    depart_min=st.integers(0, 150),
    curfew_start_min=st.integers(0, 180),
)
def test_route_never_enters_a_closed_link(
    helsinki, helsinki_pbf, o, d, hazards, depart_min, curfew_start_min
) -> None:
    start = dt.datetime.fromisoformat(at("08:00"))

    def clock(minutes: int) -> str:
        return (start + dt.timedelta(minutes=minutes)).isoformat()

    curfew_from = (start + dt.timedelta(minutes=curfew_start_min)).strftime("%H:%M")
    scenario = make_scenario(
        helsinki_pbf,
        origins=[point(o, "o", people=1)],
        destinations=[point(d, "d", capacity=1)],
        curfews=[
            {
                "id": "c",
                "from": curfew_from,
                "to": "23:00",
                "area": {"lat": o[0], "lon": o[1], "radius_m": 400},
            }
        ],
        hazards=[
            {
                "id": f"h{i}",
                "kind": "shelling",
                "area": {"lat": h["lat"], "lon": h["lon"], "radius_m": h["radius_m"]},
                "observed_at": clock(h["observed_min"]),
                "active_until": clock(h["observed_min"] + h["active_min"]),
                "source": {"name": "field team", "type": "field_team"},
                "verification": "verified",
            }
            for i, h in enumerate(hazards)
        ],
    )
    assert resolve_network_path(scenario) == helsinki_pbf
    closures = link_closures(helsinki, scenario)
    try:
        route = best_route(
            helsinki, scenario, "o", "d", at=start + dt.timedelta(minutes=depart_min), closures=closures
        )
    except NoRouteError:
        return
    # Independent check against the raw intervals: entering link k at time t is allowed only if no
    # closure interval of k contains t.
    for link, entered in zip(route.links, route.entry_times_s, strict=False):
        hit = (closures.link == link) & (closures.from_s <= entered) & (entered < closures.to_s)
        assert not hit.any(), f"link {link} entered at {entered} s while closed"
    # The path is connected, in travel order, and times increase by each link's travel time.
    for k, link in enumerate(route.links):
        assert helsinki.link_tail[link] == route.nodes[k]
        assert helsinki.link_head[link] == route.nodes[k + 1]
    if route.links:
        steps = np.diff(route.entry_times_s)
        assert np.allclose(steps, helsinki.link_travel_time_s[list(route.links)])
