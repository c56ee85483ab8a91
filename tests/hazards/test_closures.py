"""Closure intervals and risk on a hand-drawn network whose links are known by name.

a b c      100 m cells; every letter ends a way (so is a node)
|   |
d e f
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepassage.hazards import (
    closes_roads,
    credibility,
    curfew_intervals_s,
    intensity_at,
    link_closures,
    link_risk,
)
from safepassage.scenario import HazardKind, SourceType, Verification
from scenario_builder import at, make_scenario, point, square_scenario


def _link(drawn, network, u: str, v: str) -> int:
    return network.find_link(network.node_index(drawn.osm_id(u)), network.node_index(drawn.osm_id(v)))


def _circle(drawn, ch: str, radius_m: float = 40.0) -> dict[str, float]:
    lat, lon = drawn.lat_lon[ch]
    return {"lat": lat, "lon": lon, "radius_m": radius_m}


def test_curfew_wraps_midnight_in_local_time() -> None:
    from safepassage.scenario import Curfew

    scenario = make_scenario(
        "x.osm",
        origins=[point((0, 0), "o", people=1)],
        destinations=[point((0, 0), "d", capacity=1)],
        horizon="P2D",
    )
    curfew = Curfew.model_validate({"id": "c", "from": "20:00", "to": "06:00"})
    # Start 08:00 local: nights at 12 h..22 h and 36 h..46 h after the start (the first night's
    # tail, 20:00 the day before to 06:00, ended before the start and is dropped).
    assert curfew_intervals_s(curfew, scenario) == [(12 * 3600.0, 22 * 3600.0), (36 * 3600.0, 46 * 3600.0)]


def test_exclusion_zone_closes_forever_and_blockage_for_its_time(square) -> None:
    drawn, network = square
    scenario = square_scenario(
        drawn,
        1,
        exclusion_zones=[{"id": "z", "name": "plant", "area": _circle(drawn, "e")}],
        blockages=[
            {
                "id": "b",
                "reason": "convoy",
                "links": [[drawn.osm_id("a"), drawn.osm_id("b")]],
                "from": at("09:00"),
                "until": at("10:00"),
            }
        ],
    )
    closures = link_closures(network, scenario)
    de, ef, ab, ba = (_link(drawn, network, *p) for p in ("de", "ef", "ab", "ba"))
    for t in (0.0, 5000.0, 40000.0):
        assert not closures.open_at(t)[[de, ef]].any()
    assert closures.open_at(0.0)[[ab, ba]].all()
    assert not closures.open_at(3600.0)[[ab, ba]].any()  # both directions of the blocked road
    assert closures.open_at(7200.0)[[ab, ba]].all()  # "until" is exclusive
    assert "blockage b (convoy)" in closures.closure_at(ab, 3600.0)


def test_restricted_area_inbound_only_food_and_medicine(square) -> None:
    drawn, network = square
    rule = {
        "id": "r",
        "name": "city",
        "area": _circle(drawn, "c", 60),
        "applies_to": "inbound",
        "allowed_cargo": ["food", "medicine"],
    }
    scenario = square_scenario(drawn, 1, restricted_areas=[rule])
    from safepassage.scenario import Cargo, VehicleClass

    evacuation = link_closures(network, scenario, vehicle=VehicleClass.BUS, cargo=Cargo.PEOPLE)
    food = link_closures(network, scenario, vehicle=VehicleClass.TRUCK, cargo=Cargo.FOOD)
    into_c, out_of_c = _link(drawn, network, "b", "c"), _link(drawn, network, "c", "b")
    assert not evacuation.open_at(0)[into_c]  # a bus with people may not drive in
    assert evacuation.open_at(0)[out_of_c]  # but may leave
    assert food.open_at(0)[into_c]


def test_corridor_only_inside_its_window(square) -> None:
    drawn, network = square
    corridor = {
        "id": "k",
        "name": "k",
        "status": "open",
        "buffer_m": 20,
        "route": [
            {"lat": drawn.lat_lon["d"][0], "lon": drawn.lat_lon["d"][1]},
            {"lat": drawn.lat_lon["f"][0], "lon": drawn.lat_lon["f"][1]},
        ],
        "ceasefire_windows": [{"start": at("09:00"), "end": at("16:00")}],
    }
    closures = link_closures(network, square_scenario(drawn, 1, corridors=[corridor]))
    de = _link(drawn, network, "d", "e")
    assert [bool(closures.open_at(h * 3600.0)[de]) for h in (0, 0.99, 1, 7.99, 8, 11)] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    suspended = link_closures(
        network, square_scenario(drawn, 1, corridors=[{**corridor, "status": "suspended"}])
    )
    assert not suspended.open_at(2 * 3600.0)[de]
    ab = _link(drawn, network, "a", "b")
    assert closures.open_at(0)[ab]  # roads outside the corridor are not affected


def test_unverified_social_report_raises_risk_and_closes_nothing(square) -> None:
    drawn, network = square
    report = {
        "id": "h",
        "kind": "air_strike",
        "area": _circle(drawn, "b"),
        "observed_at": at("08:30"),
        "decay_half_life_s": 3600,
        "source": {"name": "channel", "type": "social"},
    }
    scenario = square_scenario(drawn, 1, hazards=[report])
    assert link_closures(network, scenario).link.size == 0
    ab = _link(drawn, network, "a", "b")
    assert link_risk(network, scenario, 0.0)[ab] == 0.0  # not yet reported at the start
    assert link_risk(network, scenario, 1800.0)[ab] == pytest.approx(0.2)
    assert link_risk(network, scenario, 1800.0 + 3600.0)[ab] == pytest.approx(0.1)  # one half-life
    verified = square_scenario(drawn, 1, hazards=[{**report, "verification": "verified"}])
    closures = link_closures(network, verified)
    assert not closures.open_at(1800.0)[ab]
    assert closures.open_at(1800.0 + 3600.0)[ab]  # closes for its first half-life only
    assert math.isclose(float(closures.to_s.max()), 1800.0 + 3600.0)


@given(source=st.sampled_from(list(SourceType)), kind=st.sampled_from(list(HazardKind)))
def test_credibility_orders_review_states(source: SourceType, kind: HazardKind) -> None:
    c = {v: credibility(source, v) for v in Verification}
    assert (
        c[Verification.VERIFIED]
        >= c[Verification.UNVERIFIED]
        >= c[Verification.DISPUTED]
        >= c[Verification.REJECTED]
        == 0
    )
    assert not closes_roads(kind, source, Verification.REJECTED)
    assert not closes_roads(kind, SourceType.SOCIAL, Verification.UNVERIFIED)


@given(offset_s=st.floats(-1e5, 1e6), half_life_s=st.floats(1, 1e5))
def test_intensity_stays_in_unit_interval_and_decays(offset_s: float, half_life_s: float) -> None:
    scenario = make_scenario(
        "x.osm",
        origins=[point((0, 0), "o", people=1)],
        destinations=[point((0, 0), "d", capacity=1)],
        hazards=[
            {
                "id": "h",
                "kind": "shelling",
                "area": {"lat": 0, "lon": 0, "radius_m": 1},
                "observed_at": at("09:00"),
                "decay_half_life_s": half_life_s,
                "source": {"name": "s", "type": "un"},
            }
        ],
    )
    hazard = scenario.hazards[0]
    t_s = 3600 + offset_s  # the report is observed 3600 s after the start
    value = intensity_at(hazard, scenario, t_s)
    later = intensity_at(hazard, scenario, t_s + 1.0)
    assert 0.0 <= value <= 1.0
    if t_s >= 3600:
        assert later <= value
    else:
        assert value == 0.0
    assert np.isfinite(value)
