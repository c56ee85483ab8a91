"""Fast mode states only what it proves (issue 7, item 20).

Reported: ``--mode fast`` promised "within 3 %", but on the Helsinki demo it clears 3.6 % later than
exact mode and 9.6 % above the proven bound. The 3 % is a stopping rule for fast mode's own, coarser
model, not a promise about exact mode or the bound. Help, docs and each plan's
``solver.details.guarantee`` now state the clearance, the proven bound and the gap, and nothing more.
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.planner import Plan, plan_evacuation
from safepassage.scenario import load_scenario

from .solver_scenarios import scenario_on

ROOT = Path(__file__).resolve().parents[2]
RES = {"highway": "residential"}
PROMISE = re.compile(r"within\s+3\s*%", re.IGNORECASE)


def _words(text: str) -> str:
    """Help text without rich's box drawing and line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_plan_help_promises_no_3_percent():
    result = CliRunner().invoke(app, ["plan", "--help"])
    assert result.exit_code == 0
    help_text = _words(result.output)
    assert not PROMISE.search(help_text)
    assert "exact: the quickest plan of the planner's time-step model" in help_text
    assert "may clear later (no promise how much)" in help_text
    assert "a proven lower bound and the gap between them" in help_text


@pytest.mark.parametrize("doc", ["README.md", "docs/plan-format.md", "docs/design.md"])
def test_docs_promise_no_3_percent(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert not PROMISE.search(text), doc


def _sentence(plan: Plan) -> str:
    guarantee = plan.solver.details["guarantee"]
    assert isinstance(guarantee, str)
    return guarantee


def test_guarantee_states_bound_clearance_and_gap_by_hand(ascii_network):
    """a-b 300 m (36 s), one link of 10 people per minute, 200 people: exact mode clears at 1,230 s,
    fast mode too; the relaxation proves 1,140 s, exact mode's window cut 1,170 s (see
    test_planner_time_grid)."""
    drawn = ascii_network("a b", [("ab", RES)], grid_m=150.0)
    scenario = scenario_on(drawn, [("a", "a", 200)], [("b", "b", 200)], horizon="PT4H")
    exact = plan_evacuation(scenario, mode="exact")
    assert _sentence(exact) == (
        "no valid plan moving these people clears before the proven lower bound of 1,170 s; this one "
        "clears at 1,230 s, 5.1% above it; it is the quickest plan of the planner's model (15 s steps, "
        "waiting only at pickup points)."
    )
    fast = plan_evacuation(scenario, mode="fast")
    assert _sentence(fast) == (
        "no valid plan moving these people clears before the proven lower bound of 1,140 s; this one "
        "clears at 1,230 s, 7.9% above it; fast mode stopped its search at a horizon at most 3% longer "
        "than one proven too short for the planner's model (30 s steps, waiting only at pickup points) "
        "and skipped the risk pass: it promises nothing closer to the bound or to exact mode."
    )


def test_guarantee_without_a_bound_says_no_gap(ascii_network):
    """Nobody can move (the destination takes nobody): bound and clearance 0, gap 0."""
    drawn = ascii_network("a b", [("ab", RES)])
    scenario = scenario_on(drawn, [("a", "a", 5)], [("b", "b", 0)])
    plan = plan_evacuation(scenario, mode="fast")
    assert plan.evacuated == 0
    assert _sentence(plan).startswith(
        "no valid plan moving these people clears before the proven lower bound of 0 s; this one clears "
        "at 0 s, 0.0% above it; fast mode"
    )


@pytest.mark.slow
def test_helsinki_demo_fast_mode_is_judged_by_its_gap_not_by_3_percent():
    path = Path(str(importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")))
    if not path.is_file():
        pytest.skip("the demo scenario is not bundled")
    scenario = load_scenario(path)
    exact = plan_evacuation(scenario, mode="exact")
    fast = plan_evacuation(scenario, mode="fast")
    # The figures of the report: fast 85.5 min, exact 82.5 min, bound 78 min.
    assert (exact.clearance_time_s, fast.clearance_time_s, fast.lower_bound_s) == (4950.0, 5130.0, 4680.0)
    assert fast.clearance_time_s / exact.clearance_time_s - 1 == pytest.approx(0.0364, abs=1e-4)
    assert fast.gap == pytest.approx(0.0962, abs=1e-4)  # > 3 %: no "within 3 %" could be promised
    assert "9.6% above it" in _sentence(fast)
    assert "promises nothing closer to the bound or to exact mode" in _sentence(fast)
    # Exact mode's bound adds the window cut (planner.window_cut): 4,750 s, 4.2 % below its plan.
    assert exact.lower_bound_s == 4750.0
    assert "4.2% above it; it is the quickest plan of the planner's model (15 s steps" in _sentence(exact)
