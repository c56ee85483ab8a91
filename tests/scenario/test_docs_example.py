"""The complete example in docs/scenario-format.md is valid, shows every field, and its documented
defaults are the model's defaults (so the documentation cannot drift from the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from safepassage.network import load_network, snap_points
from safepassage.scenario import CapacityModel, Scenario, TravelMode, parse_scenario, resolve_network_path

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


@pytest.fixture(scope="module")
def example() -> Scenario:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Complete example", 1)[1]
    (block,) = re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    return parse_scenario(block, label="scenario-format.md")


def all_models(model: BaseModel) -> list[BaseModel]:
    found = [model]
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                found += all_models(item)
    return found


def test_example_shows_every_field(example: Scenario) -> None:
    shown: dict[type[BaseModel], set[str]] = {}
    for model in all_models(example):
        shown.setdefault(type(model), set()).update(model.model_fields_set)
    missing = {
        cls.__name__: sorted(set(cls.model_fields) - fields)
        for cls, fields in shown.items()
        if set(cls.model_fields) - fields
    }
    assert missing == {}
    assert {cls.__name__ for cls in shown} >= {
        "Scenario",
        "NetworkSpec",
        "Origin",
        "Destination",
        "Corridor",
        "Waypoint",
        "TimeWindow",
        "Curfew",
        "RestrictedArea",
        "Blockage",
        "ExclusionZone",
        "Hazard",
        "HazardSource",
        "Area",
        "CapacityModel",
    }


def test_documented_capacity_defaults_are_the_models(example: Scenario) -> None:
    assert example.capacity == CapacityModel()


def test_example_points_snap_within_500_m(example: Scenario) -> None:
    path = resolve_network_path(example)
    for mode in (TravelMode.DRIVE, TravelMode.WALK):
        network = load_network(path, mode)
        points = [(o.id, o.lat, o.lon) for o in example.origins if o.mode is mode]
        points += [(d.id, d.lat, d.lon) for d in example.destinations]
        assert all(s.distance_m < 500 for s in snap_points(network, points))


# --- the error messages shown in the docs are what the CLI really prints -------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "scenarios"
DOC_PATH_PREFIX = "/data/scenarios"  # the docs show fixture paths shortened to this


def documented_outputs() -> list[tuple[str, str]]:
    """(file name, expected stderr) for every `$ safepassage validate FILE` shown in the docs."""
    text = DOC.read_text(encoding="utf-8").split("## Error messages", 1)[1]
    (block,) = re.findall(r"```text\n(.*?)```", text, flags=re.DOTALL)[:1]
    runs = re.split(r"^\$ safepassage validate (\S+)\n", block, flags=re.MULTILINE)[1:]
    return list(zip(runs[::2], runs[1::2], strict=True))


def test_docs_show_the_bad_input_fixtures() -> None:
    shown = {name for name, _ in documented_outputs()}
    assert shown >= {p.name for p in FIXTURES.glob("*.yaml") if p.name != "minimal.yaml"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [pytest.param(n, e, id=n) for n, e in documented_outputs() if (FIXTURES / n).is_file()],
)
def test_documented_message_is_real(name: str, expected: str) -> None:
    from typer.testing import CliRunner

    from safepassage.cli import app

    result = CliRunner().invoke(app, ["validate", str(FIXTURES / name)])
    assert result.exit_code == 2
    printed = " ".join(result.stderr.split()).replace(str(FIXTURES), DOC_PATH_PREFIX)
    assert printed == " ".join(expected.split())
