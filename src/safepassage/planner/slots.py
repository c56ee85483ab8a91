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
    # Per key: [people, movements, first departure, last departure, last arrival].
    sums: dict[_Key, list[float]] = {}
    for m in movements:
        times = m.entry_times_s
        departure, arrival = times[0], times[-1]
        key = (m.origin, m.destination, m.mode, tuple(m.path), slot_index(departure, slot_s))
        row = sums.get(key)
        if row is None:
            sums[key] = [m.people, 1, departure, departure, arrival]
            continue
        row[0] += m.people
        row[1] += 1
        row[2] = min(row[2], departure)
        row[3] = max(row[3], departure)
        row[4] = max(row[4], arrival)
    # Sums of movements the planner built or a plan file already validated: constructed without
    # validating each path again (100,000 rows at scale); check-plan recomputes them independently.
    rows = [
        DepartureSlot.model_construct(
            origin=origin,
            destination=destination,
            mode=mode,
            path=list(path),
            slot_start_s=index * slot_s,
            slot_s=slot_s,
            people=int(people),
            movements=int(count),
            first_departure_s=first,
            last_departure_s=last,
            last_arrival_s=arrival,
        )
        for (origin, destination, mode, path, index), (people, count, first, last, arrival) in sums.items()
    ]
    rows.sort(key=lambda r: (r.origin, r.slot_start_s, r.destination, r.first_departure_s))
    return rows
