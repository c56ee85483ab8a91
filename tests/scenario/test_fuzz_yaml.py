"""Fuzz the scenario reader (issue 8 §1): whatever the file, a ScenarioError (exit 2) or a scenario.

Three bounded hypothesis fuzzers, a few seconds in all:

- the bundled demo with lines changed, deleted, repeated, cut or indented, and hostile values put
  in (huge, tiny, infinite and octal-looking numbers, far instants, anchors, aliases, tags, brackets);
- the demo's data with any one part replaced by any YAML value (nested lists and mappings, text,
  booleans, nulls, numbers of any size), written as YAML 1.2;
- bytes and text that are not YAML at all.

Any exception other than :class:`ScenarioError` fails the test: that would be exit 1 in the CLI.
A last property runs ``validate`` then ``plan`` on a tiny network for scenarios whose numbers lie
anywhere within the documented bounds: what ``validate`` accepts, ``plan`` never crashes on.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from typer.testing import CliRunner

from asciimap import AsciiNetwork, write_ascii_network
from safepassage import bounds
from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.errors import ScenarioError
from safepassage.scenario import Scenario, load_scenario, parse_scenario

DEMO = demo_scenario_path().read_text(encoding="utf-8")
DEMO_LINES = DEMO.splitlines(keepends=True)

HOSTILE = [
    "1e-300",
    "1e308",
    "-1e308",
    ".inf",
    "-.inf",
    ".nan",
    "Infinity",
    "NaN",
    "-5",
    "0",
    "-0",
    "0750",
    "0800",
    "0o17",
    "0x7FFFFFFFFFFFFFFF",
    "99999999999999999999",
    "9" * 400,
    "1_000_000_000",
    "true",
    "false",
    "yes",
    "off",
    "null",
    "~",
    "''",
    '""',
    "'750'",
    "9999-12-31T20:00:00+00:00",
    "0001-01-01T00:00:00+05:00",
    "2022-03-05",
    "20:00",
    "P1000000D",
    "P99999999999D",
    "PT0S",
    "-PT1H",
    "[",
    "]",
    "{",
    "}",
    "[[[[[[[[[[]]]]]]]]]]",
    "{a: 1, a: 2}",
    "&a [1, 2]",
    "*a",
    "*nowhere",
    "!!python/object/apply:os.system [id]",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!float 1",
    "!!int '12'",
    "!!timestamp 2022-03-05",
    "? [x]\n: 1",
    "|\n  text",
    ">-",
    "- x",
    "pkg:this.x/y.osm",
    "pkg:nosuchpkg.sub/x.osm",
    "pkg:os/x",
    "pkg:pyrosm/../../etc/passwd",
    "\t",
    "'unterminated",
    "x" * 300,
    "%YAML 1.1",
    "---",
    "...",
    "<<: *a",
    "\x00",
    "\ufeff",
    "é",
    "\U0001f600",
]
NOT_CRASHING = (ScenarioError,)


def try_parse(text: str) -> Scenario | None:
    """The scenario, or None for a clear ScenarioError; any other exception propagates (a bug)."""
    try:
        return parse_scenario(text, label="fuzz.yaml")
    except NOT_CRASHING:
        return None


@st.composite
def mutated_demo(draw: st.DrawFn) -> str:
    lines = list(DEMO_LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["value", "value", "delete", "repeat", "cut", "indent", "insert"]))
        if action == "value" and ":" in line:
            key, _, _ = line.partition(":")
            value = draw(st.sampled_from(HOSTILE) | st.text(max_size=12))
            lines[index] = f"{key}: {value}\n"
        elif action == "delete":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, line)
        elif action == "cut":
            lines[index] = line[: draw(st.integers(0, len(line)))]
        elif action == "indent":
            lines[index] = draw(st.sampled_from([" ", "  ", "\t", "      "])) + line
        else:
            lines.insert(index, draw(st.sampled_from(HOSTILE)) + "\n")
        if not lines:
            break
    return "".join(lines)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_demo())
def test_mutated_demo_gives_a_scenario_or_a_scenario_error(text: str) -> None:
    scenario = try_parse(text)
    if scenario is not None:  # what is accepted is within the documented bounds
        assert bounds.EARLIEST_INSTANT <= scenario.start <= bounds.LATEST_INSTANT
        assert 0 < scenario.horizon_s <= bounds.HORIZON_S.high
        assert all(0 <= o.people <= bounds.PEOPLE.high for o in scenario.origins)


# --- structure-aware: the demo's data with one part replaced by any value -----------------------

_YAML_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["2022-03-05T10:00:00+02:00", "PT1H", "20:00", "drive", "verified", "primary"])
)
ANY_VALUE = st.recursive(
    _YAML_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _load(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


DEMO_DATA = _load(DEMO)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


DEMO_PATHS = _paths(DEMO_DATA)[1:]


@settings(max_examples=30, deadline=None)
@given(path=st.sampled_from(DEMO_PATHS), value=ANY_VALUE)
def test_any_part_replaced_by_any_value(path: tuple[Any, ...], value: Any) -> None:
    data = _load(DEMO)
    holder = data
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    try_parse(out.getvalue())


# --- not YAML at all ------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text(text: str) -> None:
    try_parse(text)


@settings(max_examples=30, deadline=None)
@given(raw=st.binary(max_size=200) | st.sampled_from([b"\xff\xfe\x00a", b"name: caf\xe9", b"\xef\xbb\xbf"]))
def test_any_bytes_in_a_file(raw: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "garbage.yaml"
    path.write_bytes(raw)
    with contextlib.suppress(NOT_CRASHING):
        load_scenario(path)


# --- validate, then plan: what validate accepts, plan does not crash on ---------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> AsciiNetwork:
    """o-d along a residential street, and a footway round p-q (drive and walk both possible)."""
    return write_ascii_network(
        tmp_path_factory.mktemp("tiny"),
        "o---d\n|   |\np---q\n",
        [("od", {"highway": "residential"}), ("opqd", {"highway": "footway"})],
    )


def _in(quantity: bounds.Quantity) -> st.SearchStrategy[float]:
    return st.floats(quantity.low, quantity.high, exclude_min=quantity.low_open)


@st.composite
def bounded_scenario(draw: st.DrawFn, drawn: AsciiNetwork) -> dict[str, Any]:
    """A scenario on ``drawn`` whose every number lies anywhere within safepassage.bounds."""
    people = draw(st.integers(0, int(bounds.PEOPLE.high)))
    return {
        "name": "bounded",
        "network": {"path": drawn.path.name, "modes": ["drive", "walk"]},
        "start": "2022-03-05T08:00:00+02:00",
        "horizon": draw(st.sampled_from(["PT1M", "PT1H", "P1D", "P14D"])),
        "time_step_s": draw(st.sampled_from([1, 60, 3600])),
        "origins": [
            {
                "id": "o",
                "name": "O",
                "lat": drawn.lat("o"),
                "lon": drawn.lon("o"),
                "people": people,
                "mode": draw(st.sampled_from(["drive", "walk"])),
            }
        ],
        "destinations": [
            {
                "id": "d",
                "name": "D",
                "lat": drawn.lat("d"),
                "lon": drawn.lon("d"),
                "capacity": draw(st.integers(0, int(bounds.DESTINATION_CAPACITY.high))),
            }
        ],
        "capacity": {
            "vehicles_per_hour_per_lane": {"residential": draw(_in(bounds.LANE_CAPACITY_VPH))},
            "people_per_vehicle": draw(_in(bounds.PEOPLE_PER_VEHICLE)),
            "walking_speed_mps": draw(_in(bounds.WALKING_SPEED_MPS)),
            "pedestrian_flow_per_m_per_s": draw(_in(bounds.PEDESTRIAN_FLOW)),
            "walkway_width_m": draw(_in(bounds.WALKWAY_WIDTH_M)),
        },
    }


def _write(scenario: dict[str, Any], path: Path) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        YAML(typ="safe", pure=True).dump(scenario, stream)
    return path


def test_a_walk_at_1_5_mps_plans_and_checks(tiny: AsciiNetwork) -> None:
    """Found by the property below: a float offset of -1e-13 s made ``plan`` crash (exit 1)."""
    scenario = {
        "name": "walk",
        "network": {"path": tiny.path.name, "modes": ["walk"]},
        "start": "2022-03-05T08:00:00+02:00",
        "horizon": "PT10M",
        "origins": [
            {"id": "o", "name": "O", "lat": tiny.lat("o"), "lon": tiny.lon("o"), "people": 1, "mode": "walk"}
        ],
        "destinations": [{"id": "d", "name": "D", "lat": tiny.lat("d"), "lon": tiny.lon("d"), "capacity": 1}],
        "capacity": {"walking_speed_mps": 1.5},
    }
    path = _write(scenario, tiny.path.parent / "walk.yaml")
    plan = path.with_suffix(".json")
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    planned = runner.invoke(app, ["plan", str(path), "-o", str(plan)])
    assert planned.exit_code == 0, planned.output
    checked = runner.invoke(app, ["check-plan", str(path), str(plan)])
    assert checked.exit_code == 0, checked.output


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_validate_accepts_plan_does_not_crash_on(tiny: AsciiNetwork, data: st.DataObject) -> None:
    scenario = data.draw(bounded_scenario(tiny))
    path = _write(scenario, tiny.path.parent / "bounded.yaml")
    runner = CliRunner()
    validated = runner.invoke(app, ["validate", str(path)])
    assert validated.exit_code in (0, 2), validated.output
    event(f"validate exit {validated.exit_code}")
    if validated.exit_code == 0:
        planned = runner.invoke(app, ["plan", str(path), "-o", str(path.with_suffix(".json"))])
        assert planned.exit_code != 1, planned.output
        assert planned.exception is None or isinstance(planned.exception, SystemExit), planned.exception
