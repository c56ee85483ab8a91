"""The review workflow the store enforces on reports and incidents (as in Ushahidi / KoboToolbox)::

    draft --> on_hold --> verified | unverifiable | disputed | rejected
      |          ^  |                  |
      |          |  '--> draft         | (a decided subject goes back on hold when new facts arrive)
      '----------+---------------------'

Publishing is a separate flag, not a review state: "verified" says what we believe, "published"
says what we show (a verified report may stay unpublished to protect a source).

**What a review changes.** The latest review decides how far a report is believed wherever it is
used - verdicts (``corridors judge``), the merge into incidents, the monitor's re-plans - through
:func:`verification_after_review`: ``verified``, ``disputed`` and ``rejected`` replace the feed's own
verification; ``unverifiable`` makes it ``unverified``; ``draft`` and ``on_hold`` (no decision, or
a decision withdrawn) leave the feed's own verification. A review of an incident applies to every
report of that incident; the newest review of a report or of an incident holding it wins.

The corridor lifecycle (proposed -> agreed / disputed -> open -> suspended -> closed) is the
monitor's rule, :mod:`safepassage.monitor.lifecycle`; the store applies it before appending a step.
"""

from __future__ import annotations

from enum import StrEnum

from safepassage.errors import InputError
from safepassage.scenario.vocabulary import Verification

__all__ = ["REVIEW_TRANSITIONS", "ReviewState", "check_review_step", "verification_after_review"]


class ReviewState(StrEnum):
    """Review states of a report or an incident."""

    DRAFT = "draft"
    ON_HOLD = "on_hold"
    VERIFIED = "verified"
    UNVERIFIABLE = "unverifiable"
    DISPUTED = "disputed"
    REJECTED = "rejected"


_R = ReviewState
_DECIDED = frozenset({_R.VERIFIED, _R.UNVERIFIABLE, _R.DISPUTED, _R.REJECTED})
REVIEW_TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    _R.DRAFT: frozenset({_R.ON_HOLD}) | _DECIDED,
    _R.ON_HOLD: _DECIDED | frozenset({_R.DRAFT}),
    **{decided: frozenset({_R.ON_HOLD}) for decided in _DECIDED},
}
"""Allowed next review states; a state may also be repeated (e.g. to change ``published``)."""

_AS_VERIFICATION: dict[ReviewState, Verification] = {
    _R.VERIFIED: Verification.VERIFIED,
    _R.UNVERIFIABLE: Verification.UNVERIFIED,
    _R.DISPUTED: Verification.DISPUTED,
    _R.REJECTED: Verification.REJECTED,
}


def check_review_step(subject: str, current: ReviewState, new: ReviewState) -> None:
    """Raise :class:`InputError` unless ``current -> new`` is a review step (or keeps the state)."""
    if new != current and new not in REVIEW_TRANSITIONS[current]:
        expected = ", ".join(sorted(s.value for s in REVIEW_TRANSITIONS[current]))
        raise InputError(
            f"{subject}: review cannot go from {current.value} to {new.value}; expected one of: {expected}"
        )


def verification_after_review(feed_verification: Verification, state: ReviewState | None) -> Verification:
    """How far a report is believed once reviewed: the decided review state, else the feed's own
    verification (``state`` None, draft or on_hold). See the module docstring."""
    if state is None:
        return feed_verification
    return _AS_VERIFICATION.get(state, feed_verification)
