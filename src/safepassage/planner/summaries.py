"""Per-origin and per-destination summaries of a plan's movements (one owner: planner and re-plan).

``check-plan`` recomputes both from the movements on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from safepassage.planner.plan_file import DestinationSummary, Movement, OriginSummary, Unserved

__all__ = ["destination_summaries", "origin_summaries"]


def origin_summaries(
    origins: Iterable[tuple[str, int]], movements: Sequence[Movement], unserved: Sequence[Unserved]
) -> list[OriginSummary]:
    """One row per ``(origin id, people)`` in that order: evacuated, unserved, first and last
    departure and last arrival (seconds after start; ``None`` when nobody left)."""
    lost = {u.origin: u.people for u in unserved}
    mine: dict[str, list[Movement]] = {}
    for m in movements:
        mine.setdefault(m.origin, []).append(m)
    out: list[OriginSummary] = []
    for origin_id, people in origins:
        group = mine.get(origin_id, [])
        out.append(
            OriginSummary(
                origin=origin_id,
                people=people,
                evacuated=sum(m.people for m in group),
                unserved=lost.get(origin_id, 0),
                first_departure_s=min((m.departure_s for m in group), default=None),
                last_departure_s=max((m.departure_s for m in group), default=None),
                last_arrival_s=max((m.arrival_s for m in group), default=None),
            )
        )
    return out


def destination_summaries(
    destinations: Iterable[tuple[str, int]], movements: Sequence[Movement]
) -> list[DestinationSummary]:
    """One row per ``(destination id, reception capacity)`` in that order: people received, first
    and last arrival (seconds after start; ``None`` when nobody arrives)."""
    mine: dict[str, list[Movement]] = {}
    for m in movements:
        mine.setdefault(m.destination, []).append(m)
    out: list[DestinationSummary] = []
    for destination_id, capacity in destinations:
        group = mine.get(destination_id, [])
        out.append(
            DestinationSummary(
                destination=destination_id,
                capacity=capacity,
                received=sum(m.people for m in group),
                first_arrival_s=min((m.arrival_s for m in group), default=None),
                last_arrival_s=max((m.arrival_s for m in group), default=None),
            )
        )
    return out
