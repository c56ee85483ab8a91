"""Departure slots: the dispatcher's view of a plan's movements, one row per route and slot.

The flow decomposition gives many small groups (1-5 people) one model step apart on the same path;
each stays a separate movement because the checker verifies capacity per step and closures at each
entry time. A dispatcher wants "from Kauppatori to the ferry terminal by this route, 20:00-20:10:
140 people". :func:`departure_slots` sums the movements into those rows: one per (origin,
destination, mode, path, slot), the slot ``[k * slot_s, (k + 1) * slot_s)`` holding every movement
whose departure (``entry_times_s[0]``) lies in it. The sum is exact: each movement is in exactly one
row, so the rows hold every evacuated person once. ``check-plan`` recomputes the rows on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from safepassage.planner.plan_file import DepartureSlot, Movement
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["DEFAULT_SLOT_S", "departure_slots", "slot_index"]

#: Slot length (seconds): 10 minutes, as the fleet's default private-car departure slots.
DEFAULT_SLOT_S: Final = 600.0

_Key = tuple[str, str, TravelMode, tuple[int, ...], int]


def slot_index(departure_s: float, slot_s: float) -> int:
    """The slot a departure at ``departure_s`` (seconds after start) falls in: ``floor(t / slot_s)``.

    Python's float floor division, exact for the plan's whole-millisecond times.
    """
    return int(departure_s // slot_s)


def departure_slots(movements: Sequence[Movement], slot_s: float = DEFAULT_SLOT_S) -> list[DepartureSlot]:
    """One :class:`DepartureSlot` per (origin, destination, mode, path, slot) of ``movements``.

    ``slot_s``: slot length in seconds (> 0). Rows come sorted by origin, slot start, destination,
    then first departure. Raises ``ValueError`` for ``slot_s <= 0``.
    """
    if not slot_s > 0.0:
        raise ValueError(f"slot_s = {slot_s}; expected a slot length > 0 seconds")
    members: dict[_Key, list[Movement]] = {}
    for m in movements:
        key = (m.origin, m.destination, m.mode, tuple(m.path), slot_index(m.departure_s, slot_s))
        members.setdefault(key, []).append(m)
    rows = [
        DepartureSlot(
            origin=origin,
            destination=destination,
            mode=mode,
            path=list(path),
            slot_start_s=index * slot_s,
            slot_s=slot_s,
            people=sum(m.people for m in group),
            movements=len(group),
            first_departure_s=min(m.departure_s for m in group),
            last_departure_s=max(m.departure_s for m in group),
            last_arrival_s=max(m.arrival_s for m in group),
        )
        for (origin, destination, mode, path, index), group in members.items()
    ]
    rows.sort(key=lambda r: (r.origin, r.slot_start_s, r.destination, r.first_departure_s))
    return rows
