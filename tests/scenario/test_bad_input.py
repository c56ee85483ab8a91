"""Every kind of bad scenario input gets one clear message: file, field path, value, what is expected.

The fixture files in ``tests/data/scenarios`` are small hand-made scenarios with one mistake each.
The messages asserted here are exactly what a coordinator reads (the CLI prints them unchanged).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.bounds import show_value
from safepassage.errors import InputError, OsmFileError, ScenarioError
from safepassage.scenario import load_scenario, parse_scenario, resolve_network_path

DATA = Path(__file__).resolve().parent.parent / "data" / "scenarios"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert isinstance(error, InputError)
    assert (error.code, error.exit_code, error.http_status) == ("SCENARIO_INVALID", 2, 422)
    assert str(error) == "\n".join(str(p) for p in error.problems)
    return [str(p) for p in error.problems]


def test_minimal_fixture_is_valid() -> None:
    scenario = load_scenario(DATA / "minimal.yaml")
    assert scenario.people_total == 100
    assert scenario.time_step_s == 60  # the default


def test_negative_people() -> None:
    assert problems_of(DATA / "negative_people.yaml") == [
        "negative_people.yaml: origins[3].people: -5 is out of range; expected a whole number from 0 to "
        "10,000,000"
    ]


def test_unknown_field_lists_the_accepted_fields() -> None:
    assert problems_of(DATA / "unknown_field.yaml") == [
        "unknown_field.yaml: origins[0].people: is missing; expected a value (see docs/scenario-format.md)",
        "unknown_field.yaml: origins[0].peopel: unknown field; expected one of: id, name, lat, lon, people, "
        "needs, mode",
    ]


def test_wrong_type() -> None:
    assert problems_of(DATA / "wrong_type.yaml") == [
        "wrong_type.yaml: destinations[0].capacity: 'a few hundred' is text, not a number; "
        "expected a whole number from 0 to 10,000,000 people"
    ]


def test_window_outside_the_horizon() -> None:
    assert problems_of(DATA / "window_outside_horizon.yaml") == [
        "window_outside_horizon.yaml: corridors[0].ceasefire_windows[0]: 2022-03-06T09:00:00+02:00 to "
        "2022-03-06T16:00:00+02:00 lies outside the horizon; expected a window overlapping "
        "2022-03-05T08:00:00+02:00 to 2022-03-05T10:00:00+02:00"
    ]


def test_yaml_syntax_error_names_line_and_column() -> None:
    assert problems_of(DATA / "yaml_syntax.yaml") == [
        "yaml_syntax.yaml: line 8, column 4: not valid YAML: expected <block end>, but found "
        "'<block mapping start>'"
    ]


def test_duplicate_ids() -> None:
    assert problems_of(DATA / "duplicate_ids.yaml") == [
        "duplicate_ids.yaml: destinations[2].id: 'hakaniemi' is already used by destinations[0]; "
        "expected a unique id"
    ]


def test_missing_network_file() -> None:
    scenario = load_scenario(DATA / "missing_network.yaml")  # the file itself is valid
    with pytest.raises(OsmFileError) as info:
        resolve_network_path(scenario)
    assert str(info.value) == (
        f"missing_network.yaml: network.path: 'no-such-city.osm.pbf': OSM extract not found at "
        f"{DATA / 'no-such-city.osm.pbf'}; expected an existing .osm.pbf, .osm or .osm.bz2 file "
        "(relative to the scenario file)"
    )
    assert (info.value.code, info.value.exit_code) == ("OSM_FILE", 2)


def test_network_package_not_installed() -> None:
    scenario = load_scenario(DATA / "minimal.yaml")
    broken = scenario.model_copy(
        update={"network": scenario.network.model_copy(update={"path": "pkg:no_such_pkg/x.osm.pbf"})}
    )
    with pytest.raises(OsmFileError) as info:
        resolve_network_path(broken)
    assert str(info.value) == (
        "minimal.yaml: network.path: 'pkg:no_such_pkg/x.osm.pbf': package 'no_such_pkg' is not installed; "
        "expected an installed package that ships the extract"
    )


def test_scenario_file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "mariupol.yaml"
    assert problems_of(path) == [f"{path}: file not found"]


# --- more bad values, checked on the text of the minimal fixture --------------------------------


def minimal() -> dict[str, Any]:
    data = yaml.safe_load((DATA / "minimal.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def problems_after(change: Any) -> list[str]:
    data = copy.deepcopy(minimal())
    change(data)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(yaml.safe_dump(data, allow_unicode=True), label="scenario.yaml")
    return [str(p) for p in info.value.problems]


CORRIDOR = {
    "id": "c1",
    "name": "Unioninkatu",
    "status": "agreed",
    "route": [{"lat": 60.1695, "lon": 24.951}, {"lat": 60.178, "lon": 24.9501}],
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["origins"][0].update(people=2.5),
            "scenario.yaml: origins[0].people: 2.5 is not a whole number; expected a whole number from 0 to "
            "10,000,000",
        ),
        (
            lambda d: d["origins"][0].update(lat=95),
            "scenario.yaml: origins[0].lat: 95 is out of range; expected a number from -90 to 90 degrees",
        ),
        (
            lambda d: d.update(start="2022-03-05T08:00:00"),
            "scenario.yaml: start: '2022-03-05T08:00:00' is invalid: Input should have timezone info",
        ),
        (
            lambda d: d.update(horizon="PT0S"),
            "scenario.yaml: horizon: 'PT0S' (0 s) is out of range; expected a duration above 0 and at most "
            '1,209,600 s (14 days), e.g. PT13H, "13:00:00" or 46800',
        ),
        (
            lambda d: d.update(timezone="Mars/Olympus"),
            "scenario.yaml: timezone: 'Mars/Olympus' is invalid: unknown time zone 'Mars/Olympus'; expected "
            "an IANA zone name such as Europe/Kyiv",
        ),
        (
            lambda d: d.pop("network"),
            "scenario.yaml: network: is missing; expected a value (see docs/scenario-format.md)",
        ),
        (
            lambda d: d.update(colour="red"),
            "scenario.yaml: colour: unknown field; expected one of: name, description, network, start, "
            "horizon, time_step_s, timezone, origins, destinations, corridors, curfews, restricted_areas, "
            "blockages, exclusion_zones, hazards, capacity, fleet",
        ),
        (
            lambda d: d.update(corridors=[{**CORRIDOR, "status": "maybe"}]),
            "scenario.yaml: corridors[0].status: 'maybe' is invalid; expected 'proposed', 'agreed', "
            "'disputed', 'open', 'suspended' or 'closed'",
        ),
        (
            lambda d: d.update(corridors=[{**CORRIDOR, "origins": ["nowhere"]}]),
            "scenario.yaml: corridors[0].origins[0]: 'nowhere' is not an origin id; expected one of "
            "['senaatintori']",
        ),
        (
            lambda d: d.update(
                exclusion_zones=[{"id": "z", "name": "Zone", "area": {"lat": 60.17, "lon": 24.94}}]
            ),
            "scenario.yaml: exclusion_zones[0].area: a circle needs all of lat, lon and radius_m",
        ),
        (
            lambda d: d.update(
                blockages=[
                    {
                        "id": "b",
                        "reason": "convoy",
                        "links": [[1, 2]],
                        "from": "2022-03-06T10:30:00+02:00",
                        "until": "2022-03-06T12:00:00+02:00",
                    }
                ]
            ),
            "scenario.yaml: blockages[0]: closed from 2022-03-06T10:30:00+02:00 until 2022-03-06T"
            "12:00:00+02:00, outside the horizon; expected a time overlapping 2022-03-05T08:00:00+02:00 "
            "to 2022-03-05T10:00:00+02:00",
        ),
        (
            lambda d: d.update(
                hazards=[
                    {
                        "id": "h",
                        "kind": "shelling",
                        "area": {"lat": 60.17, "lon": 24.94, "radius_m": 100},
                        "observed_at": "2022-03-05T11:00:00+02:00",
                        "source": {"name": "x", "type": "rumour"},
                    }
                ]
            ),
            "scenario.yaml: hazards[0].source.type: 'rumour' is invalid; expected 'official', 'un', "
            "'field_team', 'media' or 'social'",
        ),
    ],
)
def test_bad_values(change: Any, expected: str) -> None:
    assert expected in problems_after(change)


def test_every_problem_is_reported_at_once() -> None:
    def many(d: dict[str, Any]) -> None:
        d["origins"][0]["people"] = -1
        d["destinations"][0]["capacity"] = -2
        d["time_step_s"] = 0

    assert problems_after(many) == [
        "scenario.yaml: time_step_s: 0 is out of range; expected a whole number from 1 to 3,600 s",
        "scenario.yaml: origins[0].people: -1 is out of range; expected a whole number from 0 to 10,000,000",
        "scenario.yaml: destinations[0].capacity: -2 is out of range; expected a whole number from 0 to "
        "10,000,000 people",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "scenario.yaml: expected a mapping of fields, got an empty file"),
        ("- 1\n- 2\n", "scenario.yaml: expected a mapping of fields, got a list"),
        ("just words\n", "scenario.yaml: expected a mapping of fields, got text"),
    ],
)
def test_not_a_mapping(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    assert str(info.value) == expected


def test_curfew_clock_message_is_readable() -> None:
    (problem,) = problems_after(lambda d: d.update(curfews=[{"id": "c", "from": "8pm", "to": "06:00"}]))
    assert problem.startswith("scenario.yaml: curfews[0].from: '8pm' ")
    assert "HH:MM" in problem
    assert "pattern" not in problem


def test_needs_above_people_names_the_field() -> None:
    (problem,) = problems_after(lambda d: d["origins"][0].update(needs={"reduced_mobility": 900}))
    assert problem.startswith("scenario.yaml: origins[0].needs.reduced_mobility: 900 ")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda d: d.update(
                exclusion_zones=[
                    {"id": "z", "name": "Z", "area": {"lat": 60.17, "lon": 24.94, "radius_m": float("inf")}}
                ]
            ),
            "exclusion_zones[0].area.radius_m",
        ),
        (lambda d: d.update(corridors=[{**CORRIDOR, "buffer_m": float("inf")}]), "corridors[0].buffer_m"),
        (lambda d: d.update(capacity={"people_per_vehicle": float("inf")}), "capacity.people_per_vehicle"),
    ],
)
def test_infinite_numbers_are_rejected(change: Any, field: str) -> None:
    (problem,) = problems_after(change)
    assert problem.startswith(f"scenario.yaml: {field}: inf is not a finite number; expected a number ")


@pytest.mark.parametrize(
    "corners",
    [
        [[60.17, 24.94], [60.17, 24.94], [60.17, 24.94]],  # one point
        [[60.17, 24.94], [60.171, 24.941], [60.172, 24.942]],  # one line
    ],
)
def test_polygon_without_area_is_rejected(corners: list[list[float]]) -> None:
    zone = {"id": "z", "name": "Z", "area": {"polygon": corners}}
    (problem,) = problems_after(lambda d: d.update(exclusion_zones=[zone]))
    assert problem.startswith("scenario.yaml: exclusion_zones[0].area")


@settings(max_examples=40, deadline=None)
@given(
    origins=st.integers(min_value=1, max_value=6),
    data=st.data(),
)
def test_any_negative_count_is_named_exactly(origins: int, data: st.DataObject) -> None:
    """Whichever origin and whatever negative number: the one message names both."""
    bad = data.draw(st.integers(min_value=0, max_value=origins - 1), label="bad index")
    value = data.draw(st.integers(min_value=-(10**60), max_value=-1), label="value")

    def change(d: dict[str, Any]) -> None:
        template = d["origins"][0]
        d["origins"] = [
            {**template, "id": f"o{i}", "people": value if i == bad else 10} for i in range(origins)
        ]

    assert problems_after(change) == [
        f"scenario.yaml: origins[{bad}].people: {show_value(value)} is out of range; expected a whole number "
        "from 0 to 10,000,000"
    ]
