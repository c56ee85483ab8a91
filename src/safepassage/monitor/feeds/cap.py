"""CAP 1.2 XML alerts (OASIS Common Alerting Protocol), as issued by alerting authorities.

A file holds one ``<alert>`` or any XML document containing several (an archive, an Atom feed's
entries). Each ``<info>`` block of an alert becomes one report; its id is the alert's
``identifier`` (``identifier#2`` for the second info block, and so on).

- Only ``status`` *Actual* is ingested; *Exercise*, *System*, *Test* and *Draft* messages, and
  ``msgType`` *Cancel* or *Error*, are reported as skipped rows with the reason.
- Time: ``onset``, else ``effective``, else the alert's ``sent``; ``expires`` is the end. The
  uncertainty is 300 s (CAP times are issue times, to the second, of an announced event).
- Place: the circle covering every ``<polygon>`` ("lat,lon lat,lon ...") and ``<circle>``
  ("lat,lon radius_km") of the block's areas (see ``_geo``); an area with neither is placed from its
  ``areaDesc`` when that names an oblast; otherwise the block is a row error.
- Kind: from the ``event`` and ``headline`` words (air raid/air alert -> air_raid_alert, missile or
  rocket -> missile, shelling/artillery -> shelling, strike/bomb -> air_strike, mine/UXO -> mines,
  fighting/combat -> fighting, checkpoint -> checkpoint_closed, bridge -> bridge_down, road ->
  road_damage, else other).
- Source: ``senderName`` (else ``sender``); CAP is issued by authorities, so the type is ``official``
  unless the name is a UN or monitoring body (then ``un``). Verification: certainty *Observed*
  means the issuer states the event happened -> ``verified``; *Likely*, *Possible*... -> ``unverified``.

Line numbers: ElementTree does not keep them, so each ``<info>`` is matched, in document order, to
the n-th ``<info`` tag in the text. XML with a DOCTYPE is refused (CAP never needs one, and entity
declarations are the known XML attack vector).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from safepassage.errors import FeedError
from safepassage.monitor.feeds._geo import covering_circle
from safepassage.monitor.feeds._sources import classify_outlet
from safepassage.monitor.feeds._time import parse_iso_utc
from safepassage.monitor.gazetteer import oblast_area
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["CAP_NAMESPACE", "iter_cap"]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
_NS = {"cap": CAP_NAMESPACE}
_TIME_UNCERTAINTY_S = 300.0
_INFO_TAG = re.compile(r"<(?:[\w.-]+:)?info[\s>/]")
_KIND_WORDS: tuple[tuple[re.Pattern[str], HazardKind], ...] = (
    (re.compile(r"air[ -]?raid|air alert", re.I), HazardKind.AIR_RAID_ALERT),
    (re.compile(r"missile|rocket", re.I), HazardKind.MISSILE),
    (re.compile(r"shell|artillery|mortar", re.I), HazardKind.SHELLING),
    (re.compile(r"strike|bomb", re.I), HazardKind.AIR_STRIKE),
    (re.compile(r"\bmines?\b|landmine|\buxo\b|unexploded", re.I), HazardKind.MINES),
    (re.compile(r"fight|combat|clash", re.I), HazardKind.FIGHTING),
    (re.compile(r"checkpoint", re.I), HazardKind.CHECKPOINT_CLOSED),
    (re.compile(r"bridge", re.I), HazardKind.BRIDGE_DOWN),
    (re.compile(r"road", re.I), HazardKind.ROAD_DAMAGE),
)


def iter_cap(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a CAP 1.2 file; skipped or malformed info blocks come out as RowError."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise FeedError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise FeedError(f"{path}: XML with a DOCTYPE or entity declarations is refused; CAP needs neither")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise FeedError(f"{path}:{exc.position[0]}: not well-formed XML ({exc})") from exc
    alerts = [root] if root.tag == f"{{{CAP_NAMESPACE}}}alert" else root.findall(".//cap:alert", _NS)
    if not alerts:
        raise FeedError(f"{path}: no CAP 1.2 <alert> element (namespace {CAP_NAMESPACE})")
    info_lines = [text.count("\n", 0, m.start()) + 1 for m in _INFO_TAG.finditer(text)]
    info_index = 0
    for alert in alerts:
        infos = alert.findall("cap:info", _NS)
        for number, info in enumerate(infos, start=1):
            line = info_lines[info_index] if info_index < len(info_lines) else 0
            info_index += 1
            try:
                yield _report(alert, info, number, line)
            except ValueError as exc:
                yield RowError(str(path), line, str(exc))


def _text(element: ET.Element, name: str) -> str:
    found = element.find(f"cap:{name}", _NS)
    return (found.text or "").strip() if found is not None else ""


def _report(alert: ET.Element, info: ET.Element, number: int, line: int) -> IncidentReport:
    identifier = _text(alert, "identifier")
    if not identifier:
        raise ValueError("alert has no <identifier>")
    status, msg_type = _text(alert, "status"), _text(alert, "msgType")
    if status != "Actual":
        raise ValueError(
            f"alert {identifier} has status {status or 'missing'!r}; only Actual alerts are ingested"
        )
    if msg_type in ("Cancel", "Error"):
        raise ValueError(f"alert {identifier} is a {msg_type} message, not a report of an incident")
    when_text = _text(info, "onset") or _text(info, "effective") or _text(alert, "sent")
    try:
        observed = parse_iso_utc(when_text)
    except ValueError:
        raise ValueError(f"alert {identifier}: time {when_text!r} is not an ISO-8601 timestamp") from None
    expires_text = _text(info, "expires")
    try:
        ended = parse_iso_utc(expires_text) if expires_text else None
    except ValueError:
        raise ValueError(
            f"alert {identifier}: expires {expires_text!r} is not an ISO-8601 timestamp"
        ) from None
    lat, lon, radius_m, area_desc = _place(info, identifier)
    event, headline = _text(info, "event"), _text(info, "headline")
    sender = _text(info, "senderName") or _text(alert, "sender")
    source_type = SourceType.UN if classify_outlet(sender) is SourceType.UN else SourceType.OFFICIAL
    certainty = _text(info, "certainty")
    return IncidentReport(
        feed="cap",
        source_id=identifier if number == 1 else f"{identifier}#{number}",
        kind=_kind(f"{event} {headline}"),
        observed_at=observed,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        time_uncertainty_s=_TIME_UNCERTAINTY_S,
        source_name=sender or "CAP",
        source_type=source_type,
        verification=Verification.VERIFIED if certainty == "Observed" else Verification.UNVERIFIED,
        ended_at=ended,
        location_name=area_desc,
        description=" - ".join(part for part in (headline, _text(info, "description")) if part),
        line=line,
        raw={"identifier": identifier, "event": event, "certainty": certainty, "msgType": msg_type},
    )


def _place(info: ET.Element, identifier: str) -> tuple[float, float, float, str]:
    vertices: list[tuple[float, float]] = []
    circles: list[tuple[float, float, float]] = []
    descriptions: list[str] = []
    for area in info.findall("cap:area", _NS):
        descriptions.append(_text(area, "areaDesc"))
        for polygon in area.findall("cap:polygon", _NS):
            vertices.extend(_pairs(polygon.text or "", identifier))
        for circle in area.findall("cap:circle", _NS):
            centre, _, radius_km = (circle.text or "").strip().partition(" ")
            (lon, lat), *_ = _pairs(centre, identifier)
            try:
                circles.append((lon, lat, float(radius_km) * 1000.0))
            except ValueError:
                raise ValueError(
                    f"alert {identifier}: circle radius {radius_km!r} is not a number (km)"
                ) from None
    area_desc = "; ".join(d for d in descriptions if d)
    if vertices or circles:
        lat, lon, radius_m = covering_circle(vertices, circles, min_radius_m=1000.0)
        return lat, lon, radius_m, area_desc
    for description in descriptions:
        oblast = oblast_area(description)
        if oblast is not None:
            return oblast.lat, oblast.lon, oblast.radius_m, area_desc
    raise ValueError(f"alert {identifier}: no polygon, circle or known oblast in its <area> ({area_desc!r})")


def _pairs(text: str, identifier: str) -> list[tuple[float, float]]:
    """CAP "lat,lon lat,lon" pairs as (lon, lat)."""
    pairs: list[tuple[float, float]] = []
    for token in text.split():
        lat_text, _, lon_text = token.partition(",")
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise ValueError(f"alert {identifier}: coordinate {token!r} is not 'lat,lon'") from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise ValueError(f"alert {identifier}: coordinate {token!r} is out of range")
        pairs.append((lon, lat))
    if not pairs:
        raise ValueError(f"alert {identifier}: empty coordinate list")
    return pairs


def _kind(words: str) -> HazardKind:
    for pattern, kind in _KIND_WORDS:
        if pattern.search(words):
            return kind
    return HazardKind.OTHER
