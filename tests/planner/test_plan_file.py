"""The plan file: round trip, atomic writing, and errors naming file, field, value and expectation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from safepassage.errors import PlanFileError
from safepassage.planner.plan_file import (
    PLAN_FORMAT,
    Closure,
    EdgeUse,
    Movement,
    Plan,
    ScenarioRef,
    SolverInfo,
    Unserved,
    plan_gap,
    read_plan,
    write_plan,
)
from safepassage.scenario.vocabulary import TravelMode

START = dt.datetime(2022, 3, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def small_plan() -> Plan:
    return Plan(
        scenario=ScenarioRef(name="line", sha256="ab" * 32),
        start=START,
        time_step_s=60,
        clearance_time_s=180,
        lower_bound_s=120,
        gap=0.5,
        people_total=12,
        evacuated=10,
        unserved=[Unserved(origin="o1", people=2, reason="cut off by closures")],
        movements=[
            Movement(
                origin="o1",
                destination="d1",
                people=10,
                mode=TravelMode.DRIVE,
                departure=START + dt.timedelta(seconds=60),
                path=[101, 102, 103],
                entry_times_s=[60, 120, 180],
                exposure=2.5,
            )
        ],
        edges=[EdgeUse(u=101, v=102, capacity_per_step=41.6, travel_time_s=40.0)],
        closures=[Closure(u=102, v=104, from_s=0, to_s=None, reason="exclusion zone z1")],
        solver=SolverInfo(mode="hand", details={"note": "built in a test"}),
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    plan = small_plan()
    target = tmp_path / "plan.json"
    write_plan(plan, target)
    again = read_plan(target)
    assert again == plan
    assert again.closures[0].to_s is None
    assert again.movements[0].departure.utcoffset() == dt.timedelta(hours=2)
    data = json.loads(target.read_text())
    assert data["format"] == PLAN_FORMAT
    assert data["movements"][0]["path"] == [101, 102, 103]


def test_write_leaves_no_temporary_file_and_replaces_old(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")
    write_plan(small_plan(), target)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
    assert read_plan(target).evacuated == 10


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "plan.json"
    with pytest.raises(FileNotFoundError):
        write_plan(small_plan(), target)
    assert not target.parent.exists()


def _broken(
    tmp_path: Path, edit: dict[str, object] | None = None, movement_edit: dict[str, object] | None = None
) -> Path:
    data = json.loads(small_plan().model_dump_json())
    data.update(edit or {})
    data["movements"][0].update(movement_edit or {})
    target = tmp_path / "broken.json"
    target.write_text(json.dumps(data))
    return target


def test_negative_people_names_field_and_value(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as info:
        read_plan(_broken(tmp_path, movement_edit={"people": -5}))
    assert "broken.json: movements[0].people: -5 is invalid" in str(info.value)
    assert info.value.exit_code == 2


def test_entry_times_must_match_path_length(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as info:
        read_plan(_broken(tmp_path, movement_edit={"entry_times_s": [60, 120]}))
    assert "movements[0]: entry_times_s has 2 values but path has 3 nodes" in str(info.value)


def test_bad_format_version_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as info:
        read_plan(_broken(tmp_path, edit={"format": "safepassage-plan/2"}))
    assert "format: 'safepassage-plan/2' is not a supported plan format" in str(info.value)
    assert "expected 'safepassage-plan/1'" in str(info.value)


def test_naive_start_and_unknown_field_are_named(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as info:
        read_plan(_broken(tmp_path, edit={"start": "2022-03-05T09:00:00", "colour": "red"}))
    text = str(info.value)
    assert "broken.json: start: '2022-03-05T09:00:00' is invalid" in text
    assert "broken.json: colour: unknown field" in text


def test_missing_field_is_named(tmp_path: Path) -> None:
    data = json.loads(small_plan().model_dump_json())
    del data["lower_bound_s"]
    target = tmp_path / "p.json"
    target.write_text(json.dumps(data))
    with pytest.raises(PlanFileError, match=r"p\.json: lower_bound_s: is missing"):
        read_plan(target)


def test_not_json_and_missing_file(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    target.write_text('{"format": ')
    with pytest.raises(PlanFileError, match=r"p\.json:1: not valid JSON \(Expecting value\)"):
        read_plan(target)
    with pytest.raises(PlanFileError, match="plan file not found"):
        read_plan(tmp_path / "nope.json")


def test_plan_gap() -> None:
    assert plan_gap(0, 0) == 0.0
    assert plan_gap(150, 100) == pytest.approx(0.5)
    assert plan_gap(100, 0) is None


def test_large_plans_are_written_compact_and_read_back(tmp_path: Path) -> None:
    plan = small_plan()
    long_path = list(range(1, 100_002))
    long = plan.movements[0].model_copy(
        update={"path": long_path, "entry_times_s": [1.0 * i for i in range(1, 100_002)]}
    )
    plan = plan.model_copy(update={"movements": [long]})
    target = tmp_path / "big.json"
    write_plan(plan, target)
    text = target.read_text()
    assert text.count("\n") == 1  # one line: no indentation for 100,001 path nodes
    assert read_plan(target).movements[0].path == long_path


def test_bytes_that_are_not_utf8_are_a_plan_file_error(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    target.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(PlanFileError, match=r"p\.json:1: not UTF-8 \(byte 12\)"):
        read_plan(target)


def test_plan_gap_treats_times_below_a_millisecond_as_zero() -> None:
    # Hypothesis found a subnormal bound (4.9e-315 s) making the ratio infinite, which the Plan
    # model rejects; such a bound counts as 0.
    assert plan_gap(100, 4.9e-315) is None
    assert plan_gap(0.0004, 4.9e-315) == 0.0
    assert plan_gap(0.001, 0.001) == 0.0
    assert plan_gap(1e308, 0.5) is None
