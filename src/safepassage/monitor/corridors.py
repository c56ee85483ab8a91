"""Humanitarian-corridor announcements of 2022 (PeaceRep Ukraine dataset): parse, find the route, place it.

The CSV has one row per announced corridor: ``HC_ID``, ``date`` (ISO), ``proposal`` (Ukraine /
Russia / Agreed), ``status_extra`` (the outcome in the dataset's words), ``text`` (the news items),
``Link``, and from/to names with coordinates.

**Outcome**: ``status_extra`` normalised - "successful" and "successful evacuation of civilians" ->
successful; "proposed route/outcome unknown", "unknown", "uncertain" -> unknown; "disputed",
"disrupted", "unsuccessful" as they are. When ``status_extra`` is empty ``status_result`` is used.

**Route**: announcements often spell the route out: "along the following route: Mariupol - Mykilske -
Rozivka - Polohy - Orikhiv - Zaporizhzhya", or "via the settlements of Zaporizhzhya, Vasilevka,
Melitopol, Berdiansk, Mangush and Mariupol". A row's text may name several routes (one news item
covers several corridors), so we take the *first* named chain of towns that contains both this
corridor's origin and its destination (matching names with the gazetteer's transliteration-tolerant
keys); the towns strictly between them, read from origin to destination, are the waypoints (so
"Bervytsa - Mokrets - Zavorychy - ... - Brovary" gives a corridor from Mokrets the waypoints after
Mokrets). We do not guess beyond that: a corridor whose text names no chain holding both of its
ends has no waypoints, and its route is the straight from->to line.

**Placing waypoints**: each name is looked up in the offline gazetteer
(:func:`safepassage.monitor.gazetteer.find_places`); names are ambiguous (five villages called
Rozivka), so we take the candidate that adds the least detour to the route so far (previous point
-> candidate -> destination, minus previous point -> destination) and accept it only when that
detour is at most :data:`MAX_DETOUR_FRACTION` of the direct from->to distance (and never less than
:data:`MIN_DETOUR_ALLOWANCE_M`). Names with no acceptable candidate are listed in
``waypoints_unplaced``, never silently dropped.

**Ceasefire hours**: the first "from 9:00 a.m. to 4:00 p.m." (or "from 9 a.m. to 9 p.m.") in the
text, on the announcement day, in Kyiv time unless "Moscow time" follows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from pyproj import Geod

from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_rows
from safepassage.monitor.feeds._fields import parse_coordinate
from safepassage.monitor.feeds._time import KYIV
from safepassage.monitor.gazetteer import find_places, name_key, skeleton
from safepassage.monitor.records import CorridorAnnouncement, CorridorOutcome, PlacedWaypoint, Proposer
from safepassage.monitor.report import RowError

__all__ = [
    "MAX_DETOUR_FRACTION",
    "MIN_DETOUR_ALLOWANCE_M",
    "REQUIRED_COLUMNS",
    "announcement_window",
    "extract_route_names",
    "iter_corridor_announcements",
    "parse_ceasefire",
    "place_waypoints",
    "same_place_name",
]

REQUIRED_COLUMNS = frozenset(
    {"HC_ID", "date", "proposal", "text", "from_latitude", "from_longitude", "to_latitude", "to_longitude"}
)
MAX_DETOUR_FRACTION = 0.5
MIN_DETOUR_ALLOWANCE_M = 40_000.0

_OUTCOMES = {
    "successful": CorridorOutcome.SUCCESSFUL,
    "successful evacuation of civilians": CorridorOutcome.SUCCESSFUL,
    "proposed route/outcome unknown": CorridorOutcome.UNKNOWN,
    "unknown": CorridorOutcome.UNKNOWN,
    "uncertain": CorridorOutcome.UNKNOWN,
    "disputed": CorridorOutcome.DISPUTED,
    "disrupted": CorridorOutcome.DISRUPTED,
    "unsuccessful": CorridorOutcome.UNSUCCESSFUL,
    "unsuccessful/disrupted": CorridorOutcome.DISRUPTED,
}
_NAME = r"[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+)?"
_DASH_CHAIN = re.compile(rf"{_NAME}(?:\s*[-–—]\s*{_NAME})+")
_VIA_LIST = re.compile(
    rf"(?:via|through) the (?:settlements?|villages?|towns?|cities) of "
    rf"({_NAME}(?:(?:,\s*|\s+and\s+){_NAME})+)"
)
_LIST_SEPARATOR = re.compile(r",\s*|\s+and\s+")
_CHAIN_SEPARATOR = re.compile(r"\s*[-–—]\s*")
_CEASEFIRE = re.compile(
    r"from\s+(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?\s*(?:to|until|till)\s+"
    r"(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?([^.;]{0,30})",
    re.IGNORECASE,
)
_MOSCOW = ZoneInfo("Europe/Moscow")
_GEOD = Geod(ellps="WGS84")


def iter_corridor_announcements(path: Path) -> Iterator[CorridorAnnouncement | RowError]:
    """Announcements from the PeaceRep corridors CSV, with routes placed; bad rows as RowError."""
    for item in iter_csv_rows(path, REQUIRED_COLUMNS, "PeaceRep humanitarian-corridor"):
        if isinstance(item, RowError):
            yield item
            continue
        try:
            yield _announcement(item)
        except ValueError as exc:
            yield RowError(str(path), item.line, str(exc))


def _announcement(row: CsvRow) -> CorridorAnnouncement:
    f = row.fields
    try:
        hc_id = int(f["HC_ID"])
    except ValueError:
        raise ValueError(f"HC_ID {f['HC_ID']!r} is not a whole number") from None
    try:
        day = dt.date.fromisoformat(f["date"].strip())
    except ValueError:
        raise ValueError(f"date {f['date']!r} is not an ISO date such as 2022-03-05") from None
    try:
        proposer = Proposer(f["proposal"].strip())
    except ValueError:
        raise ValueError(f"proposal {f['proposal']!r} is not Ukraine, Russia or Agreed") from None
    outcome_raw = (f.get("status_extra", "") or f.get("status_result", "")).strip()
    outcome = _OUTCOMES.get(outcome_raw.casefold())
    if outcome is None:
        raise ValueError(
            f"status_extra {outcome_raw!r} is not a known outcome ({', '.join(sorted(_OUTCOMES))})"
        )
    from_name = _clean_name(f.get("from_name", "") or f.get("From", ""))
    to_name = _clean_name(f.get("to_name", "") or f.get("To", ""))
    from_lat = parse_coordinate(f["from_latitude"], "from_latitude", 90.0)
    from_lon = parse_coordinate(f["from_longitude"], "from_longitude", 180.0)
    to_lat = parse_coordinate(f["to_latitude"], "to_latitude", 90.0)
    to_lon = parse_coordinate(f["to_longitude"], "to_longitude", 180.0)
    text = f["text"]
    names = extract_route_names(text, from_name, to_name)
    placed, unplaced = place_waypoints(names, (from_lon, from_lat), (to_lon, to_lat))
    start, end = parse_ceasefire(text, day)
    return CorridorAnnouncement(
        hc_id=hc_id,
        announced_on=day,
        proposed_by=proposer,
        outcome=outcome,
        from_name=from_name,
        from_lat=from_lat,
        from_lon=from_lon,
        to_name=to_name,
        to_lat=to_lat,
        to_lon=to_lon,
        waypoints=placed,
        waypoints_unplaced=unplaced,
        ceasefire_start=start,
        ceasefire_end=end,
        text=text,
        outcome_raw=outcome_raw,
        links=tuple(token for token in re.split(r"[\s;]+", f.get("Link", "")) if token.startswith("http")),
        line=row.line,
    )


def announcement_window(announcement: CorridorAnnouncement) -> tuple[dt.datetime, dt.datetime]:
    """The window a corridor is judged over: its ceasefire hours when the text gave them, else the
    whole announcement day in Kyiv time (00:00-24:00), as UTC datetimes."""
    if announcement.ceasefire_start is not None and announcement.ceasefire_end is not None:
        return announcement.ceasefire_start, announcement.ceasefire_end
    start = dt.datetime.combine(announcement.announced_on, dt.time(0, 0), tzinfo=KYIV)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=1)).astimezone(dt.UTC)


def _clean_name(name: str) -> str:
    """ "Kozarovychi (training center)" -> "Kozarovychi"."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def same_place_name(a: str, b: str) -> bool:
    """Whether two spellings may name one town (same key or transliteration skeleton)."""
    ka, kb = name_key(_clean_name(a)), name_key(_clean_name(b))
    if not ka or not kb:
        return False
    return ka == kb or (len(skeleton(ka)) >= 3 and skeleton(ka) == skeleton(kb))


