"""Edited and hostile plan files: every one is a PlanFileError naming the file (exit 2), never a crash.

Issue 8 §1: numbers finite and within bounds, nesting limited before parsing, no huge value shown.
The fuzz test mutates a real plan file (values replaced anywhere, bytes flipped, text cut) and asserts
that reading it either gives a Plan or a PlanFileError; ``check-plan`` then exits 0, 5 or 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.planner.test_plan_file import small_plan

from safepassage.errors import PlanFileError
from safepassage.planner import plan_file
from safepassage.planner.plan_file import Plan, parse_plan, read_plan


def _plan_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(small_plan().model_dump_json())
    return data


def _with(path: tuple[Any, ...], value: Any) -> str:
    data = _plan_data()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("movements", 0, "people"), 10**30, r"plan\.json: movements\[0\]\.people: .*less than or equal to"),
        (("movements", 0, "people"), True, r"plan\.json: movements\[0\]\.people"),
        (("unserved", 0, "people"), 10**30, r"plan\.json: unserved\[0\]\.people"),
        (("movements", 0, "path", 1), 2**64, r"plan\.json: movements\[0\]\.path\[1\]"),
        (("movements", 0, "entry_times_s", 2), 1e308, r"plan\.json: movements\[0\]\.entry_times_s\[2\]"),
        (("closures", 0, "from_s"), -1e308, r"plan\.json: closures\[0\]\.from_s"),
        (
            ("origins",),
            [{"origin": "o1", "people": 12, "evacuated": 10, "unserved": 2, "first_departure_s": 1e300}],
            r"plan\.json: origins\[0\]\.first_departure_s",
        ),
    ],
)
def test_numbers_out_of_range_name_field_and_expectation(
    path: tuple[Any, ...], value: Any, expected: str
) -> None:
    with pytest.raises(PlanFileError, match=expected):
        parse_plan(_with(path, value))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinite_times_are_refused(literal: str) -> None:
    text = _with(("movements", 0, "entry_times_s", 1), 7.0).replace("7.0", literal, 1)
    with pytest.raises(PlanFileError, match=r"plan\.json: movements\[0\]\.entry_times_s\[1\]: .*finite"):
        parse_plan(text)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_refused_before_parsing(opener: str) -> None:
    with pytest.raises(PlanFileError, match=r"plan\.json:1: JSON nested more than 64 levels deep"):
        parse_plan(opener * 2000)
    nested_details = _with(("solver", "details"), {"x": 0}).replace(
        '{"x": 0}', '{"x": ' + "[" * 2000 + "]" * 2000 + "}"
    )
    with pytest.raises(PlanFileError, match="nested more than 64 levels"):
        parse_plan(nested_details)


def test_duplicated_key_in_a_broken_plan_is_named() -> None:
    text = _with(("movements", 0, "people"), "ten").replace('"format":', '"format": "x", "format":', 1)
    with pytest.raises(PlanFileError, match=r"plan\.json:1: key 'format' appears twice in one object"):
        parse_plan(text)


def test_many_problems_are_listed_up_to_a_limit() -> None:
    data = _plan_data()
    data["movements"][0]["path"] = [-1] * 5_000
    data["movements"][0]["entry_times_s"] = [-1.0] * 5_000
    with pytest.raises(PlanFileError) as info:
        parse_plan(json.dumps(data))
    lines = str(info.value).splitlines()
    assert len(lines) == plan_file.MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == "plan.json: ... and 4,980 more problem(s)"


def test_a_file_larger_than_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "p.json"
    target.write_text(small_plan().model_dump_json())
    monkeypatch.setattr(plan_file, "MAX_PLAN_BYTES", 100)
    with pytest.raises(
        PlanFileError, match=r"p\.json: [\d,]+ bytes is too large for a plan file; expected at most 100"
    ):
        read_plan(target)


def test_huge_value_is_never_shown_whole() -> None:
    with pytest.raises(PlanFileError) as info:
        parse_plan(_with(("movements", 0, "origin"), 7).replace("7", "9" * 100_000, 1))
    assert len(str(info.value)) < 1_000


_GOOD = small_plan().model_dump_json()
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


_ALL_PATHS = _paths(json.loads(_GOOD))


def _read(text: str | bytes) -> Plan | None:
    try:
        return parse_plan(text)
    except PlanFileError as exc:
        message = str(exc)
    assert message.startswith("plan.json")
    return None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_ALL_PATHS), value=_VALUES)
def test_fuzz_any_value_anywhere_is_a_plan_or_a_plan_file_error(path: tuple[Any, ...], value: Any) -> None:
    try:
        text = _with(path, value)
    except (TypeError, IndexError, KeyError):
        return
    plan = _read(text)
    if plan is not None:  # what is accepted is within bounds
        for movement in plan.movements:
            assert all(0 <= t <= plan_file.MAX_PLAN_TIME_S for t in movement.entry_times_s)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_fuzz_flipped_bytes_and_cut_text_never_crash(data: st.DataObject) -> None:
    raw = bytearray(_GOOD.encode())
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    _read(bytes(raw[:cut]))
