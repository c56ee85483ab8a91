"""Evaluate the verdict rule against the recorded outcomes of the 2022 humanitarian corridors.

Run from the repository root::

    /tmp/venv/bin/python benchmarks/verdict_eval.py ../shared/data/conflict/acled_*.csv \\
        ../shared/data/conflict/ucdp_*.csv ../shared/data/alerts/*.csv

Every event file is read with :func:`safepassage.monitor.iter_feed` (format guessed; ``FILE=FORMAT``
forces one), the reports are merged into incidents, and each of the 282 PeaceRep corridor
announcements is judged over its window (ceasefire hours if the text gives them, else the
announcement day, Kyiv time) along the route from the corridor import, with a buffer (default 10 km).

Printed: how far the events reach in time, the confusion table of verdict against recorded outcome
for the corridors with a known outcome ("successful" = honoured; "disrupted", "unsuccessful",
"disputed" = not honoured), the ROC AUC of the violation score against "not honoured" (rank
formula, ties count one half), and the time to judge all corridors. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

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
from safepassage.monitor.evaluation import evaluate_announcements
from safepassage.monitor.verdict import COVERAGE_MAX_SPAN_S

DEFAULT_CORRIDORS = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/corridors/humanitarian_corridors_ukraine_2022.csv"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate corridor verdicts against 2022 outcomes.")
    parser.add_argument("events", nargs="+", help="event files (FILE or FILE=FORMAT)")
    parser.add_argument("--corridors", type=Path, default=DEFAULT_CORRIDORS)
    parser.add_argument("--buffer-m", type=float, default=10_000.0)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    reports: list[IncidentReport] = []
    errors = 0
    for spec in args.events:
        name, _, fmt = spec.partition("=")
        rows = 0
        for item in iter_feed(Path(name), fmt or None):
            if isinstance(item, IncidentReport):
                reports.append(item)
                rows += 1
            else:
                errors += 1
        print(f"read {rows:6d} reports from {name}")
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    incidents = merge_reports(reports)
    merge_s = time.perf_counter() - t0
    print(
        f"{len(reports)} reports ({errors} bad rows skipped) -> {len(incidents)} incidents; "
        f"read {read_s:.2f} s, merge {merge_s:.2f} s"
    )
    dated = [i for i in incidents if i.time_uncertainty_s <= COVERAGE_MAX_SPAN_S / 2]
    if dated:
        first = min(i.first_observed_at for i in dated)
        last = max(i.last_observed_at for i in dated)
        print(f"events dated to within a day: {len(dated)}, from {first:%Y-%m-%d} to {last:%Y-%m-%d}")

    announcements = [
        a for a in iter_corridor_announcements(args.corridors) if isinstance(a, CorridorAnnouncement)
    ]
    t0 = time.perf_counter()
    index = index_incidents(incidents, (31.0, 48.5))
    evaluation = evaluate_announcements(announcements, index, args.buffer_m)
    judge_s = time.perf_counter() - t0
    print(f"judged {len(announcements)} corridors in {judge_s:.3f} s (buffer {args.buffer_m:.0f} m)")
    overall = collections.Counter(v.outcome for v in evaluation.verdicts)
    print("all corridors: " + ", ".join(f"{o.value} {overall[o]}" for o in VerdictOutcome))

    known = evaluation.positives + evaluation.negatives
    print(f"\nconfusion table, {known} corridors with a known outcome (rows: recorded; columns: verdict)")
    header = f"{'recorded':>14} | " + " | ".join(f"{o.value:>21}" for o in VerdictOutcome) + " | total"
    print(header)
    print("-" * len(header))
    for row, counts in evaluation.confusion.items():
        cells = " | ".join(f"{counts[o]:>21d}" for o in VerdictOutcome)
        print(f"{row:>14} | {cells} | {sum(counts.values()):5d}")

    known_scores = [
        v.violation_score
        for a, v in zip(announcements, evaluation.verdicts, strict=True)
        if a.outcome is not CorridorOutcome.UNKNOWN
    ]
    auc = "undefined (one class empty)" if evaluation.auc is None else f"{evaluation.auc:.3f}"
    print(
        f"\nROC AUC of the violation score vs 'not honoured': {auc} "
        f"({evaluation.positives} positive, {evaluation.negatives} negative; "
        f"{len(set(known_scores))} distinct score value(s), highest {max(known_scores, default=0.0):.4f})"
    )
    insufficient = sum(
        counts[VerdictOutcome.INSUFFICIENT_EVIDENCE] for counts in evaluation.confusion.values()
    )
    if insufficient:
        print(
            f"note: {insufficient} of {known} judged corridors have insufficient evidence - the event "
            "files do not cover their place and time (the shared files stop on 4 March 2022; corridors "
            "start on 5 March). An AUC near 0.5 here measures missing data, not the rule."
        )


if __name__ == "__main__":
    main()
