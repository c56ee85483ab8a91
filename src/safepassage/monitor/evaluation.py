"""Evaluate verdicts against the recorded outcomes of the 2022 corridors: confusion table, ROC AUC
with a bootstrap interval, precision at the top 10, two baselines, and whether any of it means much.

A corridor whose recorded outcome is "successful" counts as honoured; "disrupted", "unsuccessful"
and "disputed" as not honoured; "unknown" is left out. The ROC AUC of a score against
"not honoured" uses the rank-sum (Mann-Whitney) formula, ties counting one half, so equal scores
(e.g. every corridor at 0 because no event covers it) give 0.5, not a flattering number. Its 95 %
interval comes from a stratified bootstrap (positives and negatives resampled separately, fixed
seed). Precision at k counts tied scores at the cut by their expected share (random tie order).

Baselines, from the same reports (:func:`baseline_scores`):

- **line count**: explosions and battles (shelling, air strike, missile, mines, fighting) within
  5 km of the straight from->to line on the announcement's Kyiv day;
- **keyword count**: the same events whose notes speak of evacuation, corridors, buses or
  humanitarian movements (:func:`safepassage.monitor.evidence_text.mentions_movement`).

**Meaningful?** (:func:`evidence_coverage`): a corridor *has evidence* when its verdict is anything
but "insufficient evidence" (some event on or near its route in its window). With fewer than
:data:`MIN_COVERED_POSITIVES` not-honoured corridors having evidence, or fewer than
:data:`MIN_COVERED_SHARE` of the corridors with a known outcome, the AUC measures missing data,
not the rule, and the evaluation says so instead of printing it as a result.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.stats import rankdata

from safepassage.monitor.corridors import announcement_window
from safepassage.monitor.evidence_text import mentions_movement
from safepassage.monitor.feeds._time import KYIV
from safepassage.monitor.records import CorridorAnnouncement, CorridorOutcome, Verdict, VerdictOutcome
from safepassage.monitor.report import IncidentReport
from safepassage.monitor.verdict import DEFAULT_BUFFER_M, IncidentIndex, judge_corridor
from safepassage.network.projection import Projector
from safepassage.scenario.vocabulary import HazardKind

__all__ = [
    "BASELINE_LINE_M",
    "MIN_COVERED_POSITIVES",
    "MIN_COVERED_SHARE",
    "NOT_HONOURED",
    "Coverage",
    "Evaluation",
    "ScoreFigures",
    "baseline_scores",
    "bootstrap_auc",
    "evaluate_announcements",
    "evidence_coverage",
    "precision_at",
    "roc_auc",
    "score_figures",
]

BASELINE_LINE_M = 5_000.0
VIOLENT_KINDS = frozenset(
    {HazardKind.SHELLING, HazardKind.AIR_STRIKE, HazardKind.MISSILE, HazardKind.MINES, HazardKind.FIGHTING}
)
MIN_COVERED_POSITIVES = 5
MIN_COVERED_SHARE = 0.5
BOOTSTRAP_RESAMPLES = 2_000

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


def bootstrap_auc(
    scores: Sequence[float], positive: Sequence[bool], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of the AUC over stratified bootstrap resamples (positives
    and negatives drawn with replacement, each class keeping its size); None when a class is empty."""
    values = np.asarray(scores, dtype=float)
    labels = np.asarray(positive, dtype=bool)
    pos, neg = values[labels], values[~labels]
    if pos.size == 0 or neg.size == 0:
        return None
    rng = np.random.default_rng(seed)
    aucs = np.empty(resamples)
    for k in range(resamples):
        sample_pos = rng.choice(pos, pos.size)
        sample_neg = rng.choice(neg, neg.size)
        # Mann-Whitney U / (n_pos n_neg), ties one half, by sorting the negatives once.
        ordered = np.sort(sample_neg)
        below = np.searchsorted(ordered, sample_pos, side="left")
        equal = np.searchsorted(ordered, sample_pos, side="right") - below
        aucs[k] = float((below + 0.5 * equal).sum()) / (pos.size * neg.size)
    low, high = np.percentile(aucs, [2.5, 97.5])
    return float(low), float(high)


