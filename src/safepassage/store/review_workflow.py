"""The review workflow the store enforces on reports and incidents (as in Ushahidi / KoboToolbox)::

    draft --> on_hold --> verified | unverifiable | rejected
      |          ^  |                  |
      |          |  '--> draft         | (a decided subject goes back on hold when new facts arrive)
      '----------+---------------------'

Publishing is a separate flag, not a review state: "verified" says what we believe, "published"
says what we show (a verified report may stay unpublished to protect a source).

The corridor lifecycle (proposed -> agreed / disputed -> open -> suspended -> closed) is the
monitor's rule, :mod:`safepassage.monitor.lifecycle`; the store applies it before appending a step.
"""

from __future__ import annotations

from enum import StrEnum

from safepassage.errors import InputError

__all__ = ["REVIEW_TRANSITIONS", "ReviewState", "check_review_step"]


class ReviewState(StrEnum):
    """Review states of a report or an incident."""

    DRAFT = "draft"
    ON_HOLD = "on_hold"
    VERIFIED = "verified"
    UNVERIFIABLE = "unverifiable"
    REJECTED = "rejected"


_R = ReviewState
_DECIDED = frozenset({_R.VERIFIED, _R.UNVERIFIABLE, _R.REJECTED})
REVIEW_TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    _R.DRAFT: frozenset({_R.ON_HOLD}) | _DECIDED,
    _R.ON_HOLD: _DECIDED | frozenset({_R.DRAFT}),
    _R.VERIFIED: frozenset({_R.ON_HOLD}),
    _R.UNVERIFIABLE: frozenset({_R.ON_HOLD}),
    _R.REJECTED: frozenset({_R.ON_HOLD}),
}
"""Allowed next review states; a state may also be repeated (e.g. to change ``published``)."""


def check_review_step(subject: str, current: ReviewState, new: ReviewState) -> None:
    """Raise :class:`InputError` unless ``current -> new`` is a review step (or keeps the state)."""
    if new != current and new not in REVIEW_TRANSITIONS[current]:
        expected = ", ".join(sorted(s.value for s in REVIEW_TRANSITIONS[current]))
        raise InputError(
            f"{subject}: review cannot go from {current.value} to {new.value}; expected one of: {expected}"
        )
