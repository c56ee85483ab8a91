"""Judge a corridor for a window: honoured, violated, contested or insufficient evidence.

The rule (version :data:`RULE_VERSION`, explained with a worked example in ``docs/verdicts.md``):

For each incident, four numbers in [0, 1], multiplied into its **weight**:

- **belief** that it happened: a noisy-OR over its independent sources,
  ``1 - prod(1 - credibility)`` with one factor per distinct outlet, the credibility of each from
  :func:`safepassage.hazards.credibility.credibility` (source type x review state). One unverified
  media outlet: 0.4; two: 0.64; a verified field team: 1.0; a rejected report: 0.
- **kind**: the feed's own event code where it says more (:data:`SUB_KIND_WEIGHT`, from the ACLED
  codebook's sub-event types and UCDP's type of violence: an intercepted missile 0.3, an abduction
  0.8, looted aid 0.8; :func:`incident_kind_weight`), else how much such an incident means the
  corridor was not honoured (:data:`KIND_WEIGHT`):
  attacks, fighting, mines 1.0; a closed checkpoint 0.8 (corridors were "held at checkpoints");
  road or bridge damage 0.5; looting 0.3; other 0. An air-raid alert weighs 0: it is sounded for a
  whole oblast whenever aircraft or missiles are detected, including ones bound elsewhere, so it
  is no evidence that *this* route was attacked - but it does show the feeds were live (rule 3).
- **place**: the chance that the incident lies within ``buffer_m`` of the route. Its position
  across the route is taken as uniform over its uncertainty (centre distance ``d``, radius ``r``),
  so the chance is the overlap of ``[d - r, d + r]`` with ``[-buffer, buffer]`` divided by ``2r``:
  a precise report on the route counts fully, one placed to within 25 km of a town half or less.
  An incident located only to a region, an oblast or the country (radius above
  :data:`MAX_EVIDENCE_RADIUS_M`, 50 km: ACLED ``geo_precision`` 3, UCDP ``where_prec`` 4-7) or dated
  only to a week or worse (time uncertainty above :data:`MAX_EVIDENCE_TIME_UNCERTAINTY_S`, one day:
  ACLED ``time_precision`` 2-3, UCDP ``date_prec`` 2-5 or a span of days) is **never evidence on a
  route**: "somewhere in Ukraine between February and September" says nothing about this road on
  this day, however many deaths it counts.
- **time**: the share of the incident's time interval (observed times +- uncertainty) inside the
  window; an incident with an end time (an alert, a closure) counts fully if it overlaps at all,
  and so does one whose notes tie it to the evacuation or the ceasefire (evacuees, buses, civilian
  convoys, corridors, humanitarian aid, "despite the agreement", in English, Ukrainian or Russian:
  :mod:`safepassage.monitor.evidence_text`) - the note says it happened while people were moving.

Responsibility (who the feeds name) is shown in the evidence, never weighed; the verdict lists the
:data:`MAX_EVIDENCE_ITEMS` strongest incidents, each with what / where / when / who / how sure
(:mod:`safepassage.monitor.evidence_summary`).

The **violation score** is the noisy-OR of the weights, ``1 - prod(1 - weight)``: the belief that at
least one violating incident happened on the route during the window. The **decision**:

1. An incident is *decisive* when one of its sources is verified or it has two or more independent
   sources (corroboration >= 2), and none of its sources is disputed. If the score of the decisive
   incidents alone reaches :data:`VIOLATED_AT` (0.5): **violated**, confidence = that score.
2. Else, if the decisive score reaches :data:`CONTESTED_AT` (0.2), or two or more non-decisive
   incidents together reach it, or a disputed incident weighs at least 0.1: **contested**,
   confidence = the score (the strength of the evidence that cannot settle it).
3. Else, if the feeds were reporting around the route during the window - ``n >= 1`` incidents of
   any kind within :data:`COVERAGE_RADIUS_M` of it, dated to within two days
   (:data:`COVERAGE_MAX_SPAN_S`; an event known only to "some time between February and October"
   says nothing about this window) and placed to within :data:`COVERAGE_MAX_RADIUS_M` (an oblast,
   not the whole country), overlapping it, not rejected (belief 0), *other than* the weak
   evidence on the route itself: **honoured**, confidence = ``(1 - score) * (1 - exp(-n / 5))``
   - silence on the route is worth more when the feeds are busy nearby.
4. Else **insufficient evidence**, confidence 0: the feeds say nothing about this place and time
   (or only weak, undecided reports of trouble on the route).

So a single unverified, uncorroborated report never decides: it is not decisive (rule 1), alone it
cannot make the evidence contested (rule 2 needs two), it does not count as the feeds' coverage
that lets silence mean "honoured" (rule 3), and it lowers the confidence of "honoured" through the
score.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from safepassage.errors import InputError
from safepassage.hazards.credibility import credibility
from safepassage.monitor.evidence_summary import describe_evidence
from safepassage.monitor.evidence_text import MOVEMENT_TOPICS, text_topics
from safepassage.monitor.feeds._sources import split_outlets
from safepassage.monitor.records import Evidence, Incident, Verdict, VerdictOutcome
from safepassage.network.projection import Projector
from safepassage.scenario.vocabulary import HazardKind, Verification

__all__ = [
    "CONTESTED_AT",
    "COVERAGE_MAX_RADIUS_M",
    "COVERAGE_MAX_SPAN_S",
    "COVERAGE_RADIUS_M",
    "DEFAULT_BUFFER_M",
    "KIND_WEIGHT",
    "MAX_EVIDENCE_ITEMS",
    "MAX_EVIDENCE_RADIUS_M",
    "MAX_EVIDENCE_TIME_UNCERTAINTY_S",
    "RULE_VERSION",
    "SUB_KIND_WEIGHT",
    "VIOLATED_AT",
    "IncidentIndex",
    "incident_belief",
    "incident_kind_weight",
    "index_incidents",
    "is_precise",
    "judge_corridor",
    "show_km",
]

RULE_VERSION = "verdict/3"  # verdict/2: no sub-kinds, no notes, whole-day share for day-dated events
#: Evidence items a verdict lists, strongest first: what a coordinator reads first.
MAX_EVIDENCE_ITEMS = 5
DEFAULT_BUFFER_M = 10_000.0
VIOLATED_AT = 0.5
CONTESTED_AT = 0.2
DISPUTED_WEIGHT_AT = 0.1
COVERAGE_RADIUS_M = 100_000.0
COVERAGE_SCALE = 5.0
COVERAGE_MAX_SPAN_S = 2 * 86_400.0
COVERAGE_MAX_RADIUS_M = 150_000.0
#: Located to a town, to within 25 km of one, or to a raion (ACLED geo_precision 1-2, UCDP
#: where_prec 1-3); an oblast, a region, a road's length or the country is no place on a route.
MAX_EVIDENCE_RADIUS_M = 50_000.0
#: Dated to the day (ACLED time_precision 1, UCDP date_prec 1: +- 12 h); a week, a month, or
#: "24 February - 23 September" is no time in a window.
MAX_EVIDENCE_TIME_UNCERTAINTY_S = 86_400.0
_MIN_RADIUS_M = 1.0
#: Topics of the notes that tie an event to the corridor (evidence_text): the event overlapping the
#: window is taken to have happened in it.
TIED_TOPICS = MOVEMENT_TOPICS | {"ceasefire"}

KIND_WEIGHT: Mapping[HazardKind, float] = {
    HazardKind.SHELLING: 1.0,
    HazardKind.AIR_STRIKE: 1.0,
    HazardKind.MISSILE: 1.0,
    HazardKind.FIGHTING: 1.0,
    HazardKind.SNIPER: 1.0,
    HazardKind.MINES: 1.0,
    HazardKind.CHECKPOINT_CLOSED: 0.8,
    HazardKind.ROAD_DAMAGE: 0.5,
    HazardKind.BRIDGE_DOWN: 0.5,
    HazardKind.LOOTING: 0.3,
    HazardKind.AIR_RAID_ALERT: 0.0,
    HazardKind.OTHER: 0.0,
}

#: The feeds' own event codes (casefolded) -> weight, where they say more than the kind (ACLED
#: codebook sub-event types; UCDP type of violence). Not listed: the kind's weight.
SUB_KIND_WEIGHT: Mapping[str, float] = {
    "shelling/artillery/missile attack": 1.0,
    "air/drone strike": 1.0,
    "remote explosive/landmine/ied": 1.0,
    "grenade": 1.0,
    "armed clash": 1.0,
    "attack": 1.0,  # an armed group attacks civilians
    "one-sided violence": 1.0,  # UCDP: an armed group kills civilians
    "abduction/forced disappearance": 0.8,  # people held, as at checkpoints on the corridors
    "government regains territory": 1.0,  # ACLED Battles: an armed clash that changed control
    "non-state actor overtakes territory": 1.0,
    "disrupted weapons use": 0.3,  # intercepted or defused: nothing landed
    "looting/property destruction": 0.3,  # 0.8 when the notes speak of humanitarian aid
}
LOOTED_AID_WEIGHT = 0.8

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def is_precise(incident: Incident) -> bool:
    """Whether an incident is placed and dated well enough to be evidence on a route (module doc)."""
    return (
        incident.lat is not None
        and incident.lon is not None
        and incident.radius_m <= MAX_EVIDENCE_RADIUS_M
        and incident.time_uncertainty_s <= MAX_EVIDENCE_TIME_UNCERTAINTY_S
    )


def incident_kind_weight(incident: Incident) -> float:
    """How much the incident says the corridor was not honoured: the highest of its sources' event
    codes in :data:`SUB_KIND_WEIGHT` (a source without a listed code counts the incident kind's
    :data:`KIND_WEIGHT`); looting whose notes speak of humanitarian aid weighs
    :data:`LOOTED_AID_WEIGHT`."""
    weights = []
    for source in incident.sources:
        code = source.sub_kind.casefold()
        weight = SUB_KIND_WEIGHT.get(code, KIND_WEIGHT[incident.kind])
        if code.startswith("looting") and "humanitarian" in text_topics(source.description):
            weight = LOOTED_AID_WEIGHT
        weights.append(weight)
    return max(weights, default=KIND_WEIGHT[incident.kind])


def incident_topics(incident: Incident) -> frozenset[str]:
    """The topics (:mod:`safepassage.monitor.evidence_text`) the notes of the incident's sources
    mention, rejected sources left out."""
    found: set[str] = set()
    for source in incident.sources:
        if source.verification is not Verification.REJECTED:
            found |= text_topics(source.description)
    return frozenset(found)


def incident_belief(incident: Incident) -> float:
    """Belief that the incident happened: noisy-OR over its distinct outlets (module docstring)."""
    seen: set[str] = set()
    disbelief = 1.0
    for source in incident.sources:
        outlets = {o.casefold() for o in split_outlets(source.source_name)} or {source.feed}
        fresh = len(outlets - seen)
        seen |= outlets
        disbelief *= (1.0 - credibility(source.source_type, source.verification)) ** fresh
    return 1.0 - disbelief


@dataclass(frozen=True)
class IncidentIndex:
    """Incidents as arrays in one metric plane, prepared once to judge many corridors."""

    incidents: tuple[Incident, ...]  # only those with a location
    projector: Projector
    x_m: FloatArray
    y_m: FloatArray
    radius_m: FloatArray
    start_s: FloatArray  # first observed - uncertainty (POSIX seconds)
    end_s: FloatArray  # (end or last observed) + uncertainty
    has_end: BoolArray
    belief: FloatArray
    kind_weight: FloatArray
    precise: BoolArray  # may be evidence on a route (is_precise)
    decisive: BoolArray
    disputed: BoolArray
    tied: BoolArray  # the notes tie it to the corridor: movement of people or aid, or the ceasefire


def index_incidents(
    incidents: Sequence[Incident], centre_lonlat: tuple[float, float] | None = None
) -> IncidentIndex:
    """Project incidents to an azimuthal equidistant plane centred on ``centre_lonlat`` (default: the
    incidents' median point). Within 1,000 km of the centre distances are right to 0.5 %."""
    located = tuple(i for i in incidents if i.lat is not None and i.lon is not None)
    lon = np.array([i.lon for i in located], dtype=float)
    lat = np.array([i.lat for i in located], dtype=float)
    if centre_lonlat is None:
        centre_lonlat = (float(np.median(lon)), float(np.median(lat))) if located else (31.0, 48.5)
    projector = Projector(
        f"+proj=aeqd +lat_0={centre_lonlat[1]:.3f} +lon_0={centre_lonlat[0]:.3f} "
        "+datum=WGS84 +units=m +no_defs"
    )
    x, y = projector.to_xy(lon, lat)
    return IncidentIndex(
        incidents=located,
        projector=projector,
        x_m=x,
        y_m=y,
        radius_m=np.array([max(i.radius_m, _MIN_RADIUS_M) for i in located], dtype=float),
        start_s=np.array(
            [i.first_observed_at.timestamp() - i.time_uncertainty_s for i in located], dtype=float
        ),
        end_s=np.array(
            [(i.ended_at or i.last_observed_at).timestamp() + i.time_uncertainty_s for i in located],
            dtype=float,
        ),
        has_end=np.array([i.ended_at is not None for i in located], dtype=bool),
        belief=np.array([incident_belief(i) for i in located], dtype=float),
        kind_weight=np.array([incident_kind_weight(i) for i in located], dtype=float),
        precise=np.array([is_precise(i) for i in located], dtype=bool),
        decisive=np.array([_decisive(i) for i in located], dtype=bool),
        disputed=np.array([_disputed(i) for i in located], dtype=bool),
        tied=np.array([bool(incident_topics(i) & TIED_TOPICS) for i in located], dtype=bool),
    )


def judge_corridor(
    corridor_id: str,
    route_lonlat: Sequence[tuple[float, float]],
    window_start: dt.datetime,
    window_end: dt.datetime,
    incidents: IncidentIndex | Sequence[Incident],
    buffer_m: float = DEFAULT_BUFFER_M,
) -> Verdict:
    """The verdict on one corridor (route as (lon, lat) points, buffer in metres) for one window.

    ``incidents`` may be an :class:`IncidentIndex` (prepared once with :func:`index_incidents` to
    judge many corridors) or the incidents themselves. Raises InputError for an empty route, a
    window ending before it starts, a naive datetime or a negative buffer.
    """
    _check_request(corridor_id, route_lonlat, window_start, window_end, buffer_m)
    if not isinstance(incidents, IncidentIndex):
        mean_lon = sum(p[0] for p in route_lonlat) / len(route_lonlat)
        mean_lat = sum(p[1] for p in route_lonlat) / len(route_lonlat)
        incidents = index_incidents(incidents, (mean_lon, mean_lat))
    index = incidents
    w_start, w_end = window_start.timestamp(), window_end.timestamp()
    in_time = (index.start_s < w_end) & (index.end_s > w_start)
    candidates = np.flatnonzero(in_time)
    rx, ry = index.projector.to_xy([p[0] for p in route_lonlat], [p[1] for p in route_lonlat])
    route = (
        shapely.LineString(np.column_stack([rx, ry]))
        if len(route_lonlat) > 1
        else shapely.Point(rx[0], ry[0])
    )
    distance = shapely.distance(route, shapely.points(index.x_m[candidates], index.y_m[candidates]))
    distance = np.asarray(distance, dtype=float)
    radius = index.radius_m[candidates]
    span = index.end_s[candidates] - index.start_s[candidates]
    live = (
        (distance <= COVERAGE_RADIUS_M + radius)
        & (span <= COVERAGE_MAX_SPAN_S)
        & (radius <= COVERAGE_MAX_RADIUS_M)
        & (index.belief[candidates] > 0.0)  # a rejected report shows nothing, not even live feeds
    )
    place = _place_share(distance, radius, buffer_m)
    time = _time_share(index, candidates, w_start, w_end)
    weight = index.belief[candidates] * index.kind_weight[candidates] * place * time
    weight = np.where(index.precise[candidates], weight, 0.0)
    chosen = weight > 0.0
    background = int(np.count_nonzero(live & ~chosen))
    members, weight, distance = candidates[chosen], weight[chosen], distance[chosen]
    window = (window_start, window_end)
    evidence = _evidence(index, members, weight, distance, window)
    return _decide(corridor_id, window, buffer_m, index, members, weight, background, evidence)


def _decide(
    corridor_id: str,
    window: tuple[dt.datetime, dt.datetime],
    buffer_m: float,
    index: IncidentIndex,
    members: npt.NDArray[np.intp],
    weight: FloatArray,
    background: int,
    evidence: tuple[Evidence, ...],
) -> Verdict:
    decisive, disputed = index.decisive[members], index.disputed[members]
    score = _noisy_or(weight)
    decisive_score = _noisy_or(weight[decisive])
    undecided = weight[~decisive & ~disputed]
    undecided_score = _noisy_or(undecided) if np.count_nonzero(undecided > 0.0) >= 2 else 0.0
    heavy_dispute = bool(np.any(weight[disputed] >= DISPUTED_WEIGHT_AT))
    n_decisive = int(np.count_nonzero(decisive))
    on_route = f"within {show_km(buffer_m)} of the route"
    nearby = f"within {show_km(COVERAGE_RADIUS_M)} of it (coverage only, not evidence)"
    if decisive_score >= VIOLATED_AT:
        outcome, confidence = VerdictOutcome.VIOLATED, decisive_score
        reason = (
            f"{n_decisive} decisive incident(s) {on_route} in the window, decisive score {decisive_score:.2f}"
        )
    elif decisive_score >= CONTESTED_AT or undecided_score >= CONTESTED_AT or heavy_dispute:
        outcome, confidence = VerdictOutcome.CONTESTED, score
        reason = (
            f"evidence of violation {on_route} that cannot settle it: "
            f"decisive score {decisive_score:.2f}, "
            f"{len(undecided)} uncorroborated unverified incident(s), "
            f"disputed: {'yes' if heavy_dispute else 'no'}"
        )
    elif background > 0:
        outcome = VerdictOutcome.HONOURED
        confidence = (1.0 - score) * (1.0 - math.exp(-background / COVERAGE_SCALE))
        reason = (
            f"{background} other incident(s) reported {nearby} in the window; "
            f"{len(members)} report(s) {on_route} too weak to decide "
            f"(score {score:.2f}, decisive score {decisive_score:.2f})"
        )
    else:
        outcome, confidence = VerdictOutcome.INSUFFICIENT_EVIDENCE, 0.0
        reason = (
            f"no other incident reported {nearby} in the window; "
            f"{len(members)} report(s) {on_route} too weak to decide"
        )
    if len(members) > len(evidence):
        reason += f"; the {len(evidence)} strongest of {len(members)} incidents listed"
    return Verdict(
        corridor_id=corridor_id,
        window_start=window[0],
        window_end=window[1],
        outcome=outcome,
        violation_score=score,
        confidence=float(confidence),
        evidence=evidence,
        rule_version=RULE_VERSION,
        reason=reason,
    )


def show_km(metres: float) -> str:
    """A distance as coordinators read it: ``10 km``, ``2.5 km``, ``500 m``."""
    if metres < 1_000.0:
        return f"{metres:,.0f} m"
    km = metres / 1_000.0
    return f"{km:,.0f} km" if km == round(km) else f"{km:,.1f} km"


def _place_share(distance: FloatArray, radius: FloatArray, buffer_m: float) -> FloatArray:
    """Share of [d - r, d + r] inside [-buffer, buffer]."""
    low = np.maximum(distance - radius, -buffer_m)
    high = np.minimum(distance + radius, buffer_m)
    share: FloatArray = np.clip(high - low, 0.0, None) / (2.0 * radius)
    return share


def _time_share(
    index: IncidentIndex, members: npt.NDArray[np.intp], w_start: float, w_end: float
) -> FloatArray:
    start, end = index.start_s[members], index.end_s[members]
    overlap = np.clip(np.minimum(end, w_end) - np.maximum(start, w_start), 0.0, None)
    span = np.maximum(end - start, 1.0)
    share = np.minimum(overlap / span, 1.0)
    # An alert or a closure with an end time, or an event whose notes place it in the evacuation or
    # the ceasefire ("shelled the buses waiting to leave"), happened in the window if it overlaps it.
    pinned = (index.has_end[members] | index.tied[members]) & (overlap > 0.0)
    return np.where(pinned, 1.0, share)


def _noisy_or(weights: FloatArray) -> float:
    return float(1.0 - np.prod(1.0 - np.clip(weights, 0.0, 1.0))) if weights.size else 0.0


def _evidence(
    index: IncidentIndex,
    members: npt.NDArray[np.intp],
    weight: FloatArray,
    distance: FloatArray,
    window: tuple[dt.datetime, dt.datetime],
) -> tuple[Evidence, ...]:
    """The :data:`MAX_EVIDENCE_ITEMS` strongest incidents, each described for a coordinator."""
    ranked = sorted(
        zip(members.tolist(), weight.tolist(), distance.tolist(), strict=True),
        key=lambda item: (-item[1], index.incidents[item[0]].id),
    )
    items = []
    for position, w, d in ranked[:MAX_EVIDENCE_ITEMS]:
        incident = index.incidents[position]
        decisive = bool(index.decisive[position])
        text = describe_evidence(
            incident,
            distance_m=d,
            window=window,
            belief=float(index.belief[position]),
            decisive=decisive,
            disputed=bool(index.disputed[position]),
            tied=bool(index.tied[position]),
        )
        items.append(
            Evidence(
                incident_id=incident.id,
                sources=tuple(s.source_name for s in incident.sources),
                distance_to_route_m=round(d, 1),
                observed_at=incident.first_observed_at,
                weight=w,
                kind=incident.kind,
                decisive=decisive,
                what=text.what,
                where=text.where,
                when=text.when,
                who=text.who,
                how_sure=text.how_sure,
            )
        )
    return tuple(items)


def _decisive(incident: Incident) -> bool:
    verified = any(s.verification is Verification.VERIFIED for s in incident.sources)
    return (verified or incident.corroboration >= 2) and not _disputed(incident)


def _disputed(incident: Incident) -> bool:
    return any(s.verification is Verification.DISPUTED for s in incident.sources)


def _check_request(
    corridor_id: str,
    route_lonlat: Sequence[tuple[float, float]],
    window_start: dt.datetime,
    window_end: dt.datetime,
    buffer_m: float,
) -> None:
    if not route_lonlat:
        raise InputError(f"corridor {corridor_id}: the route has no points; expected (lon, lat) pairs")
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise InputError(f"corridor {corridor_id}: window times must carry a time zone (UTC)")
    if window_end <= window_start:
        raise InputError(
            f"corridor {corridor_id}: window ends {window_end.isoformat()} "
            f"before it starts {window_start.isoformat()}"
        )
    if not buffer_m >= 0.0:
        raise InputError(f"corridor {corridor_id}: buffer {buffer_m} m is negative; expected metres >= 0")
