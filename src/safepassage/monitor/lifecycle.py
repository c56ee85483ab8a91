"""The lifecycle of a corridor agreement: which status changes are legal, each with its reason.

::

    proposed ──> agreed ──> open ──> suspended ──> closed
        │  ╲        ▲ │       ▲          │            ▲
        │   ╲       │ ▼       └──────────┘            │
        │    └──> disputed ───────────────────────────┤
        └─────────────────────────────────────────────┘   (any status but closed may close)

======================  =================================================================
from                    may go to
======================  =================================================================
(new corridor)          proposed, agreed (announced as agreed by both sides)
proposed                agreed, disputed, closed
agreed                  open, disputed, suspended, closed
disputed                agreed, closed
open                    suspended, closed
suspended               open, closed
closed                  nothing (a new agreement is a new corridor)
======================  =================================================================

A change needs a reason (the store keeps it with who and when); status changes are appended, never
edited, so the table is checked before a row is written. :func:`outcome_history` turns a 2022
announcement's recorded outcome into the history the dataset implies, for importing it.
"""

from __future__ import annotations

from collections.abc import Mapping

from safepassage.errors import InputError
from safepassage.monitor.records import CorridorAnnouncement, CorridorOutcome, Proposer
from safepassage.scenario.vocabulary import CorridorStatus

__all__ = ["ALLOWED_TRANSITIONS", "INITIAL_STATUSES", "check_transition", "outcome_history"]

S = CorridorStatus

INITIAL_STATUSES = frozenset({S.PROPOSED, S.AGREED})
ALLOWED_TRANSITIONS: Mapping[CorridorStatus, frozenset[CorridorStatus]] = {
    S.PROPOSED: frozenset({S.AGREED, S.DISPUTED, S.CLOSED}),
    S.AGREED: frozenset({S.OPEN, S.DISPUTED, S.SUSPENDED, S.CLOSED}),
    S.DISPUTED: frozenset({S.AGREED, S.CLOSED}),
    S.OPEN: frozenset({S.SUSPENDED, S.CLOSED}),
    S.SUSPENDED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def check_transition(current: CorridorStatus | None, new: CorridorStatus, reason: str) -> CorridorStatus:
    """``new`` when going from ``current`` (None for a new corridor) to it is legal and a reason is
    given; raises InputError naming the allowed next statuses otherwise."""
    if not reason.strip():
        raise InputError(f"corridor status change to {new.value!r} needs a reason; none was given")
    allowed = INITIAL_STATUSES if current is None else ALLOWED_TRANSITIONS[current]
    if new not in allowed:
        origin = "a new corridor" if current is None else f"status {current.value!r}"
        options = ", ".join(sorted(s.value for s in allowed)) or "nothing (closed is final)"
        raise InputError(f"a corridor cannot go from {origin} to {new.value!r}; allowed: {options}")
    return new


def _proposal_wording(proposer: Proposer) -> str:
    """ "agreed by both parties" for Agreed, "proposed by Ukraine" / "proposed by Russia" otherwise."""
    return "agreed by both parties" if proposer is Proposer.AGREED else f"proposed by {proposer.value}"


def outcome_history(announcement: CorridorAnnouncement) -> tuple[tuple[CorridorStatus, str], ...]:
    """The status history implied by a 2022 announcement's proposer and recorded outcome.

    Every step is a legal transition (checked); reasons cite the dataset. An unknown outcome stops
    at the announcement: the dataset does not say whether the corridor opened.
    """
    source = f"PeaceRep corridor {announcement.hc_id} ({announcement.announced_on.isoformat()})"
    first = S.AGREED if announcement.proposed_by is Proposer.AGREED else S.PROPOSED
    steps: list[tuple[CorridorStatus, str]] = [
        (first, f"{source}: announced, {_proposal_wording(announcement.proposed_by)}")
    ]
    said = f"{source}: outcome recorded as {announcement.outcome_raw or announcement.outcome.value!r}"
    tail: Mapping[CorridorOutcome, tuple[CorridorStatus, ...]] = {
        CorridorOutcome.SUCCESSFUL: (S.OPEN, S.CLOSED),
        CorridorOutcome.DISPUTED: (S.DISPUTED,),
        CorridorOutcome.DISRUPTED: (S.OPEN, S.SUSPENDED),
        CorridorOutcome.UNSUCCESSFUL: (S.CLOSED,),
        CorridorOutcome.UNKNOWN: (),
    }
    for status in tail[announcement.outcome]:
        if first is S.PROPOSED and status is S.OPEN and steps[-1][0] is S.PROPOSED:
            steps.append((S.AGREED, f"{source}: implied by the corridor opening"))
        steps.append((status, said))
    current: CorridorStatus | None = None
    for status, reason in steps:
        current = check_transition(current, status, reason)
    return tuple(steps)
