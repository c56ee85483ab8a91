"""Implicit speed limits (``maxspeed=RU:urban`` and kin): the country table, entry by entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from asciimap import write_ascii_network
from safepassage.network import load_network
from safepassage.network.road_classes import parse_maxspeed_kmh, way_speed_kmh
from safepassage.network.speed_limits import COLUMNS, IMPLICIT_SPEED_KMH, WALK_KMH, implicit_speed_kmh

MPH = 1.609344

#: The context word of each column, as written in OSM tags.
CONTEXT_OF = {
    "urban": "urban",
    "rural": "rural",
    "motorway": "motorway",
    "living_street": "living_street",
    "motorroad": "motorroad",
    "dual_carriageway": "dual_carriageway",
}

ENTRIES = [
    (code, column, speed)
    for code, row in IMPLICIT_SPEED_KMH.items()
    for column, speed in zip(COLUMNS, row, strict=True)
    if speed is not None
]


@pytest.mark.parametrize(("code", "column", "speed"), ENTRIES, ids=[f"{c}:{col}" for c, col, _ in ENTRIES])
def test_every_entry_is_read_from_its_tag(code: str, column: str, speed: float) -> None:
    value = f"{code}:{CONTEXT_OF[column]}"
    assert parse_maxspeed_kmh(value) == speed
    assert parse_maxspeed_kmh(value.lower()) == speed  # case does not matter
    assert way_speed_kmh("residential", {"maxspeed:type": value}) == speed
    # A plausible car limit: walking pace to 140 km/h, in whole km/h or whole mph.
    assert WALK_KMH <= speed <= 140
    assert speed == int(speed) or speed == round(speed / MPH) * MPH


def test_the_table_is_ordered_sensibly() -> None:
    """Within a country: living street <= urban <= rural <= motorway (where given)."""
    for code, row in IMPLICIT_SPEED_KMH.items():
        limits = dict(zip(COLUMNS, row, strict=True))
        ordered = [
            limits[c] for c in ("living_street", "urban", "rural", "motorway") if limits[c] is not None
        ]
        assert ordered == sorted(ordered), code
    assert len(IMPLICIT_SPEED_KMH) > 200
    assert all(len(code) == 2 or code[2] == "-" for code in IMPLICIT_SPEED_KMH)


@pytest.mark.parametrize(
    ("value", "speed_kmh"),
    [
        # The cases (values from the OSM wiki's "Default speed limits").
        ("RU:urban", 60.0),
        ("DE:rural", 100.0),
        ("FR:rural", 80.0),
        ("UA:motorway", 130.0),
        ("GB:nsl_single", 60 * MPH),
        ("DE:zone:30", 30.0),
        # Siblings.
        ("DE:zone30", 30.0),
        ("DE:zone 20", 20.0),
        ("DE:30", 30.0),  # zone:maxspeed=DE:30
        ("GB:nsl_dual", 70 * MPH),
        ("GB:nsl_restricted", 30 * MPH),
        ("GB:motorway", 70 * MPH),
        ("UA:urban", 50.0),
        ("UA:rural", 90.0),
        ("UA:living_street", 20.0),
        ("RU:motorway", 110.0),
        ("FI:urban", 50.0),
        ("FI:rural", 100.0),
        ("PL:motorway", 140.0),
        ("FR:motorway", 130.0),
        ("FR:trunk", 80.0),  # no motorroad entry: the rural limit
        ("DE:living_street", WALK_KMH),  # Schrittgeschwindigkeit
        ("AU-NSW:urban", 50.0),
        ("US-XX:urban", None),  # unknown subdivision of a country without national limits
        ("XX:urban", None),  # unknown country
        ("DE:nowhere", None),  # unknown context
        ("DE:", None),
        ("urban", None),
    ],
)
def test_implicit_values(value: str, speed_kmh: float | None) -> None:
    if speed_kmh is None:
        assert implicit_speed_kmh(value) is None
        assert parse_maxspeed_kmh(value) is None
    else:
        assert parse_maxspeed_kmh(value) == pytest.approx(speed_kmh, abs=0.01)


@pytest.mark.parametrize(
    ("tags", "speed_kmh"),
    [
        ({"maxspeed": "RU:urban"}, 60.0),
        ({"maxspeed": "80", "maxspeed:type": "DE:rural"}, 80.0),  # a sign beats the context
        ({"maxspeed:type": "GB:nsl_single"}, 60 * MPH),
        ({"source:maxspeed": "DE:zone:30"}, 30.0),
        ({"zone:maxspeed": "DE:30"}, 30.0),
        ({"zone:traffic": "DE:rural"}, 100.0),
        ({"maxspeed": "signals", "source:maxspeed": "FR:urban"}, 50.0),  # unreadable: the next tag
        ({"maxspeed": "none"}, 30.0),  # no limit known: the class default (residential)
        ({"maxspeed": "0"}, 30.0),
        ({"maxspeed": "20 knots"}, 20 * 1.852),
        ({}, 30.0),
    ],
)
def test_speed_tags_in_order(tags: dict[str, str], speed_kmh: float) -> None:
    assert way_speed_kmh("residential", tags) == pytest.approx(speed_kmh)


@pytest.mark.parametrize(
    ("tags", "speed_kmh"),
    [
        ({"highway": "primary", "maxspeed": "RU:urban"}, 60.0),
        ({"highway": "primary", "maxspeed": "DE:rural"}, 100.0),
        ({"highway": "primary", "maxspeed": "FR:rural"}, 80.0),
        ({"highway": "primary", "maxspeed": "UA:motorway"}, 130.0),
        ({"highway": "primary", "maxspeed:type": "GB:nsl_single"}, 60 * MPH),
        ({"highway": "residential", "maxspeed": "DE:zone:30"}, 30.0),
    ],
)
def test_implicit_limit_sets_travel_time_in_a_real_file(
    tmp_path: Path, tags: dict[str, str], speed_kmh: float
) -> None:
    drawn = write_ascii_network(tmp_path, "a-b", [("ab", tags)])  # 2 cells = 200 m
    network = load_network(drawn.path, use_cache=False)
    assert network.link_speed_kmh == pytest.approx([speed_kmh, speed_kmh])
    assert network.link_travel_time_s == pytest.approx([200 / (speed_kmh / 3.6)] * 2, rel=1e-3)
