"""Geometry a coordinator typed that lies off the map, touches no road, crosses itself or names no
road segment (issue 7 item 3, issue 8 "Geometry"): ``validate`` names the field and value, asks
"did you swap lat and lon?" when the swap lies on the map, and ``plan`` / ``route`` refuse the same.

Map (100 m cells near Helsinki, lat 60.17, lon 24.94; every letter ends a way, so is a node)::

    a b c
    |   |
    d e f
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.errors import OutsideExtractError, ScenarioError
from safepassage.scenario import TravelMode, load_scenario
from safepassage.validation import Finding, require_ready, validate_scenario
from scenario_builder import at, make_scenario, point, square_scenario

runner = CliRunner()
SWAP = "did you swap lat and lon?"


def _findings(square, **fields: Any) -> list[Finding]:
    drawn, network = square
    return validate_scenario(square_scenario(drawn, **fields), {TravelMode.DRIVE: network})


def _only(findings: list[Finding], field: str) -> Finding:
    mine = [f for f in findings if f.field == field]
    assert len(mine) == 1, findings
    return mine[0]


def _circle(lat: float, lon: float, radius_m: float = 40.0) -> dict[str, float]:
    return {"lat": lat, "lon": lon, "radius_m": radius_m}


def _swapped_circle(drawn, ch: str) -> dict[str, float]:
    lat, lon = drawn.lat_lon[ch]
    return _circle(lon, lat)


def _hazard(area: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "mines",
        "kind": "mines",
        "area": area,
        "observed_at": at("07:30"),
        "source": {"name": "field team", "type": "field_team"},
        "verification": "verified",
    }


def _polygon(drawn, chars: str, *, swap: str = "") -> dict[str, list[list[float]]]:
    corners = []
    for ch in chars:
        lat, lon = drawn.lat_lon[ch]
        corners.append([lon, lat] if ch in swap else [lat, lon])
    return {"polygon": corners}


# --- the reported case and every other field that holds a point or an area --------------------


def test_swapped_mines_hazard_is_an_error_naming_field_value_and_swap(square) -> None:
    drawn, _ = square
    lat, lon = drawn.lat_lon["b"]
    found = _only(_findings(square, hazards=[_hazard(_swapped_circle(drawn, "b"))]), "hazards[0].area")
    assert found.severity == "error"
    assert f"hazard mines: the circle at lat {lon:.5f}, lon {lat:.5f} (radius 40 m) lies off the map" in (
        found.message
    )
    assert f"{SWAP} (lat {lat:.5f}, lon {lon:.5f} lies on the map)" in found.message


def test_swapped_exclusion_zone_is_an_error(square) -> None:
    drawn, _ = square
    zone = {"id": "z", "name": "plant", "area": _swapped_circle(drawn, "e")}
    found = _only(_findings(square, exclusion_zones=[zone]), "exclusion_zones[0].area")
    assert found.severity == "error"
    assert "exclusion zone z: the circle at lat 24.94" in found.message
    assert SWAP in found.message


@pytest.mark.parametrize(
    ("fields", "field", "what"),
    [
        (
            lambda d: {
                "restricted_areas": [
                    {
                        "id": "r",
                        "name": "r",
                        "area": _polygon(d, "abed", swap="abed"),
                        "allowed_cargo": ["food"],
                    }
                ]
            },
            "restricted_areas[0].area.polygon",
            "restricted area r: the polygon lies off the map",
        ),
        (
            lambda d: {"blockages": [{"id": "b", "reason": "convoy", "area": _swapped_circle(d, "e")}]},
            "blockages[0].area",
            "blockage b: the circle at lat 24.94",
        ),
        (
            lambda d: {
                "curfews": [{"id": "c", "from": "20:00", "to": "06:00", "area": _swapped_circle(d, "e")}]
            },
            "curfews[0].area",
            "curfew c: the circle at lat 24.94",
        ),
        (
            lambda d: {
                "corridors": [
                    {
                        "id": "k",
                        "name": "k",
                        "status": "agreed",
                        "route": [
                            {"lat": d.lat("d"), "lon": d.lon("d")},
                            {"lat": d.lon("f"), "lon": d.lat("f")},
                        ],
                    }
                ]
            },
            "corridors[0].route[1]",
            "waypoint 2 of corridor k at lat 24.94",
        ),
        (
            lambda d: {
                "restricted_areas": [
                    {"id": "r", "name": "r", "area": _polygon(d, "abfd", swap="f"), "allowed_cargo": ["food"]}
                ]
            },
            "restricted_areas[0].area.polygon[2]",
            "restricted area r: corner 3 at lat 24.94",
        ),
    ],
    ids=[
        "restricted-area polygon",
        "blockage area",
        "curfew area",
        "corridor waypoint",
        "one polygon corner",
    ],
)
def test_every_geometry_field_off_the_map_is_an_error(square, fields, field, what) -> None:
    drawn, _ = square
    found = _only(_findings(square, **fields(drawn)), field)
    assert found.severity == "error"
    assert what in found.message
    assert "lies off the map" in found.message
    assert SWAP in found.message
    assert "which covers lat 60.1" in found.message  # the map's extent, to compare with


def test_off_the_map_without_a_plausible_swap_says_what_is_expected(square) -> None:
    # Mariupol on the Helsinki map: swapping does not help, so no swap question.
    found = _only(_findings(square, hazards=[_hazard(_circle(47.0957, 37.5492))]), "hazards[0].area")
    assert found.severity == "error"
    assert SWAP not in found.message
    assert "expected a point on the map or within 2,000 m of it" in found.message


def test_swapped_origin_and_destination_are_outside_the_extract_with_the_swap_question(square) -> None:
    drawn, network = square
    (alat, alon), (clat, clon) = drawn.lat_lon["a"], drawn.lat_lon["c"]
    scenario = make_scenario(
        drawn.path,
        origins=[point((alon, alat), "a", people=1)],
        destinations=[point((clat, clon), "c", capacity=1), point((clon, clat), "c2", capacity=1)],
    )
    with pytest.raises(OutsideExtractError) as caught:
        validate_scenario(scenario, {TravelMode.DRIVE: network})
    message = caught.value.message
    assert f"origins[0] at ({alon:.5f}, {alat:.5f}); destinations[1] at ({clon:.5f}, {clat:.5f})" in message
    assert "destinations[0]" not in message
    assert f"{SWAP} origins[0] at ({alat:.5f}, {alon:.5f}); destinations[1] at" in message


def test_a_large_circle_centred_off_the_map_that_reaches_it_is_accepted(square) -> None:
    drawn, _ = square
    lat, lon = drawn.lat_lon["a"]
    # 5.5 km north of a (off the map by the 2 km margin), radius 6 km: it covers the whole block.
    zone = {"id": "z", "name": "30 km zone", "area": _circle(lat + 0.0494, lon, 6000)}
    findings = _findings(square, exclusion_zones=[zone])
    assert not [f for f in findings if f.field.startswith("exclusion_zones")]


def test_an_area_on_the_map_that_touches_no_road_is_a_warning(square) -> None:
    drawn, _ = square
    lat, lon = drawn.lat_lon["a"]
    # 1.5 km north of a: within the 2 km margin, but no road is within 100 m.
    found = _only(_findings(square, hazards=[_hazard(_circle(lat + 0.0135, lon, 100))]), "hazards[0].area")
    assert found == Finding(
        "warning", "hazards[0].area", "hazard mines: the area touches no road, so it closes nothing"
    )


def test_a_corridor_whose_buffer_touches_no_road_is_a_warning(square) -> None:
    drawn, _ = square
    lat, lon = drawn.lat_lon["a"]
    corridor = {
        "id": "k",
        "name": "k",
        "status": "agreed",
        "route": [{"lat": lat + 0.01, "lon": lon}, {"lat": lat + 0.01, "lon": lon + 0.005}],
        "buffer_m": 50,
    }
    found = _only(_findings(square, corridors=[corridor]), "corridors[0]")
    assert found.severity == "warning"
    assert "corridor k: no road lies within its buffer of 50 m" in found.message


# --- issue 8: polygons that cross themselves, blockage links that are no road segment ---------


def test_self_intersecting_polygon_is_an_error_naming_where(square) -> None:
    drawn, _ = square
    # a -> c -> d -> f is a bow tie: edges c-d and f-a cross at e's column, between the streets.
    rule = {"id": "r", "name": "r", "area": _polygon(drawn, "acdf"), "allowed_cargo": ["food"]}
    found = _only(_findings(square, restricted_areas=[rule]), "restricted_areas[0].area.polygon")
    assert found.severity == "error"
    assert found.message.startswith("restricted area r: the polygon's edges cross near lat 60.1")
    assert "expected corners listed in order around the area, no two edges crossing" in found.message
    # The same corners in order around the block are accepted.
    rule["area"] = _polygon(drawn, "acfd")
    assert not [f for f in _findings(square, restricted_areas=[rule]) if f.field.startswith("restricted")]


def test_blockage_link_between_nodes_no_segment_joins_is_an_error(square) -> None:
    drawn, _ = square
    a, b, c, d = (drawn.osm_id(ch) for ch in "abcd")
    blockage = {"id": "b", "reason": "crater", "links": [[a, b], [a, c], [c, a], [a, 999_999]]}
    findings = _findings(square, blockages=[blockage])
    assert not [f for f in findings if f.field == "blockages[0].links[0]"]  # a-b is a road segment
    found = _only(findings, "blockages[0].links[1]")
    assert found.severity == "error"
    assert found.message == (
        f"[{a}, {c}]: no road segment joins OSM nodes {a} and {c}, so the blockage closes nothing; "
        "expected the two ends of one segment (intersections next to each other along one road); "
        f"node {a} is joined to {b}, {d}"
    )
    assert _only(findings, "blockages[0].links[2]").severity == "error"  # either order
    assert "999999 are not intersections" in _only(findings, "blockages[0].links[3]").message


# --- plan and route refuse what validate rejects ----------------------------------------------


def test_require_ready_raises_on_errors_and_returns_warnings(square) -> None:
    drawn, network = square
    networks = {TravelMode.DRIVE: network}
    bad = square_scenario(drawn, hazards=[_hazard(_swapped_circle(drawn, "b"))])
    with pytest.raises(ScenarioError) as caught:
        require_ready(bad, networks)
    assert [p.field for p in caught.value.problems] == ["hazards[0].area", ""]
    assert caught.value.exit_code == 2
    lat, lon = drawn.lat_lon["a"]
    fine = square_scenario(drawn, hazards=[_hazard(_circle(lat + 0.0135, lon, 100))])
    assert [f.severity for f in require_ready(fine, networks)] == ["warning"]


def _demo_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(demo_scenario_path().read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _swap_mines_and_zone(data: dict[str, Any]) -> None:
    mines = next(h for h in data["hazards"] if h["id"] == "field-mines-etelaranta")
    mines["area"] = {"lat": 24.95220, "lon": 60.16550, "radius_m": 40}
    zone = data["exclusion_zones"][0]["area"]
    zone["lat"], zone["lon"] = zone["lon"], zone["lat"]


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["plan", "-o", "PLAN"],
        ["route", "--from", "erottaja", "--to", "hakaniemi", "--at", "2022-03-05T10:30:00+02:00"],
    ],
    ids=["validate", "plan", "route"],
)
def test_demo_with_swapped_mines_and_zone_exits_2_in_validate_plan_and_route(tmp_path, command) -> None:
    scenario = _demo_with(tmp_path, _swap_mines_and_zone)
    plan_path = tmp_path / "plan.json"
    args = [command[0], str(scenario), *[str(plan_path) if a == "PLAN" else a for a in command[1:]]]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "hazards[3].area: hazard field-mines-etelaranta: the circle at lat 24.95220, lon 60.16550" in text
    assert f"{SWAP} (lat 60.16550, lon 24.95220 lies on the map)" in text
    assert "exclusion_zones[0].area: exclusion zone kasarmitori-zone: the circle at lat 24.94770" in text
    assert not plan_path.exists()


def test_the_demo_has_no_geometry_finding() -> None:
    scenario = load_scenario(demo_scenario_path())
    findings = validate_scenario(scenario)
    assert [f.field for f in findings] == ["origins[0]", "origins[1]"]  # the two "opens at 09:00"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.floats(0.0, 2.0),
    col=st.floats(0.0, 4.0),
    kind=st.sampled_from(["hazards", "exclusion_zones", "blockages", "curfews", "restricted_areas"]),
)
def test_any_area_on_the_block_is_accepted_and_its_swap_is_questioned(square, row, col, kind) -> None:
    """A circle anywhere on the block (100 m cells: a 110 m radius reaches a street from anywhere)
    is fine; the same circle with lat and lon swapped is an error asking whether they were swapped,
    in every area field."""
    drawn, _ = square
    (top, left), (bottom, right) = drawn.lat_lon["a"], drawn.lat_lon["f"]
    lat, lon = top + (bottom - top) * row / 2.0, left + (right - left) * col / 4.0

    def fields(area: dict[str, float]) -> dict[str, Any]:
        return {
            "hazards": {"hazards": [_hazard(area)]},
            "exclusion_zones": {"exclusion_zones": [{"id": "z", "name": "z", "area": area}]},
            "blockages": {"blockages": [{"id": "b", "reason": "r", "area": area}]},
            "curfews": {"curfews": [{"id": "c", "from": "20:00", "to": "06:00", "area": area}]},
            "restricted_areas": {"restricted_areas": [{"id": "r", "name": "r", "area": area}]},
        }[kind]

    assert not [f for f in _findings(square, **fields(_circle(lat, lon, 110))) if f.field.startswith(kind)]
    found = _only(_findings(square, **fields(_circle(lon, lat, 110))), f"{kind}[0].area")
    assert found.severity == "error"
    assert f"{SWAP} (lat {lat:.5f}, lon {lon:.5f} lies on the map)" in found.message
