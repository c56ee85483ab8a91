"""The two state machines the store enforces: a corridor's lifecycle and a report's review.

Corridor (each step recorded with its reason, never overwritten)::

    proposed --> agreed ----> open --> suspended --> closed
        |          ^  |        ^          |            ^
        v          |  v        '----------'            |
      disputed ----'  disputed        (re-opened)      |
        (any state except closed) ---------------------'

Review (as in Ushahidi / KoboToolbox)::

    draft --> on_hold --> verified | unverifiable | rejected
      '-------------------^  (a decided report can be put back on hold when new facts arrive)

Publishing is a separate flag, not a review state: "verified" says what we believe, "published"
says what we show.
"""

from __future__ import annotations

from enum import StrEnum

from safepassage.errors import InputError
from safepassage.scenario.vocabulary import CorridorStatus

__all__ = [
    "CORRIDOR_TRANSITIONS",
    "REVIEW_TRANSITIONS",
    "ReviewState",
    "check_corridor_step",
    "check_review_step",
]


class ReviewState(StrEnum):
    """Review states of a report or an incident."""

    DRAFT = "draft"
    ON_HOLD = "on_hold"
    VERIFIED = "verified"
    UNVERIFIABLE = "unverifiable"
    REJECTED = "rejected"


_S = CorridorStatus
CORRIDOR_TRANSITIONS: dict[CorridorStatus | None, frozenset[CorridorStatus]] = {
    None: frozenset({_S.PROPOSED}),
    _S.PROPOSED: frozenset({_S.AGREED, _S.DISPUTED, _S.CLOSED}),
    _S.DISPUTED: frozenset({_S.AGREED, _S.CLOSED}),
    _S.AGREED: frozenset({_S.OPEN, _S.DISPUTED, _S.SUSPENDED, _S.CLOSED}),
    _S.OPEN: frozenset({_S.SUSPENDED, _S.CLOSED}),
    _S.SUSPENDED: frozenset({_S.OPEN, _S.CLOSED}),
    _S.CLOSED: frozenset(),
}
"""Allowed next statuses from each status (``None``: a corridor with no history yet)."""

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


def check_corridor_step(corridor: str, current: CorridorStatus | None, new: CorridorStatus) -> None:
    """Raise :class:`InputError` unless ``current -> new`` is a lifecycle step."""
    allowed = CORRIDOR_TRANSITIONS[current]
    if new not in allowed:
        now = current.value if current else "no status yet"
        expected = ", ".join(sorted(s.value for s in allowed)) or "nothing (closed is final)"
        raise InputError(
            f"corridor {corridor}: cannot go from {now} to {new.value}; expected one of: {expected}"
        )


def check_review_step(subject: str, current: ReviewState, new: ReviewState) -> None:
    """Raise :class:`InputError` unless ``current -> new`` is a review step (or keeps the state)."""
    if new != current and new not in REVIEW_TRANSITIONS[current]:
        expected = ", ".join(sorted(s.value for s in REVIEW_TRANSITIONS[current]))
        raise InputError(
            f"{subject}: review cannot go from {current.value} to {new.value}; expected one of: {expected}"
        )
