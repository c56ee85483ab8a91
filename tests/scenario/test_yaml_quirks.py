"""YAML 1.1 surprises a coordinator should not have to know about.

In YAML 1.1 (PyYAML) an unquoted ``20:00`` is the base-60 integer 1200 and an unquoted timestamp is a
datetime. Scenarios are read as YAML 1.2 (``safepassage.scenario.strict_yaml``), where clock times
stay text and timestamps are kept as text for pydantic, so quoted and unquoted forms read the same.
More YAML-meaning cases (octal, booleans, duplicate keys) are in ``test_hostile_input.py``.
"""

from __future__ import annotations

from pathlib import Path

from safepassage.scenario import parse_scenario

MINIMAL = (Path(__file__).resolve().parent.parent / "data" / "scenarios" / "minimal.yaml").read_text(
    encoding="utf-8"
)


def test_unquoted_timestamps_are_read_as_instants() -> None:
    text = MINIMAL.replace('start: "2022-03-05T08:00:00+02:00"', "start: 2022-03-05T08:00:00+02:00")
    assert "start: 2022-03-05T08:00:00+02:00" in text
    assert parse_scenario(text).start.isoformat() == "2022-03-05T08:00:00+02:00"


def test_quoted_curfew_clock() -> None:
    scenario = parse_scenario(MINIMAL + 'curfews:\n  - {id: night, from: "20:00", to: "06:00"}\n')
    assert (scenario.curfews[0].start_local, scenario.curfews[0].end_local) == ("20:00", "06:00")


def test_unquoted_curfew_clock() -> None:
    scenario = parse_scenario(MINIMAL + "curfews:\n  - {id: night, from: 20:00, to: 06:00}\n")
    assert scenario.curfews[0].start_local == "20:00"
