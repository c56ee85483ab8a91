"""The verdict evaluation: ROC AUC by ranks, and the benchmark script on a real-shaped event file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safepassage.monitor.corridors import iter_corridor_announcements
from safepassage.monitor.evaluation import (
    baseline_scores,
    bootstrap_auc,
    evaluate_announcements,
    evidence_coverage,
    precision_at,
    roc_auc,
)
from safepassage.monitor.feeds import iter_feed
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import CorridorAnnouncement, VerdictOutcome
from safepassage.monitor.report import IncidentReport
from safepassage.monitor.verdict import index_incidents

from ._shared import CORRIDORS, shared_file

REPO = Path(__file__).resolve().parents[2]


def test_roc_auc_by_ranks() -> None:
    assert roc_auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert roc_auc([0.1, 0.2, 0.9, 0.8], [True, True, False, False]) == 0.0
    assert roc_auc([0.0, 0.0, 0.0], [True, False, False]) == 0.5  # ties are not a result
    assert roc_auc([0.3, 0.4], [False, False]) is None
    assert roc_auc([0.5, 0.2, 0.5], [True, False, False]) == pytest.approx(0.75)


def _field_reports(path: Path) -> Path:
    """Field-team style GeoJSON: shelling on corridor 1's route (Rozivka) during its ceasefire hours,
    reported by two outlets, and quiet activity 45 km off the route."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.82, 47.35]},
            "properties": {
                "id": "r1",
                "kind": "shelling",
                "observed_at": "2022-03-05T10:30:00Z",
                "source_name": "Suspilne Media; Ukrinform",
                "source_type": "media",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.6, 47.75]},
            "properties": {
                "id": "r2",
                "kind": "road_damage",
                "observed_at": "2022-03-05T09:00:00Z",
                "source_name": "Field team 3",
                "source_type": "field_team",
                "verification": "verified",
            },
        },
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_evaluation_judges_corridor_one_violated_from_given_events(tmp_path: Path) -> None:
    events = _field_reports(tmp_path / "field.geojson")
    reports = [r for r in iter_feed(events) if isinstance(r, IncidentReport)]
    index = index_incidents(merge_reports(reports))
    announcements = [
        a for a in iter_corridor_announcements(shared_file(CORRIDORS)) if isinstance(a, CorridorAnnouncement)
    ]
    evaluation = evaluate_announcements(announcements, index)
    by_id = {v.corridor_id: v for v in evaluation.verdicts}
    assert by_id["hc-1"].outcome is VerdictOutcome.VIOLATED
    assert by_id["hc-1"].evidence[0].distance_to_route_m < 10_000
    assert evaluation.positives == 12
    assert evaluation.negatives == 125
    # Corridor 1 was recorded "disputed" (not honoured) and now scores highest: AUC above one half.
    assert evaluation.auc is not None
    assert evaluation.auc > 0.5


@pytest.mark.slow
def test_benchmark_script_prints_the_table(tmp_path: Path) -> None:
    shared_file(CORRIDORS)
    events = _field_reports(tmp_path / "field.geojson")
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "verdict_eval.py"), str(events)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "confusion table, 137 corridors with a known outcome" in result.stdout
    assert "ROC AUC (95 % bootstrap)" in result.stdout
    assert "violated 1" in result.stdout
    # One corridor with evidence: the script says the figures mean nothing rather than print them.
    assert "EVALUATION NOT MEANINGFUL: only 2 of the 12 not-honoured corridors" in result.stdout
    for name in ("verdict (verdict/3)", "baseline: line count", "baseline: keyword count"):
        assert name in result.stdout
    as_json = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "verdict_eval.py"), str(events), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    document = json.loads(as_json.stdout)
    assert document["meaningful"] is False
    assert document["all_corridors"]["violated"] == 1
    assert set(document["scores"]) == {
        "verdict (verdict/3) violation score",
        "baseline: line count",
        "baseline: keyword count",
    }


def test_bootstrap_interval_and_precision_at_ten() -> None:
    assert bootstrap_auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == (1.0, 1.0)
    assert bootstrap_auc([0.3], [False]) is None
    scores = [0.1 * (i % 10) for i in range(40)]
    positive = [i % 10 >= 7 for i in range(40)]
    low, high = bootstrap_auc(scores, positive) or (0.0, 0.0)
    assert low <= (roc_auc(scores, positive) or 0.0) <= high
    # Top 10: four at 0.9 (all positive), six of the four-way tie at 0.8 (all positive) -> 1.0.
    assert precision_at(scores, positive, 10) == 1.0
    # Ties at the cut count by their share: 10 tied scores, 3 positive -> 0.3 expected.
    assert precision_at([0.0] * 10 + [0.0] * 0, [True] * 3 + [False] * 7, 10) == pytest.approx(0.3)
    assert precision_at([0.5] * 5, [True] * 5, 10) is None


def test_baselines_count_violent_events_on_the_line_of_the_day(tmp_path: Path) -> None:
    features = [
        {  # on corridor 1's from->to line (Mariupol -> Zaporizhzhia) on 5 March, speaking of buses
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.33, 47.47]},
            "properties": {
                "id": "k1",
                "kind": "shelling",
                "observed_at": "2022-03-05T10:30:00Z",
                "description": "shelling hit the buses gathered for the evacuation",
            },
        },
        {  # same place, no such words
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.33, 47.47]},
            "properties": {"id": "k2", "kind": "fighting", "observed_at": "2022-03-05T12:00:00Z"},
        },
        {  # same place, the day before
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [36.33, 47.47]},
            "properties": {"id": "k3", "kind": "shelling", "observed_at": "2022-03-04T12:00:00Z"},
        },
    ]
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    reports = [r for r in iter_feed(path) if isinstance(r, IncidentReport)]
    announcements = [
        a for a in iter_corridor_announcements(shared_file(CORRIDORS)) if isinstance(a, CorridorAnnouncement)
    ]
    scores = baseline_scores(announcements, reports)
    first = next(i for i, a in enumerate(announcements) if a.hc_id == 1)
    assert scores["line count"][first] == 2.0
    assert scores["keyword count"][first] == 1.0
    evaluation = evaluate_announcements(announcements, index_incidents(merge_reports(reports)))
    coverage = evidence_coverage(announcements, evaluation.verdicts)
    assert not coverage.meaningful
    assert coverage.covered_positive >= 1
    assert "not-honoured corridors have any event" in coverage.why
