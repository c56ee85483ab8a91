"""Evaluate the verdict rule and two baselines against the recorded outcomes of the 2022 corridors.

Run from the repository root::

    PYTHONPATH=src python benchmarks/verdict_eval.py ../shared/data/conflict/acled_*.csv \\
        ../shared/data/conflict/ucdp_*.csv ../shared/data/alerts/*.csv [--json]

Every event file is read with :func:`safepassage.monitor.iter_feed` (format guessed; ``FILE=FORMAT``
forces one), the reports are merged into incidents, and each of the 282 PeaceRep corridor
announcements is judged over its window (ceasefire hours if the text gives them, else the
announcement day, Kyiv time) along the route from the corridor import, with a buffer (default 10 km).

Printed, in one run (``--json``: the same figures as one JSON document): how far the events reach
in time; the confusion table of verdict against recorded outcome for the corridors with a known
outcome ("successful" = honoured; "disrupted", "unsuccessful", "disputed" = not honoured); for the
violation score and for the two baselines of :mod:`safepassage.monitor.evaluation` (line count,
keyword count): ROC AUC with a stratified bootstrap 95 % interval, precision at the top 10, and how
many corridors each flags at all; and whether the evaluation is **meaningful** - when too few
corridors have any event in their place and time (the shared files stop on 4 March 2022; corridors
start on 5 March) it says so and prints no AUC as a result. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path
from typing import Any

from safepassage.monitor import (
    CorridorAnnouncement,
    CorridorOutcome,
    IncidentReport,
    VerdictOutcome,
    index_incidents,
    iter_corridor_announcements,
    iter_feed,
    merge_reports,
)
from safepassage.monitor.evaluation import (
    NOT_HONOURED,
    ScoreFigures,
    baseline_scores,
    evaluate_announcements,
    evidence_coverage,
    score_figures,
)
from safepassage.monitor.verdict import COVERAGE_MAX_SPAN_S, RULE_VERSION

DEFAULT_CORRIDORS = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/corridors/humanitarian_corridors_ukraine_2022.csv"
)


def _read(specs: list[str]) -> tuple[list[IncidentReport], int, list[dict[str, Any]]]:
    reports: list[IncidentReport] = []
    errors = 0
    files = []
    for spec in specs:
        name, _, fmt = spec.partition("=")
        rows = 0
        for item in iter_feed(Path(name), fmt or None):
            if isinstance(item, IncidentReport):
                reports.append(item)
                rows += 1
            else:
                errors += 1
        files.append({"file": name, "reports": rows})
    return reports, errors, files


def _figures_json(figures: ScoreFigures) -> dict[str, Any]:
    return {
        "auc": figures.auc,
        "auc_95_interval": list(figures.auc_interval) if figures.auc_interval else None,
        "precision_at_10": figures.precision_at_10,
        "distinct_scores": figures.distinct_scores,
        "flagged": figures.flagged,
        "flagged_not_honoured": figures.flagged_positive,
    }


def evaluate(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of the run as one JSON-able document."""
    t0 = time.perf_counter()
    reports, errors, files = _read(args.events)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    incidents = merge_reports(reports)
    merge_s = time.perf_counter() - t0
    dated = [i for i in incidents if i.time_uncertainty_s <= COVERAGE_MAX_SPAN_S / 2]
    announcements = [
        a for a in iter_corridor_announcements(args.corridors) if isinstance(a, CorridorAnnouncement)
    ]
    t0 = time.perf_counter()
    index = index_incidents(incidents, (31.0, 48.5))
    evaluation = evaluate_announcements(announcements, index, args.buffer_m)
    judge_s = time.perf_counter() - t0
    coverage = evidence_coverage(announcements, evaluation.verdicts)
    known = [a.outcome is not CorridorOutcome.UNKNOWN for a in announcements]
    positive = [a.outcome in NOT_HONOURED for a, k in zip(announcements, known, strict=True) if k]
    scores = {
        f"verdict ({RULE_VERSION}) violation score": [
            v.violation_score for v, k in zip(evaluation.verdicts, known, strict=True) if k
        ]
    }
    for name, values in baseline_scores(announcements, reports).items():
        scores[f"baseline: {name}"] = [s for s, k in zip(values, known, strict=True) if k]
    overall = collections.Counter(v.outcome for v in evaluation.verdicts)
    return {
        "files": files,
        "reports": len(reports),
        "bad_rows": errors,
        "incidents": len(incidents),
        "read_s": round(read_s, 3),
        "merge_s": round(merge_s, 3),
        "judge_s": round(judge_s, 3),
        "buffer_m": args.buffer_m,
        "events_dated_to_a_day": len(dated),
        "first_day": min(i.first_observed_at for i in dated).date().isoformat() if dated else None,
        "last_day": max(i.last_observed_at for i in dated).date().isoformat() if dated else None,
        "first_corridor_day": min(a.announced_on for a in announcements).isoformat()
        if announcements
        else None,
        "all_corridors": {o.value: overall[o] for o in VerdictOutcome},
        "confusion": {
            row: {o.value: counts[o] for o in VerdictOutcome} for row, counts in evaluation.confusion.items()
        },
        "positives": evaluation.positives,
        "negatives": evaluation.negatives,
        "meaningful": coverage.meaningful,
        "why_not_meaningful": coverage.why,
        "corridors_with_evidence": coverage.covered,
        "not_honoured_with_evidence": coverage.covered_positive,
        "scores": {name: _figures_json(score_figures(values, positive)) for name, values in scores.items()},
    }