def precision_at(scores: Sequence[float], positive: Sequence[bool], k: int = 10) -> float | None:
    """Share of not-honoured corridors among the ``k`` highest scores; corridors tied at the cut
    count by their expected share under a random order. None when there are fewer than ``k``."""
    if len(scores) < k or k <= 0:
        return None
    values = np.asarray(scores, dtype=float)
    labels = np.asarray(positive, dtype=bool)
    cut = np.sort(values)[::-1][k - 1]
    above = values > cut
    tied = values == cut
    room = k - int(above.sum())
    hits = float(labels[above].sum()) + room * float(labels[tied].mean())
    return hits / k


@dataclass(frozen=True)
class ScoreFigures:
    """The figures of one score against the recorded outcomes."""

    auc: float | None
    auc_interval: tuple[float, float] | None
    precision_at_10: float | None
    distinct_scores: int
    flagged: int  # corridors with a score above 0
    flagged_positive: int  # of which not honoured


def score_figures(scores: Sequence[float], positive: Sequence[bool]) -> ScoreFigures:
    """AUC, its bootstrap interval, precision at 10 and how many corridors the score flags at all."""
    flagged = [p for s, p in zip(scores, positive, strict=True) if s > 0.0]
    return ScoreFigures(
        auc=roc_auc(scores, positive),
        auc_interval=bootstrap_auc(scores, positive),
        precision_at_10=precision_at(scores, positive, 10),
        distinct_scores=len(set(scores)),
        flagged=len(flagged),
        flagged_positive=sum(flagged),
    )


def baseline_scores(
    announcements: Sequence[CorridorAnnouncement], reports: Sequence[IncidentReport]
) -> Mapping[str, list[float]]:
    """The two baselines' scores, one per announcement (module docstring): ``line count`` and
    ``keyword count``."""
    violent = [r for r in reports if r.kind in VIOLENT_KINDS and r.lat is not None and r.lon is not None]
    projector = Projector("+proj=aeqd +lat_0=48.5 +lon_0=31.0 +datum=WGS84 +units=m +no_defs")
    if violent:
        x, y = projector.to_xy(
            np.array([r.lon for r in violent], dtype=float), np.array([r.lat for r in violent], dtype=float)
        )
        points = shapely.points(x, y)
    else:
        points = shapely.points(np.empty((0, 2)))
    day = np.array([r.observed_at.astimezone(KYIV).date().toordinal() for r in violent], dtype=np.int64)
    keyword = np.array([mentions_movement(r.description) for r in violent], dtype=bool)
    line_counts: list[float] = []
    keyword_counts: list[float] = []
    for a in announcements:
        fx, fy = projector.to_xy([a.from_lon, a.to_lon], [a.from_lat, a.to_lat])
        line = shapely.LineString(np.column_stack([fx, fy]))
        same_day = day == a.announced_on.toordinal()
        near = same_day.copy()
        if same_day.any():
            near[same_day] = np.asarray(shapely.distance(line, points[same_day])) <= BASELINE_LINE_M
        line_counts.append(float(near.sum()))
        keyword_counts.append(float((near & keyword).sum()))
    return {"line count": line_counts, "keyword count": keyword_counts}


@dataclass(frozen=True)
class Coverage:
    """How many judged corridors had any event on or near their route in their window."""

    known: int
    covered: int
    covered_positive: int
    positives: int
    meaningful: bool
    why: str


def evidence_coverage(announcements: Sequence[CorridorAnnouncement], verdicts: Sequence[Verdict]) -> Coverage:
    """Whether the evaluation can mean anything (module docstring), and why not."""
    known = covered = covered_positive = positives = 0
    for a, v in zip(announcements, verdicts, strict=True):
        if a.outcome is CorridorOutcome.UNKNOWN:
            continue
        known += 1
        bad = a.outcome in NOT_HONOURED
        positives += bad
        if v.outcome is not VerdictOutcome.INSUFFICIENT_EVIDENCE or v.violation_score > 0.0:
            covered += 1
            covered_positive += bad
    reasons = []
    if covered_positive < MIN_COVERED_POSITIVES:
        reasons.append(
            f"only {covered_positive} of the {positives} not-honoured corridors have any event on or near "
            f"their route in their window (at least {MIN_COVERED_POSITIVES} needed)"
        )
    if known == 0 or covered < MIN_COVERED_SHARE * known:
        reasons.append(
            f"only {covered} of the {known} corridors with a known outcome have any such event "
            f"(at least {MIN_COVERED_SHARE:.0%} needed)"
        )
    return Coverage(known, covered, covered_positive, positives, not reasons, "; ".join(reasons))
