"""The OSM access hierarchy per travel mode: one table row per tag combination, then real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asciimap import write_ascii_network
from safepassage.network import load_network
from safepassage.network.access import ACCESS_KEYS, ACCESS_VALUES, MODE_CLASSES, may_use
from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.scenario import TravelMode

D, W = TravelMode.DRIVE, TravelMode.WALK

# (road class, tags, usable by car, usable on foot)
CASES: list[tuple[str, dict[str, str], bool, bool]] = [
    ("residential", {}, True, True),
    # The issue's cases: vehicle=no closes the street to cars only; a more specific yes reopens it.
    ("residential", {"vehicle": "no"}, False, True),
    ("residential", {"access": "no", "motor_vehicle": "yes"}, True, False),
    ("residential", {"access": "no", "motorcar": "yes"}, True, False),
    ("residential", {"access": "no", "vehicle": "yes"}, True, False),
    ("residential", {"vehicle": "no", "motor_vehicle": "yes"}, True, True),
    ("residential", {"motor_vehicle": "no", "motorcar": "yes"}, True, True),
    ("residential", {"motor_vehicle": "yes", "motorcar": "no"}, False, True),
    ("residential", {"access": "yes", "vehicle": "no"}, False, True),
    ("residential", {"access": "no"}, False, False),
    ("residential", {"access": "no", "foot": "yes"}, False, True),
    ("residential", {"access": "no", "foot": "designated"}, False, True),
    ("residential", {"foot": "no"}, True, False),
    ("residential", {"motor_vehicle": "no"}, False, True),
    # Each value, on the most general key.
    ("residential", {"access": "destination"}, True, True),
    ("residential", {"access": "permissive"}, True, True),
    ("residential", {"access": "designated"}, True, True),
    ("residential", {"access": "discouraged"}, True, True),
    ("residential", {"access": "private"}, False, False),
    ("residential", {"access": "delivery"}, False, False),
    ("residential", {"access": "customers"}, False, False),
    ("residential", {"access": "agricultural"}, False, False),
    ("residential", {"access": "forestry"}, False, False),
    ("residential", {"access": "permit"}, False, False),
    ("residential", {"access": "military"}, False, False),
    ("residential", {"motor_vehicle": "destination"}, True, True),
    ("residential", {"motor_vehicle": "delivery"}, False, True),
    ("residential", {"motor_vehicle": "agricultural;forestry"}, False, True),
    ("residential", {"motor_vehicle": "destination;delivery"}, True, True),  # any open value opens
    ("residential", {"motor_vehicle": "private", "motorcar": "destination"}, True, True),
    # Unknown values are skipped: the next more general key decides.
    ("residential", {"access": "no", "motor_vehicle": "unknown"}, False, False),
    ("residential", {"motor_vehicle": "sometimes"}, True, True),
    ("residential", {"access": "NO"}, False, False),  # case does not matter
    # Road classes: cars only on public roads for cars, whatever the tags; walkers off motorways
    # and cycleways unless foot=yes.
    ("service", {}, False, True),
    ("service", {"motor_vehicle": "yes"}, False, True),
    ("track", {"motor_vehicle": "yes"}, False, True),
    ("footway", {"access": "yes"}, False, True),
    ("pedestrian", {"motor_vehicle": "delivery"}, False, True),
    ("motorway", {}, True, False),
    ("motorway", {"foot": "yes"}, True, True),
    ("cycleway", {}, False, False),
    ("cycleway", {"foot": "designated"}, False, True),
    ("cycleway", {"access": "yes"}, False, False),  # implied foot=no is more specific than access
    ("primary", {"area": "yes"}, False, False),
]


@pytest.mark.parametrize(("road_class", "tags", "drive", "walk"), CASES)
def test_access_per_tag_combination(road_class: str, tags: dict[str, str], drive: bool, walk: bool) -> None:
    assert may_use(road_class, tags, D) is drive
    assert may_use(road_class, tags, W) is walk


def test_every_value_and_class_is_covered() -> None:
    """Each documented value and each mode's classes appear in the table above."""
    values_seen = {v for _, tags, _, _ in CASES for value in tags.values() for v in value.lower().split(";")}
    assert set(ACCESS_VALUES) - values_seen <= {"yes", "official", "psv", "bus", "use_sidepath", "no"}
    assert set(MODE_CLASSES[D]) | set(MODE_CLASSES[W]) <= set(ROAD_CLASSES)
    assert ACCESS_KEYS[D] == ("access", "vehicle", "motor_vehicle", "motorcar")
    assert ACCESS_KEYS[W] == ("access", "foot")
    for reason_open in ACCESS_VALUES.values():
        assert reason_open[1]  # every value says why


@pytest.mark.parametrize(
    ("value", "drive"), [("yes", True), ("official", True), ("psv", False), ("bus", False)]
)
def test_remaining_values(value: str, drive: bool) -> None:
    assert may_use("residential", {"motor_vehicle": value}, D) is drive
    assert may_use("residential", {"foot": "use_sidepath"}, W) is False


def test_access_tags_in_a_real_file(tmp_path: Path) -> None:
    """vehicle=no is not driven; access=no + motor_vehicle=yes is; walkers see the opposite."""
    drawn = write_ascii_network(
        tmp_path,
        """
        a---b
        |   |
        c---d
        |   |
        e---f
        """,
        [
            ("ab", {"highway": "residential", "vehicle": "no"}),
            ("cd", {"highway": "residential", "access": "no", "motor_vehicle": "yes"}),
            ("ef", {"highway": "residential", "access": "private"}),
            ("ace", {"highway": "residential"}),
            ("bdf", {"highway": "residential", "motor_vehicle": "destination"}),
        ],
    )
    drive = load_network(drawn.path, TravelMode.DRIVE, use_cache=False)
    assert set(drive.link_way_id.tolist()) == {2, 4, 5}
    walk = load_network(drawn.path, TravelMode.WALK, use_cache=False)
    assert set(walk.link_way_id.tolist()) == {1, 4, 5}
    assert (drive.report.ways_read, walk.report.ways_read) == (3, 3)


def test_docs_list_every_value_with_its_verdict() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "network-tags.md").read_text(encoding="utf-8")
    for value, (opened, why) in ACCESS_VALUES.items():
        assert f"| `{value}` | {'open' if opened else 'closed'} | {why} |" in docs, value


_KEY_VALUES = st.sampled_from([*ACCESS_VALUES, "unknown", "sometimes"])


@settings(max_examples=50, deadline=None)
@given(
    general=st.dictionaries(st.sampled_from(["access", "vehicle", "motor_vehicle"]), _KEY_VALUES, max_size=3),
    car=st.sampled_from(sorted(ACCESS_VALUES)),
    foot=st.sampled_from(sorted(ACCESS_VALUES)),
)
def test_the_most_specific_known_key_decides(general: dict[str, str], car: str, foot: str) -> None:
    """Whatever the general keys say, motorcar decides for cars and foot for walkers."""
    tags = {**general, "motorcar": car, "foot": foot}
    assert may_use("residential", tags, D) is ACCESS_VALUES[car][0]
    assert may_use("residential", tags, W) is ACCESS_VALUES[foot][0]
    # Vehicle keys never change walking; foot never changes driving.
    without_vehicle_keys = {
        k: v for k, v in tags.items() if k not in {"vehicle", "motor_vehicle", "motorcar"}
    }
    assert may_use("residential", without_vehicle_keys, W) is may_use("residential", tags, W)
    assert may_use("residential", {k: v for k, v in tags.items() if k != "foot"}, D) is may_use(
        "residential", tags, D
    )
