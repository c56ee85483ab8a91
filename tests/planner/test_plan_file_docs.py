"""The example in docs/plan-format.md is a valid plan that passes the checker on its real network."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from asciimap import AsciiNetwork
from safepassage.planner.check import check_plan
from safepassage.planner.plan_file import PLAN_FORMAT, parse_plan

from .test_check import MAP, WAYS, make_scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"


def example_text() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Example", 1)[1]
    found = re.search(r"```json\n(.*?)```", section, flags=re.DOTALL)
    assert found, "docs/plan-format.md: no ```json block under '## Example'"
    return found.group(1)


def test_the_documented_example_is_valid_and_passes_the_checker(
    ascii_network: Callable[..., AsciiNetwork],
) -> None:
    plan = parse_plan(example_text(), label="plan-format.md")
    assert plan.format == PLAN_FORMAT
    drawn = ascii_network(MAP, WAYS, grid_m=125.0)
    scenario = make_scenario(drawn, curfews=[{"id": "night", "from": "20:00", "to": "06:00"}])
    assert check_plan(scenario, plan) == []
    # and the checker does read the summaries of the example
    wrong = plan.origins[0].model_copy(update={"evacuated": 40})
    assert check_plan(scenario, plan.model_copy(update={"origins": [wrong]})) == [
        "origins[0] ('a').evacuated is 40 but the plan's movements give 50"
    ]


def test_every_documented_field_exists_in_the_model() -> None:
    from safepassage.planner.plan_file import Movement, Plan

    text = DOC.read_text(encoding="utf-8")
    for name in Plan.model_fields:
        assert f"`{name}" in text, f"docs/plan-format.md does not document plan field {name!r}"
    for name in Movement.model_fields:
        assert f"| `{name}` |" in text, f"docs/plan-format.md does not document movement field {name!r}"
