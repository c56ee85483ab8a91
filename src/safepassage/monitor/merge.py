"""Merge near-identical reports from different feeds into incidents; corroboration counts sources.

ACLED, UCDP, the siren network, CAP issuers and field teams often report the same event. Two
reports *may describe the same event* when all of these hold:

- they come from **different feeds** (within one feed, distinct ids are distinct events: the
  dataset's own coders already merged their duplicates);
- their kinds are in the **same family** (:data:`KIND_FAMILY`: shelling, air strikes, missiles,
  fighting and sniper fire are one family "armed violence", because feeds name one event with
  different words - UCDP codes organised violence, not weapons; alerts, mines, checkpoints, road
  and bridge damage, looting are each their own family; ``other`` never merges);
- their **times agree within the combined uncertainty**: the intervals
  ``[observed_at - u, (ended_at or observed_at) + u]`` overlap;
- their **places agree within the combined radius**: centre distance <= ``radius_a + radius_b``;
- neither radius exceeds :data:`MAX_MERGE_RADIUS_M` (150 km: a report placed only at country
  level cannot be tied to one event).

Candidate pairs come from a k-d tree (:class:`scipy.spatial.cKDTree`) over coordinates projected
to an azimuthal equidistant plane centred on the data, never from an all-pairs loop. Pairs are then
joined greedily, best agreement first (smallest ``distance / combined radius + time gap / combined
uncertainty``, ties by report keys), into groups in which **every** pair agrees (complete linkage)
and no feed appears twice. Because reports are put in a canonical order (by key) before anything
else, the result does not depend on the order of the input.

**Corroboration** is the number of independent sources: distinct outlets named across the merged
reports (an ACLED row citing "24 Channel; DPA" names two; UCDP and ACLED both citing Ukrinform count
it once). It is not the number of rows, and a report reviewed ``rejected`` adds no source: a
rejected report never makes an incident corroborated (its verification is the latest review's, as
:func:`safepassage.store.queries.incident_reports` reads it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.spatial import cKDTree

from safepassage.monitor.feeds._sources import split_outlets
from safepassage.monitor.feeds.references import resolve_references
from safepassage.monitor.records import Incident, IncidentSource
from safepassage.monitor.report import IncidentReport
from safepassage.network.projection import Projector
from safepassage.scenario.vocabulary import HazardKind, Verification

__all__ = [
    "KIND_FAMILY",
    "MAX_MERGE_RADIUS_M",
    "incident_from_reports",
    "merge_reports",
    "reports_agree",
    "reports_near",
]

MAX_MERGE_RADIUS_M = 150_000.0
_RADIUS_BANDS_M = np.array([2_000.0, 6_000.0, 26_000.0, 41_000.0, 76_000.0, 101_000.0, MAX_MERGE_RADIUS_M])
#: Bands of half an interval's length (s): an hour, a day (+-12 h), days, a week, a month, a season.
_HALF_SPAN_BANDS_S = np.array([3_600.0, 46_800.0, 302_400.0, 1_296_000.0, 7_776_000.0])

#: Kind -> family; reports merge only within one family. ``other`` has none and never merges.
KIND_FAMILY: Mapping[HazardKind, str] = {
    HazardKind.SHELLING: "armed_violence",
    HazardKind.AIR_STRIKE: "armed_violence",
    HazardKind.MISSILE: "armed_violence",
    HazardKind.FIGHTING: "armed_violence",
    HazardKind.SNIPER: "armed_violence",
    HazardKind.AIR_RAID_ALERT: "alert",
    HazardKind.MINES: "mines",
    HazardKind.CHECKPOINT_CLOSED: "checkpoint",
    HazardKind.ROAD_DAMAGE: "road",
    HazardKind.BRIDGE_DOWN: "road",
    HazardKind.LOOTING: "looting",
}


def reports_agree(a: IncidentReport, b: IncidentReport, distance_m: float) -> bool:
    """Whether two reports may describe the same event (the rule in the module docstring)."""
    if a.feed == b.feed or a.key == b.key:
        return False
    family = KIND_FAMILY.get(a.kind)
    if family is None or family != KIND_FAMILY.get(b.kind):
        return False
    if max(a.radius_m, b.radius_m) > MAX_MERGE_RADIUS_M or distance_m > a.radius_m + b.radius_m:
        return False
    a_start, a_end = _interval_s(a)
    b_start, b_end = _interval_s(b)
    return a_start <= b_end and b_start <= a_end


def merge_reports(reports: Iterable[IncidentReport]) -> list[Incident]:
    """Incidents from reports: every report ends in exactly one incident. Sorted by first time, id."""
    canonical = _canonical(resolve_references(reports))  # CAP cancels/updates end what they name
    located = [i for i, r in enumerate(canonical) if r.lat is not None and r.lon is not None]
    groups: dict[int, list[int]] = {i: [i] for i in range(len(canonical))}
    if len(located) > 1:
        _join_agreeing(canonical, located, groups)
    incidents = [incident_from_reports([canonical[i] for i in members]) for members in groups.values()]
    incidents.sort(key=lambda inc: (inc.first_observed_at, inc.id))
    return incidents


def reports_near(new: Sequence[IncidentReport], stored: Sequence[IncidentReport]) -> list[int]:
    """Positions in ``stored`` of the reports that agree (:func:`reports_agree`) with at least one
    report of ``new``: the only stored reports an incremental merge of ``new`` must look at.

    Stored reports whose family no new report has, or whose interval does not overlap the span of
    the new reports of that family, are dropped first (numpy); the rest go through the same k-d tree
    cells as :func:`merge_reports`, and only pairs holding a new report are kept. Cost grows with the
    new reports and their neighbours in space and time, not with everything stored.
    """
    new_located = [r for r in new if r.lat is not None and r.lon is not None and r.kind in KIND_FAMILY]
    if not new_located or not stored:
        return []
    span: dict[str, tuple[float, float]] = {}
    for report in new_located:
        if report.radius_m > MAX_MERGE_RADIUS_M:
            continue
        family = KIND_FAMILY[report.kind]
        start, end = _interval_s(report)
        low, high = span.get(family, (start, end))
        span[family] = (min(low, start), max(high, end))
    near = [
        i
        for i, r in enumerate(stored)
        if r.lat is not None
        and r.lon is not None
        and r.radius_m <= MAX_MERGE_RADIUS_M
        and KIND_FAMILY.get(r.kind) in span
        and _overlaps(_interval_s(r), span[KIND_FAMILY[r.kind]])
    ]
    if not near:
        return []
    reports = [*new_located, *(stored[i] for i in near)]
    lon = np.array([r.lon for r in reports], dtype=float)
    lat = np.array([r.lat for r in reports], dtype=float)
    xy = np.column_stack(_projector(lon, lat).to_xy(lon, lat))
    radius = np.array([r.radius_m for r in reports], dtype=float)
    feed = _codes([r.feed for r in reports])
    codes = _codes([KIND_FAMILY.get(r.kind, "") for r in reports], none="")
    start, end = np.array([_interval_s(r) for r in reports], dtype=float).T
    mergeable = radius <= MAX_MERGE_RADIUS_M
    found: set[int] = set()
    n_new = len(new_located)
    for code in np.unique(codes[mergeable]).tolist():
        for part in _time_components(np.flatnonzero(mergeable & (codes == code)), start, end):
            a, b, distance = _close_pairs(xy[part], radius[part], start[part], end[part], part)
            keep = (
                (feed[a] != feed[b])
                & (distance <= radius[a] + radius[b])
                & (start[b] <= end[a])
                & (start[a] <= end[b])
                & ((a < n_new) != (b < n_new))
            )
            found.update(np.maximum(a[keep], b[keep]).tolist())
    return sorted(near[i - n_new] for i in found)


def _overlaps(interval: tuple[float, float], span: tuple[float, float]) -> bool:
    return interval[0] <= span[1] and span[0] <= interval[1]


def incident_from_reports(reports: Sequence[IncidentReport]) -> Incident:
    """One incident from reports already judged to describe the same event (see module docstring)."""
    if not reports:
        raise ValueError("an incident needs at least one report")
    members = sorted(reports, key=lambda r: r.key)
    best = min(members, key=lambda r: (r.lat is None, r.radius_m, r.key))
    outlets: dict[str, str] = {}
    for report in members:
        if report.verification is Verification.REJECTED:
            continue
        for outlet in split_outlets(report.source_name) or (report.feed,):
            outlets.setdefault(outlet.casefold(), outlet)
    ends = [r.ended_at for r in members if r.ended_at is not None]
    agreed_start, agreed_end = _agreed_interval(members)
    keys = tuple(r.key for r in members)
    return Incident(
        id=_incident_id(keys),
        kind=best.kind,
        lat=best.lat,
        lon=best.lon,
        radius_m=best.radius_m,
        first_observed_at=_clamp(min(r.observed_at for r in members), agreed_start, agreed_end),
        last_observed_at=_clamp(max(r.observed_at for r in members), agreed_start, agreed_end),
        time_uncertainty_s=min(r.time_uncertainty_s for r in members),
        report_keys=keys,
        sources=tuple(
            IncidentSource(
                r.feed,
                r.source_id,
                r.source_name,
                r.source_type,
                r.verification,
                r.fatalities,
                description=r.description,
                sub_kind=_sub_kind(r),
                actor=_actor(r),
            )
            for r in members
        ),
        corroboration=len(outlets),
        fatalities_claims=tuple((r.source_name, r.fatalities) for r in members if r.fatalities is not None),
        location_name=best.location_name,
        ended_at=max(ends) if ends else None,
    )


#: UCDP ``type_of_violence`` codes (GED codebook): 3, one-sided violence, is an attack on civilians.
_UCDP_VIOLENCE = {"1": "state-based armed conflict", "2": "non-state conflict", "3": "one-sided violence"}


def _sub_kind(report: IncidentReport) -> str:
    """The feed's own event code: ACLED ``sub_event_type``, UCDP ``type_of_violence``, CAP/GeoJSON
    ``event``; empty when the row gives none."""
    raw = report.raw
    if "sub_event_type" in raw:
        return raw["sub_event_type"].strip()
    if "type_of_violence" in raw:
        return _UCDP_VIOLENCE.get(raw["type_of_violence"].strip(), "")
    return str(raw.get("event", "")).strip()


def _actor(report: IncidentReport) -> str:
    """Who the row says was responsible: ACLED ``actor1`` (the initiator), UCDP ``side_a`` (for
    one-sided violence the perpetrator); empty when the row names none."""
    for column in ("actor1", "side_a", "actor"):
        value = report.raw.get(column)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _agreed_interval(members: Sequence[IncidentReport]) -> tuple[dt.datetime, dt.datetime]:
    """The range observed times may take: inside the intersection of the reports' uncertainty
    intervals (they overlap pairwise when merged, so in one dimension they share a common part)."""
    intervals = [_interval_s(r) for r in members]
    start, end = max(i[0] for i in intervals), min(i[1] for i in intervals)
    if start > end:  # reports merged by a caller that did not check agreement: keep the full span
        start, end = min(i[0] for i in intervals), max(i[1] for i in intervals)
    # Observed times are clamped so that time +- the incident's (smallest) uncertainty stays inside.
    margin = min(r.time_uncertainty_s for r in members)
    low, high = start + margin, end - margin
    if low > high:
        low = high = (start + end) / 2
    return dt.datetime.fromtimestamp(low, dt.UTC), dt.datetime.fromtimestamp(high, dt.UTC)


def _clamp(value: dt.datetime, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    return min(max(value, low), high)


def _canonical(reports: Iterable[IncidentReport]) -> list[IncidentReport]:
    """Reports sorted by key, one per key (a key ingested twice is one report; the first, in a
    deterministic order of its fields, is kept)."""
    ordered = sorted(reports, key=lambda r: (r.key, r.observed_at, r.line, r.source_name, r.kind.value))
    unique: dict[tuple[str, str], IncidentReport] = {}
    for report in ordered:
        unique.setdefault(report.key, report)
    return list(unique.values())


def _join_agreeing(canonical: list[IncidentReport], located: list[int], groups: dict[int, list[int]]) -> None:
    reports = [canonical[i] for i in located]
    lon = np.array([r.lon for r in reports], dtype=float)
    lat = np.array([r.lat for r in reports], dtype=float)
    xy = np.column_stack(_projector(lon, lat).to_xy(lon, lat))
    radius = np.array([r.radius_m for r in reports], dtype=float)
    feed = _codes([r.feed for r in reports])
    family = _codes([KIND_FAMILY.get(r.kind, "") for r in reports], none="")
    start, end = np.array([_interval_s(r) for r in reports], dtype=float).T
    observed = np.array([r.observed_at.timestamp() for r in reports], dtype=float)
    uncertainty = np.array([r.time_uncertainty_s for r in reports], dtype=float)
    mergeable = (radius <= MAX_MERGE_RADIUS_M) & (family >= 0)
    if mergeable.sum() < 2:
        return

    def agreeing(pairs: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
        # Exactly reports_agree, vectorised: different feeds (so different keys), one family (the
        # parts hold one), both radii mergeable, within the combined radius, times overlapping.
        a, b, distance = pairs
        keep = (
            (feed[a] != feed[b])
            & (distance <= radius[a] + radius[b])
            & (start[b] <= end[a])
            & (start[a] <= end[b])
        )
        return a[keep], b[keep], distance[keep]

    pieces = [
        agreeing(_close_pairs(xy[part], radius[part], start[part], end[part], part))
        for code in np.unique(family[mergeable]).tolist()
        for part in _time_components(np.flatnonzero(mergeable & (family == code)), start, end)
        if np.unique(feed[part]).size > 1
    ]
    if not pieces:
        return
    a, b, distance = (np.concatenate(columns) for columns in zip(*pieces, strict=True))
    # Best agreement first (_disagreement), ties by the keys: ``located`` follows the canonical
    # (key) order, so comparing positions compares keys.
    gap_s = np.abs(observed[a] - observed[b])
    score = distance / np.maximum(radius[a] + radius[b], 1.0) + gap_s / np.maximum(
        uncertainty[a] + uncertainty[b], 1.0
    )
    position = np.asarray(located, dtype=np.int64)
    first = np.minimum(position[a], position[b])
    second = np.maximum(position[a], position[b])
    order = np.lexsort((second, first, score))
    _link_complete(canonical, first[order].tolist(), second[order].tolist(), groups)


def _time_components(members: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    """Subsets of ``members`` whose time intervals chain together; reports in different subsets
    never overlap."""
    order = members[np.argsort(start[members], kind="stable")]
    reach = np.maximum.accumulate(end[order])
    breaks = np.flatnonzero(start[order][1:] > reach[:-1]) + 1
    return [part for part in np.split(order, breaks) if part.size > 1]


def _close_pairs(
    xy: np.ndarray, radius: np.ndarray, start: np.ndarray, end: np.ndarray, index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of points that may be within their combined radius *and* overlap in time, with their
    distances; returned as positions in ``index`` (the caller's numbering).

    Points are grouped in cells of radius band (:data:`_RADIUS_BANDS_M`) x half time span band
    (:data:`_HALF_SPAN_BANDS_S`); for each pair of cells one k-d tree query (Chebyshev norm, in
    coordinates scaled by the cells' combined reach in space and in time) returns a superset of the
    pairs with ``distance <= radius_a + radius_b`` and overlapping intervals - so alerts sounded at
    one oblast's centre on different days are never paired, and nothing loops over all pairs.
    """
    mid, half = (start + end) / 2.0, (end - start) / 2.0
    cell = np.searchsorted(_RADIUS_BANDS_M, radius) * (len(_HALF_SPAN_BANDS_S) + 1) + np.searchsorted(
        _HALF_SPAN_BANDS_S, half
    )
    cells = np.unique(cell).tolist()
    bands = len(_HALF_SPAN_BANDS_S) + 1
    members = {c: np.flatnonzero(cell == c) for c in cells}
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    for n, k in enumerate(cells):
        for m in cells[n:]:
            reach_m = float(_RADIUS_BANDS_M[k // bands] + _RADIUS_BANDS_M[m // bands])
            reach_s = float(half[members[k]].max() + half[members[m]].max())
            scale = np.array([1.0 / reach_m, 1.0 / reach_m, 1.0 / max(reach_s, 1.0)])
            tree_k = cKDTree(np.column_stack([xy[members[k]], mid[members[k]]]) * scale)
            tree_m = tree_k if m == k else cKDTree(np.column_stack([xy[members[m]], mid[members[m]]]) * scale)
            pairs = tree_k.sparse_distance_matrix(tree_m, 1.0, p=np.inf, output_type="ndarray")
            a, b = members[k][pairs["i"]], members[m][pairs["j"]]
            keep = a < b if k == m else np.ones(a.size, dtype=bool)
            found_a.append(a[keep])
            found_b.append(b[keep])
    if not found_a:
        empty = np.empty(0, dtype=int)
        return empty, empty, np.empty(0)
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    distance = np.hypot(xy[a, 0] - xy[b, 0], xy[a, 1] - xy[b, 1])
    return index[a], index[b], distance


def _link_complete(
    canonical: list[IncidentReport], first: list[int], second: list[int], groups: dict[int, list[int]]
) -> None:
    """Join groups along agreeing pairs (``first[k]``, ``second[k]``, canonical positions), best
    first, keeping every pair in a group agreeing and no feed twice in a group (complete linkage)."""
    size = len(canonical)
    group_of = {i: i for i in groups}
    agree = {i * size + j for i, j in zip(first, second, strict=True)}
    feeds_of = {i: frozenset((canonical[i].feed,)) for i in groups}
    for i, j in zip(first, second, strict=True):
        gi, gj = group_of[i], group_of[j]
        if gi == gj or feeds_of[gi] & feeds_of[gj]:
            continue
        left, right = groups[gi], groups[gj]
        if (len(left) > 1 or len(right) > 1) and not all(
            min(m, n) * size + max(m, n) in agree for m in left for n in right
        ):
            continue
        keep, drop = (gi, gj) if gi < gj else (gj, gi)
        groups[keep] = sorted(groups[keep] + groups[drop])
        feeds_of[keep] = feeds_of[gi] | feeds_of[gj]
        for member in groups.pop(drop):
            group_of[member] = keep


def _codes(values: list[str], none: str | None = None) -> np.ndarray:
    """Small integer codes for strings (``none`` -> -1)."""
    table: dict[str, int] = {}
    return np.array([-1 if v == none else table.setdefault(v, len(table)) for v in values], dtype=int)


def _interval_s(report: IncidentReport) -> tuple[float, float]:
    start = report.observed_at.timestamp() - report.time_uncertainty_s
    end = (report.ended_at or report.observed_at).timestamp() + report.time_uncertainty_s
    return start, end


def _projector(lon: np.ndarray, lat: np.ndarray) -> Projector:
    """An azimuthal equidistant plane centred (to 0.1 degree) on the data's median point."""
    lon0, lat0 = round(float(np.median(lon)), 1), round(float(np.median(lat)), 1)
    return Projector(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m +no_defs")


def _incident_id(keys: tuple[tuple[str, str], ...]) -> str:
    digest = hashlib.sha256("\n".join(f"{feed}\t{source_id}" for feed, source_id in keys).encode())
    return f"inc-{digest.hexdigest()[:16]}"
