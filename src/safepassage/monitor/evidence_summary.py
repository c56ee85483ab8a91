"""One evidence item as a coordinator reads it: what, where relative to the route, when relative to
the window, who says so (and whom they hold responsible), and how sure.

Attribution is shown, never weighed: a corridor is violated whoever fired, and in March 2022 each
party blamed the other for every failed evacuation (Mariupol, 5-6 March: the city council and
Ukraine's government named Russian shelling, Russia's defence ministry named "nationalists"). When
the sources of one incident name different parties, the claims are listed side by side with
"claims differ".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from safepassage.monitor.evidence_text import text_topics
from safepassage.monitor.feeds._sources import split_outlets
from safepassage.monitor.records import Incident

__all__ = ["EvidenceText", "describe_evidence", "party"]

_NOTE_CHARS = 160
_RUSSIA = re.compile(
    r"russia|росі|росси|\bdpr\b|\blpr\b|\bnaf\b|donetsk people|luhansk people|днр|лнр|wagner", re.IGNORECASE
)
_UKRAINE = re.compile(r"ukrain|україн|украин|\bjfo\b|\bzsu\b|зсу|всу", re.IGNORECASE)


@dataclass(frozen=True)
class EvidenceText:
    """The five lines of one evidence item."""

    what: str
    where: str
    when: str
    who: str
    how_sure: str


def party(actor: str) -> str:
    """The party an actor belongs to, as coordinators name it: ``Russian or Russian-backed forces``,
    ``Ukrainian forces``, or the actor as written when it names neither or is unidentified (ACLED's
    "Unidentified Armed Group (Ukraine)" names the country it acted in, not a side)."""
    if re.search(r"unidentified|unknown|невідом|неизвестн|civilians", actor, re.IGNORECASE):
        return actor.strip()
    if _RUSSIA.search(actor):
        return "Russian or Russian-backed forces"
    if _UKRAINE.search(actor):
        return "Ukrainian forces"
    return actor.strip()


def describe_evidence(
    incident: Incident,
    *,
    distance_m: float,
    window: tuple[dt.datetime, dt.datetime],
    belief: float,
    decisive: bool,
    disputed: bool,
    tied: bool,
) -> EvidenceText:
    """The item's five lines (times in UTC; ``window`` as (start, end))."""
    return EvidenceText(
        what=_what(incident),
        where=_where(incident, distance_m),
        when=_when(incident, window, tied),
        who=_who(incident),
        how_sure=_how_sure(incident, belief, decisive, disputed),
    )


def _what(incident: Incident) -> str:
    codes = sorted({s.sub_kind for s in incident.sources if s.sub_kind})
    text = incident.kind.value.replace("_", " ") + (f" ({'; '.join(codes)})" if codes else "")
    topics: set[str] = set()
    note = ""
    for source in incident.sources:
        topics |= text_topics(source.description)
        note = note or source.description.strip()
    if topics:
        text += f"; the notes speak of {', '.join(sorted(topics))}"
    if note:
        short = note if len(note) <= _NOTE_CHARS else note[: _NOTE_CHARS - 1].rstrip() + "…"
        text += f': "{short}"'
    return text


def _where(incident: Incident, distance_m: float) -> str:
    place = f" ({incident.location_name})" if incident.location_name else ""
    located = f"located to ±{_km(incident.radius_m)}"
    if distance_m < 1_000.0:
        return f"on the route{place}, {located}"
    return f"{_km(distance_m)} from the route{place}, {located}"


def _when(incident: Incident, window: tuple[dt.datetime, dt.datetime], tied: bool) -> str:
    u = dt.timedelta(seconds=incident.time_uncertainty_s)
    start = incident.first_observed_at - u
    end = (incident.ended_at or incident.last_observed_at) + u
    w_start, w_end = window
    if incident.time_uncertainty_s >= 6 * 3600:
        overlap = max((min(end, w_end) - max(start, w_start)).total_seconds(), 0.0)
        share = overlap / max((end - start).total_seconds(), 1.0)
        text = (
            f"dated only to {incident.first_observed_at:%d %b} (±{_hours(u)}); "
            f"{share:.0%} of that span lies in the window"
        )
    elif start >= w_start and end <= w_end:
        text = f"in the window, at {incident.first_observed_at:%d %b %H:%M} UTC ±{_hours(u)}"
    elif end <= w_start:
        text = f"{_hours(w_start - end)} before the window"
    elif start >= w_end:
        text = f"{_hours(start - w_end)} after the window"
    else:
        text = f"{incident.first_observed_at:%d %b %H:%M} UTC ±{_hours(u)}, overlapping the window"
    if tied:
        text += "; the notes place it in the evacuation or the ceasefire"
    return text


def _who(incident: Incident) -> str:
    sayers = "; ".join(f"{s.feed}: {s.source_name}" for s in incident.sources)
    claims: dict[str, list[str]] = {}
    for source in incident.sources:
        named = party(source.actor)
        if named:
            claims.setdefault(named, []).append(source.feed)
    if not claims:
        return f"{sayers}; no one named as responsible"
    held = "; ".join(f"{name} (per {', '.join(feeds)})" for name, feeds in claims.items())
    differ = " - claims differ" if len(claims) > 1 else ""
    return f"{sayers}; attributed to {held}{differ}"


def _how_sure(incident: Incident, belief: float, decisive: bool, disputed: bool) -> str:
    outlets = {o.casefold() for s in incident.sources for o in (split_outlets(s.source_name) or (s.feed,))}
    verified = any(s.verification.value == "verified" for s in incident.sources)
    if disputed:
        status = "disputed by a review: cannot make the corridor violated"
    elif decisive:
        status = "decisive (" + ("verified" if verified else f"{len(outlets)} independent outlets") + ")"
    else:
        status = "not decisive (one unverified outlet)"
    feeds = len(incident.feeds)
    return f"belief {belief:.2f}, {len(outlets)} outlet(s) in {feeds} feed(s); {status}"


def _km(metres: float) -> str:
    return f"{metres:,.0f} m" if metres < 1_000.0 else f"{metres / 1_000.0:,.1f} km"


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600.0
    return f"{hours * 60:.0f} min" if hours < 1.0 else f"{hours:.0f} h"
