"""Evaluate verdicts against the recorded outcomes of the 2022 corridors: confusion table and ROC AUC.

A corridor whose recorded outcome is "successful" counts as honoured; "disrupted", "unsuccessful"
and "disputed" as not honoured; "unknown" is left out. The ROC AUC of the violation score against
"not honoured" uses the rank-sum (Mann-Whitney) formula, ties counting one half, so equal scores
(e.g. every corridor at 0 because no event covers it) give 0.5, not a flattering number.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from safepassage.monitor.corridors import announcement_window
from safepassage.monitor.records import CorridorAnnouncement, CorridorOutcome, Verdict, VerdictOutcome
from safepassage.monitor.verdict import DEFAULT_BUFFER_M, IncidentIndex, judge_corridor

__all__ = ["NOT_HONOURED", "Evaluation", "evaluate_announcements", "roc_auc"]

NOT_HONOURED = frozenset({CorridorOutcome.DISRUPTED, CorridorOutcome.UNSUCCESSFUL, CorridorOutcome.DISPUTED})


@dataclass(frozen=True)
class Evaluation:
    """Verdicts for every announcement, and the comparison over those with a known outcome."""

    verdicts: tuple[Verdict, ...]  # one per announcement, same order
    confusion: dict[str, collections.Counter[VerdictOutcome]]  # "successful" / "not honoured" -> verdicts
    auc: float | None
    positives: int
    negatives: int


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """Area under the ROC curve by the rank-sum formula; None when either class is empty."""
    n_pos = sum(bool(p) for p in positive)
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    ranks = rankdata(np.asarray(scores, dtype=float))
    rank_sum = float(ranks[np.asarray(positive, dtype=bool)].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def evaluate_announcements(
    announcements: Sequence[CorridorAnnouncement], index: IncidentIndex, buffer_m: float = DEFAULT_BUFFER_M
) -> Evaluation:
    """Judge every announcement over its window and compare with the recorded outcomes."""
    verdicts = []
    for announcement in announcements:
        start, end = announcement_window(announcement)
        verdicts.append(
            judge_corridor(f"hc-{announcement.hc_id}", announcement.route_lonlat, start, end, index, buffer_m)
        )
    confusion: dict[str, collections.Counter[VerdictOutcome]] = {
        "successful": collections.Counter(),
        "not honoured": collections.Counter(),
    }
    scores: list[float] = []
    positive: list[bool] = []
    for announcement, verdict in zip(announcements, verdicts, strict=True):
        if announcement.outcome is CorridorOutcome.UNKNOWN:
            continue
        bad = announcement.outcome in NOT_HONOURED
        confusion["not honoured" if bad else "successful"][verdict.outcome] += 1
        scores.append(verdict.violation_score)
        positive.append(bad)
    return Evaluation(
        verdicts=tuple(verdicts),
        confusion=confusion,
        auc=roc_auc(scores, positive),
        positives=sum(positive),
        negatives=len(positive) - sum(positive),
    )
