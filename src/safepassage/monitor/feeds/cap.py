"""CAP 1.2 XML alerts (OASIS Common Alerting Protocol), as issued by alerting authorities.

A file holds one ``<alert>`` or any XML document containing several (an archive, an Atom feed's
entries). Each ``<info>`` block of an alert becomes one report; its id is the alert's
``identifier`` (``identifier#2`` for the second info block, and so on).

- Only ``status`` *Actual* is ingested; *Exercise*, *System*, *Test* and *Draft* messages, and
  ``msgType`` *Ack* or *Error*, are reported as skipped rows with the reason.
- ``msgType`` *Update* and *Cancel* name earlier alerts in ``<references>`` ("sender,identifier,sent"
  triples). An *Update* is read like an *Alert* and **replaces** the alerts it references: they end
  when the update was sent. A *Cancel* **ends** the alerts it references when it was sent; it becomes
  one report without a location (kind ``other``, which closes nothing and is never evidence) that
  carries the references, so that it is stored and still takes effect when the alert it cancels came
  in another file. :func:`safepassage.monitor.feeds.resolve_references` applies both to a set of
  reports; the monitor's merge and replay call it. Only an alert of the same ``sender`` is ended.
- Time: ``onset``, else ``effective``, else the alert's ``sent``; ``expires`` is the end. The
  uncertainty is 300 s (CAP times are issue times, to the second, of an announced event). Every
  time must lie in 1900-2100 (:func:`safepassage.bounds.check_instant`).
- Place: the circle covering every ``<polygon>`` ("lat,lon lat,lon ...") and ``<circle>``
  ("lat,lon radius_km"; the radius 0 for a point, else within :data:`safepassage.bounds.RADIUS_M`)
  of the block's areas (see ``_geo``); an area with neither is placed from its ``areaDesc`` when that
  names an oblast; otherwise the block is a row error.
- Kind: from the ``event`` and ``headline`` words, in English, Ukrainian or Russian
  (:mod:`safepassage.monitor.feeds.event_kinds`); else ``other``.
- Source: ``senderName`` (else ``sender``); CAP is issued by authorities, so the type is ``official``
  unless the name is a UN or monitoring body (then ``un``). Verification: certainty *Observed*
  means the issuer states the event happened -> ``verified``; *Likely*, *Possible*... -> ``unverified``.

The XML is parsed with ``defusedxml``: a document type declaration, entity or external reference is
refused with a clear error (CAP needs none of them, and they are the known XML attacks); text that
merely mentions one (``&lt;!DOCTYPE``) is read. Line numbers: ElementTree does not keep them, so each
``<info>`` (and each ``<alert>``) is matched, in document order, to the n-th such tag in the text.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from safepassage.bounds import RADIUS_M, show_value
from safepassage.errors import FeedError
from safepassage.json_input import read_text
from safepassage.monitor.feeds._fields import parse_coordinate
from safepassage.monitor.feeds._geo import covering_circle
from safepassage.monitor.feeds._sources import classify_outlet
from safepassage.monitor.feeds._time import parse_time_field
from safepassage.monitor.feeds.event_kinds import event_kind
from safepassage.monitor.gazetteer import oblast_area
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["CAP_NAMESPACE", "MAX_CAP_BYTES", "iter_cap"]

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
#: Largest CAP file read (bytes); an alert is a few kilobytes, an archive of a year a few hundred MB.
MAX_CAP_BYTES = 512 * 1024 * 1024
_NS = {"cap": CAP_NAMESPACE}
_TIME_UNCERTAINTY_S = 300.0
_MIN_RADIUS_M = 1000.0
_INFO_TAG = re.compile(r"<(?:[\w.-]+:)?info[\s>/]")
_ALERT_TAG = re.compile(r"<(?:[\w.-]+:)?alert[\s>/]")
_SKIPPED_TYPES = frozenset({"Ack", "Error"})


@dataclass(frozen=True)
class _Header:
    """What an ``<alert>`` says about itself, shared by its info blocks."""

    identifier: str
    sender: str
    sent_text: str
    status: str
    msg_type: str
    references: str


def iter_cap(path: Path) -> Iterator[IncidentReport | RowError]:
    """Reports from a CAP 1.2 file; skipped or malformed info blocks come out as RowError."""
    text = read_text(path, expected="a CAP 1.2 XML document", error=FeedError, max_bytes=MAX_CAP_BYTES)
    try:
        # The text is parsed as decoded (UTF-8): an encoding declaration cannot make it read otherwise.
        root = SafeET.fromstring(text, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(
            f"{path}: XML with a DOCTYPE, entity declarations or external references is refused "
            f"({type(exc).__name__}); CAP needs none of them"
        ) from exc
    except ET.ParseError as exc:
        raise FeedError(f"{path}:{exc.position[0]}: not well-formed XML ({exc}); expected CAP 1.2") from exc
    except (LookupError, ValueError) as exc:
        raise FeedError(f"{path}: unreadable XML ({str(exc)[:120]}); expected CAP 1.2 in UTF-8") from exc
    alerts = [root] if root.tag == f"{{{CAP_NAMESPACE}}}alert" else root.findall(".//cap:alert", _NS)
    if not alerts:
        raise FeedError(f"{path}: no CAP 1.2 <alert> element (namespace {CAP_NAMESPACE})")
    info_lines = [text.count("\n", 0, m.start()) + 1 for m in _INFO_TAG.finditer(text)]
    alert_lines = [text.count("\n", 0, m.start()) + 1 for m in _ALERT_TAG.finditer(text)]
    info_index = 0
    for alert_number, alert in enumerate(alerts):
        alert_line = alert_lines[alert_number] if alert_number < len(alert_lines) else 0
        infos = alert.findall("cap:info", _NS)
        lines = info_lines[info_index : info_index + len(infos)]
        info_index += len(infos)
        yield from _alert_items(path, alert, infos, alert_line, lines)


def _alert_items(
    path: Path, alert: ET.Element, infos: list[ET.Element], alert_line: int, lines: list[int]
) -> Iterator[IncidentReport | RowError]:
    try:
        header = _header(alert)
        if header.msg_type == "Cancel":
            yield _cancel_report(header, infos[0] if infos else None, alert_line)
            return
    except ValueError as exc:
        for line in lines or [alert_line]:
            yield RowError(str(path), line, str(exc))
        return
    if not infos:
        yield RowError(str(path), alert_line, f"alert {header.identifier} has no <info> block to report")
    for number, info in enumerate(infos, start=1):
        line = lines[number - 1] if number - 1 < len(lines) else alert_line
        try:
            yield _report(header, info, number, line)
        except ValueError as exc:
            yield RowError(str(path), line, str(exc))


def _text(element: ET.Element, name: str) -> str:
    found = element.find(f"cap:{name}", _NS)
    return (found.text or "").strip() if found is not None else ""


def _header(alert: ET.Element) -> _Header:
    identifier = _text(alert, "identifier")
    if not identifier:
        raise ValueError("alert has no <identifier>")
    if len(identifier) > 180:
        raise ValueError(f"alert identifier {show_value(identifier)} is longer than 180 characters")
    header = _Header(
        identifier=identifier,
        sender=_text(alert, "sender"),
        sent_text=_text(alert, "sent"),
        status=_text(alert, "status"),
        msg_type=_text(alert, "msgType") or "Alert",
        references=" ".join(_text(alert, "references").split()),
    )
    if header.status != "Actual":
        raise ValueError(
            f"alert {identifier} has status {show_value(header.status or 'missing')}; "
            "only Actual alerts are ingested"
        )
    if header.msg_type in _SKIPPED_TYPES:
        raise ValueError(f"alert {identifier} is an {header.msg_type} message, not a report of an incident")
    if header.msg_type in ("Cancel", "Update") and not header.references:
        raise ValueError(
            f"alert {identifier} is a {header.msg_type} that names no earlier alert in <references>"
        )
    return header


def _raw(header: _Header, sent: dt.datetime, **more: str) -> dict[str, str]:
    raw = {
        "identifier": header.identifier,
        "sender": header.sender,
        "sent": sent.isoformat(),
        "msgType": header.msg_type,
        **more,
    }
    if header.references:
        raw["references"] = header.references
    return raw


def _cancel_report(header: _Header, info: ET.Element | None, line: int) -> IncidentReport:
    """The record of a Cancel: no place, kind ``other``; it ends the alerts it references."""
    sent = parse_time_field(header.sent_text, f"alert {header.identifier}: sent")
    sender_name = (_text(info, "senderName") if info is not None else "") or header.sender
    named = ", ".join(
        triple.split(",")[1] if "," in triple else triple for triple in header.references.split()
    )
    return IncidentReport(
        feed="cap",
        source_id=header.identifier,
        kind=HazardKind.OTHER,
        observed_at=sent,
        lat=None,
        lon=None,
        radius_m=_MIN_RADIUS_M,
        time_uncertainty_s=_TIME_UNCERTAINTY_S,
        source_name=sender_name or "CAP",
        source_type=_source_type(sender_name),
        verification=Verification.VERIFIED,
        description=f"cancels {named[:500]}",
        line=line,
        raw=_raw(header, sent),
    )


def _source_type(sender: str) -> SourceType:
    return SourceType.UN if classify_outlet(sender) is SourceType.UN else SourceType.OFFICIAL


def _report(header: _Header, info: ET.Element, number: int, line: int) -> IncidentReport:
    identifier = header.identifier
    sent = parse_time_field(header.sent_text, f"alert {identifier}: sent")
    when_name = "onset" if _text(info, "onset") else "effective" if _text(info, "effective") else ""
    observed = (
        parse_time_field(_text(info, when_name), f"alert {identifier}: {when_name}") if when_name else sent
    )
    expires_text = _text(info, "expires")
    ended = parse_time_field(expires_text, f"alert {identifier}: expires") if expires_text else None
    lat, lon, radius_m, area_desc = _place(info, identifier)
    event, headline = _text(info, "event"), _text(info, "headline")
    sender = _text(info, "senderName") or header.sender
    certainty = _text(info, "certainty")
    return IncidentReport(
        feed="cap",
        source_id=identifier if number == 1 else f"{identifier}#{number}",
        kind=event_kind(f"{event} {headline}"),
        observed_at=observed,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        time_uncertainty_s=_TIME_UNCERTAINTY_S,
        source_name=sender or "CAP",
        source_type=_source_type(sender),
        verification=Verification.VERIFIED if certainty == "Observed" else Verification.UNVERIFIED,
        ended_at=ended,
        location_name=area_desc,
        description=" - ".join(part for part in (headline, _text(info, "description")) if part),
        line=line,
        raw=_raw(header, sent, event=event, certainty=certainty),
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
            circles.append((lon, lat, _radius_m(radius_km.strip(), identifier)))
    area_desc = "; ".join(d for d in descriptions if d)[:500]
    if vertices or circles:
        lat, lon, radius_m = covering_circle(vertices, circles, min_radius_m=_MIN_RADIUS_M)
        return lat, lon, radius_m, area_desc
    for description in descriptions:
        oblast = oblast_area(description)
        if oblast is not None:
            return oblast.lat, oblast.lon, oblast.radius_m, area_desc
    raise ValueError(
        f"alert {identifier}: no polygon, circle or known oblast in its <area> ({show_value(area_desc)})"
    )


def _radius_m(text: str, identifier: str) -> float:
    """A CAP circle radius (km) in metres: 0 (a point) or within the documented radius range."""
    try:
        radius_km = float(text)
    except ValueError:
        raise ValueError(
            f"alert {identifier}: circle radius {show_value(text)} is not a number (km)"
        ) from None
    if radius_km == 0.0:
        return 0.0
    try:
        return RADIUS_M.check(radius_km * 1000.0)
    except ValueError:
        raise ValueError(
            f"alert {identifier}: circle radius {show_value(text)} km is out of range; expected 0 (a point) "
            f"or {RADIUS_M.expected()} ({RADIUS_M.high / 1000:g} km)"
        ) from None


def _pairs(text: str, identifier: str) -> list[tuple[float, float]]:
    """CAP "lat,lon lat,lon" pairs as (lon, lat), each within the coordinate ranges."""
    pairs: list[tuple[float, float]] = []
    for token in text.split():
        lat_text, comma, lon_text = token.partition(",")
        if not comma:
            raise ValueError(f"alert {identifier}: coordinate {show_value(token)} is not 'lat,lon'")
        try:
            lat = parse_coordinate(lat_text, "latitude", 90.0)
            lon = parse_coordinate(lon_text, "longitude", 180.0)
        except ValueError as exc:
            raise ValueError(f"alert {identifier}: coordinate {show_value(token)}: {exc}") from None
        pairs.append((lon, lat))
    if not pairs:
        raise ValueError(f"alert {identifier}: empty coordinate list")
    return pairs