def extract_route_names(text: str, from_name: str, to_name: str) -> tuple[str, ...]:
    """The waypoint names between origin and destination in the first chain naming both (see module doc)."""
    chains = [_CHAIN_SEPARATOR.split(m.group(0)) for m in _DASH_CHAIN.finditer(text)]
    chains += [_LIST_SEPARATOR.split(m.group(1)) for m in _VIA_LIST.finditer(text)]
    chains.sort(key=lambda chain: text.find(chain[0]))
    for chain in chains:
        names = [name.strip() for name in chain if name.strip()]
        starts = [i for i, name in enumerate(names) if same_place_name(name, from_name)]
        ends = [i for i, name in enumerate(names) if same_place_name(name, to_name)]
        if starts and ends and starts[0] != ends[0]:
            i, j = starts[0], ends[0]
            between = names[i + 1 : j] if i < j else names[j + 1 : i][::-1]
            return tuple(between)
    return ()


def place_waypoints(
    names: Sequence[str], origin_lonlat: tuple[float, float], destination_lonlat: tuple[float, float]
) -> tuple[tuple[PlacedWaypoint, ...], tuple[str, ...]]:
    """Place waypoint names in route order, choosing among namesakes by least detour (module doc)."""
    direct_m = _distance_m(origin_lonlat, destination_lonlat)
    allowance_m = max(MIN_DETOUR_ALLOWANCE_M, MAX_DETOUR_FRACTION * direct_m)
    previous = origin_lonlat
    placed: list[PlacedWaypoint] = []
    unplaced: list[str] = []
    for name in names:
        best: tuple[float, PlacedWaypoint] | None = None
        baseline = _distance_m(previous, destination_lonlat)
        for place in find_places(name):
            here = (place.lon, place.lat)
            detour = _distance_m(previous, here) + _distance_m(here, destination_lonlat) - baseline
            if detour <= allowance_m and (best is None or detour < best[0]):
                best = (detour, PlacedWaypoint(name, place.lat, place.lon, place.name, place.geonameid))
        if best is None:
            unplaced.append(name)
        else:
            placed.append(best[1])
            previous = (best[1].lon, best[1].lat)
    return tuple(placed), tuple(unplaced)


def parse_ceasefire(text: str, day: dt.date) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first "from H[:MM] a.m. to H[:MM] p.m." hours in the text as UTC datetimes on ``day``."""
    match = _CEASEFIRE.search(text)
    if match is None:
        return None, None
    h1, m1, half1, h2, m2, half2, tail = match.groups()
    zone = _MOSCOW if "moscow" in tail.casefold() else KYIV
    try:
        start = dt.datetime.combine(day, dt.time(_hour(int(h1), half1), int(m1 or 0)), tzinfo=zone)
        end = dt.datetime.combine(day, dt.time(_hour(int(h2), half2), int(m2 or 0)), tzinfo=zone)
    except ValueError:
        return None, None
    if end <= start:
        return None, None
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _hour(hour: int, half: str | None) -> int:
    if half is None:
        return hour
    pm = half.casefold().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    _, _, distance = _GEOD.inv(a[0], a[1], b[0], b[1])
    return float(distance)
