"""The exception tree: fixed codes, exit codes and HTTP statuses, drawn in the module docstring."""

from __future__ import annotations

import re

import safepassage.errors as errors
from safepassage.errors import Problem, SafePassageError, ScenarioError


def _classes() -> list[type[SafePassageError]]:
    return [
        getattr(errors, n)
        for n in errors.__all__
        if isinstance(getattr(errors, n), type) and issubclass(getattr(errors, n), SafePassageError)
    ]


def test_every_error_has_a_unique_code_and_is_drawn_in_the_docstring() -> None:
    doc = errors.__doc__ or ""
    codes = [c.code for c in _classes()]
    assert len(codes) == len(set(codes))
    for cls in _classes():
        row = re.search(rf"{cls.__name__}\s+{cls.code}\s+(\d+)\s+(\d+)", doc)
        assert row, f"{cls.__name__} is missing from the tree in the docstring"
        assert int(row.group(1)) == cls.exit_code
        assert int(row.group(2)) == cls.http_status


def test_exit_code_one_is_left_for_bugs() -> None:
    assert all(c.exit_code != 1 for c in _classes() if c is not SafePassageError)


def test_scenario_error_lists_every_problem() -> None:
    err = ScenarioError(
        [Problem("s.yaml", "origins[0].people", "-5 is negative"), Problem("s.yaml", "", "x")]
    )
    assert str(err) == "s.yaml: origins[0].people: -5 is negative\ns.yaml: x"
    assert err.exit_code == 2