def _show(result: dict[str, Any]) -> None:
    for f in result["files"]:
        print(f"read {f['reports']:6d} reports from {f['file']}")
    print(
        f"{result['reports']} reports ({result['bad_rows']} bad rows skipped) -> {result['incidents']} "
        f"incidents; read {result['read_s']:.2f} s, merge {result['merge_s']:.2f} s, "
        f"judge {result['judge_s']:.3f} s (buffer {result['buffer_m']:.0f} m)"
    )
    print(
        f"events dated to within a day: {result['events_dated_to_a_day']}, "
        f"from {result['first_day']} to {result['last_day']}; corridors from {result['first_corridor_day']}"
    )
    print("all corridors: " + ", ".join(f"{k} {v}" for k, v in result["all_corridors"].items()))
    known = result["positives"] + result["negatives"]
    print(f"\nconfusion table, {known} corridors with a known outcome (rows: recorded; columns: verdict)")
    header = f"{'recorded':>14} | " + " | ".join(f"{o.value:>21}" for o in VerdictOutcome) + " | total"
    print(header)
    print("-" * len(header))
    for row, counts in result["confusion"].items():
        cells = " | ".join(f"{counts[o.value]:>21d}" for o in VerdictOutcome)
        print(f"{row:>14} | {cells} | {sum(counts.values()):5d}")
    print(
        f"\n{result['corridors_with_evidence']} of {known} corridors with a known outcome have any event "
        f"on or near their route in their window ({result['not_honoured_with_evidence']} of "
        f"{result['positives']} not honoured)"
    )
    if not result["meaningful"]:
        print(
            f"EVALUATION NOT MEANINGFUL: {result['why_not_meaningful']}. The figures below measure "
            "missing data, not the rules; give event files covering the corridors' days."
        )
    print(f"\n{'score':<42} | ROC AUC (95 % bootstrap)   | prec@10 | flagged (not honoured) | distinct")
    for name, fig in result["scores"].items():
        auc = "undefined" if fig["auc"] is None else f"{fig['auc']:.3f}"
        interval = fig["auc_95_interval"]
        auc_text = f"{auc} ({interval[0]:.2f}-{interval[1]:.2f})" if interval else auc
        if not result["meaningful"]:
            auc_text = f"[not meaningful] {auc}"
        prec = "-" if fig["precision_at_10"] is None else f"{fig['precision_at_10']:.2f}"
        flagged = f"{fig['flagged']:>7} ({fig['flagged_not_honoured']:>3})"
        print(f"{name:<42} | {auc_text:<25} | {prec:>7} | {flagged:<22} | {fig['distinct_scores']:>8}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate corridor verdicts against 2022 outcomes.")
    parser.add_argument("events", nargs="+", help="event files (FILE or FILE=FORMAT)")
    parser.add_argument("--corridors", type=Path, default=DEFAULT_CORRIDORS)
    parser.add_argument("--buffer-m", type=float, default=10_000.0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args(argv)
    result = evaluate(args)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        _show(result)


if __name__ == "__main__":
    main()
