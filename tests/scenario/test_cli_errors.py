"""``safepassage validate`` end to end on bad input: exit code 2 and the exact message on stderr.

Through ``typer.testing.CliRunner`` on the real app (stderr captured apart from stdout), and once
through a real subprocess. Rich wraps long lines at the terminal width, so whitespace is
normalised before comparing messages.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safepassage.cli import app

DATA = Path(__file__).resolve().parent.parent / "data" / "scenarios"
runner = CliRunner()


def flat(text: str) -> str:
    """Collapse every run of whitespace (including rich's line wrapping) into one space."""
    return " ".join(text.split())


def validate(path: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, flat(result.stdout), flat(result.stderr)


def test_validate_is_a_command() -> None:
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "safepassage validate" in result.stdout
    assert "scenario_file" in result.stdout.lower()


@pytest.mark.parametrize(
    ("fixture", "code", "message"),
    [
        (
            "negative_people.yaml",
            "SCENARIO_INVALID",
            "negative_people.yaml: origins[3].people: -5 is negative; expected a whole number ≥ 0",
        ),
        (
            "unknown_field.yaml",
            "SCENARIO_INVALID",
            "unknown_field.yaml: origins[0].peopel: unknown field; expected one of: id, name, lat, lon, "
            "people, needs, mode",
        ),
        (
            "wrong_type.yaml",
            "SCENARIO_INVALID",
            "wrong_type.yaml: destinations[0].capacity: 'a few hundred' is not a whole number; "
            "expected a whole number",
        ),
        (
            "window_outside_horizon.yaml",
            "SCENARIO_INVALID",
            "window_outside_horizon.yaml: corridors[0].ceasefire_windows[0]: 2022-03-06T09:00:00+02:00 to "
            "2022-03-06T16:00:00+02:00 lies outside the horizon; expected a window overlapping "
            "2022-03-05T08:00:00+02:00 to 2022-03-05T10:00:00+02:00",
        ),
        (
            "yaml_syntax.yaml",
            "SCENARIO_INVALID",
            "yaml_syntax.yaml: line 8, column 4: not valid YAML: expected <block end>, but found "
            "'<block mapping start>'",
        ),
        (
            "duplicate_ids.yaml",
            "SCENARIO_INVALID",
            "duplicate_ids.yaml: destinations[2].id: 'hakaniemi' is already used by destinations[0]; "
            "expected a unique id",
        ),
        (
            "missing_network.yaml",
            "OSM_FILE",
            f"missing_network.yaml: network.path: 'no-such-city.osm.pbf': OSM extract not found at "
            f"{DATA / 'no-such-city.osm.pbf'}; expected an existing .osm.pbf, .osm or .osm.bz2 file "
            "(relative to the scenario file)",
        ),
        (
            "outside_extract.yaml",
            "OUTSIDE_EXTRACT",
            "origins[1] at (47.09570, 37.54920): outside the road network's extract; expected points "
            "within lat 60.1642..60.1790, lon 24.9352..24.9534",
        ),
    ],
)
def test_bad_scenario_exits_2_with_the_message(fixture: str, code: str, message: str) -> None:
    exit_code, _, stderr = validate(DATA / fixture)
    assert exit_code == 2
    assert stderr.startswith(f"error ({code}): ")
    assert message in stderr


def test_missing_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "mariupol.yaml"
    exit_code, _, stderr = validate(path)
    assert exit_code == 2
    assert stderr == flat(f"error (SCENARIO_INVALID): {path}: file not found")


def test_extract_without_drivable_roads(ascii_network, tmp_path: Path) -> None:
    drawn = ascii_network(
        """
        a-b-c
        |
        d
        """,
        [("abc", {"highway": "footway"}), ("ad", {"highway": "steps"})],
    )
    scenario = tmp_path / "footpaths.yaml"
    scenario.write_text(
        f"""
name: Footpaths only
network: {{path: {drawn.path.name}}}
start: "2022-03-05T08:00:00+02:00"
horizon: PT1H
origins: [{{id: a, name: A, lat: {drawn.lat("a")}, lon: {drawn.lon("a")}, people: 10}}]
destinations: [{{id: c, name: C, lat: {drawn.lat("c")}, lon: {drawn.lon("c")}, capacity: 10}}]
""",
        encoding="utf-8",
    )
    exit_code, _, stderr = validate(scenario)
    assert exit_code == 2
    assert stderr == flat(
        f"error (NO_ROADS): {drawn.path.name}: the extract has no roads usable for drive; "
        "expected highway ways (e.g. highway=residential) inside the extract"
    )


def test_valid_scenario_exits_0() -> None:
    exit_code, stdout, stderr = validate(DATA / "minimal.yaml")
    assert exit_code == 0, stderr
    assert "ready to plan" in stdout


def test_outside_extract_names_the_file() -> None:
    _, _, stderr = validate(DATA / "outside_extract.yaml")
    assert "outside_extract.yaml: origins[1]" in stderr


def test_subprocess_console_script(tmp_path: Path) -> None:
    """The real entry point in a fresh interpreter: exit code 2, message on stderr, stdout clean."""
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from safepassage.cli import main; main()",
            "validate",
            str(DATA / "negative_people.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert "origins[3].people: -5 is out of range; expected a whole number from 0 to 10,000,000" in flat(
        completed.stderr
    )
    assert completed.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_infinite_radius_exits_2(tmp_path: Path) -> None:
    scenario = tmp_path / "infinite.yaml"
    scenario.write_text(
        (DATA / "minimal.yaml").read_text(encoding="utf-8")
        + "exclusion_zones:\n  - {id: z, name: Z, area: {lat: 60.17, lon: 24.94, radius_m: .inf}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "infinite.yaml: exclusion_zones[0].area.radius_m" in flat(result.stderr)
