"""Incident feeds: read a file of reports in one of the supported formats, row by row.

:func:`iter_feed` is the one entry point: it yields an
:class:`~safepassage.monitor.report.IncidentReport` per good row and a
:class:`~safepassage.monitor.report.RowError` (file, line, reason) per malformed row, and carries on.
A file that cannot be read at all, or whose format is unknown, raises
:class:`~safepassage.errors.FeedError` naming the file and the formats accepted.

Formats (each module's docstring documents its fields and precision mapping):

=========  ==================================================================
acled      ACLED CSV export (:mod:`.acled`)
ucdp       UCDP GED CSV (:mod:`.ucdp`)
cap        CAP 1.2 XML alerts (:mod:`.cap`)
alerts     air-raid alerts: siren CSV (volunteer or official layout) or alerts.in.ua API JSON
           (:mod:`.alerts`)
geojson    GeoJSON FeatureCollection of reports (:mod:`.geojson`)
=========  ==================================================================

Every number and time read is checked against :mod:`safepassage.bounds`; JSON is read with
:mod:`safepassage.json_input` (size and nesting limited before parsing) and XML with ``defusedxml``.
Event text is classed with the one English/Ukrainian/Russian vocabulary of :mod:`.event_kinds`.
CAP cancellations and updates are kept as reports and applied with :func:`resolve_references`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from safepassage.errors import FeedError
from safepassage.json_input import load_json
from safepassage.monitor.feeds.acled import iter_acled
from safepassage.monitor.feeds.alerts import iter_alerts
from safepassage.monitor.feeds.cap import CAP_NAMESPACE, iter_cap
from safepassage.monitor.feeds.event_kinds import event_kind
from safepassage.monitor.feeds.geojson import iter_geojson
from safepassage.monitor.feeds.references import resolve_references
from safepassage.monitor.feeds.ucdp import iter_ucdp
from safepassage.monitor.report import IncidentReport, RowError

__all__ = ["FORMATS", "event_kind", "guess_format", "iter_feed", "resolve_references"]

FeedParser = Callable[[Path], Iterator[IncidentReport | RowError]]

#: Format name -> parser. The names are those of ``safepassage ingest --format``.
FORMATS: dict[str, FeedParser] = {
    "acled": iter_acled,
    "ucdp": iter_ucdp,
    "cap": iter_cap,
    "alerts": iter_alerts,
    "geojson": iter_geojson,
}

_CSV_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("acled", frozenset({"event_id_cnty", "sub_event_type"})),
    ("ucdp", frozenset({"where_prec", "date_prec"})),
    ("alerts", frozenset({"region", "started_at", "finished_at"})),
    ("alerts", frozenset({"oblast", "level", "started_at", "finished_at"})),
)
_SNIFF_BYTES = 65_536
_JSON_FORMATS = ("alerts", "geojson")


def _accepted() -> str:
    return ", ".join(sorted(FORMATS))


def guess_format(path: Path) -> str:
    """The feed format of ``path`` from its first bytes (CSV header, XML namespace, JSON shape).

    Raises FeedError when the file cannot be opened or its format is not recognised.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    stripped = head.lstrip()
    if stripped.startswith("<"):
        if CAP_NAMESPACE in head:
            return "cap"
    elif stripped.startswith(("{", "[")):
        fmt = _json_format(path, stripped)
        if fmt is not None:
            return fmt
    elif stripped:
        columns = {name.strip().strip('"') for name in stripped.splitlines()[0].split(",")}
        for fmt, signature in _CSV_SIGNATURES:
            if signature <= columns:
                return fmt
    raise FeedError(
        f"{path}: cannot tell the feed format from its content; give --format, one of: {_accepted()}"
    )


def _json_format(path: Path, head: str) -> str | None:
    """geojson for a FeatureCollection; alerts for a top-level "alerts" array (even empty) or a list
    of alerts (an empty list too: no other format is a bare list)."""
    if '"FeatureCollection"' in head:
        return "geojson"
    if '"location_title"' in head:
        return "alerts"
    # The signature words may lie beyond the sniffed head: look at the whole document (a file that
    # is not valid, safe JSON says why, naming the line).
    document = load_json(path, expected=f"a JSON feed ({', '.join(_JSON_FORMATS)})", error=FeedError).value
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        return "geojson"
    if isinstance(document, dict) and isinstance(document.get("alerts"), list):
        return "alerts"
    if isinstance(document, list) and (
        not document or (isinstance(document[0], dict) and "location_title" in document[0])
    ):
        return "alerts"
    return None


def iter_feed(path: Path, fmt: str | None = None) -> Iterator[IncidentReport | RowError]:
    """Reports and row errors from one feed file, in file order.

    ``fmt`` is one of :data:`FORMATS` (guessed with :func:`guess_format` when None). Raises FeedError
    for an unknown format or a file that cannot be read at all (at the call for a missing file or
    unknown format, while iterating for a file whose content is unreadable as that format).
    """
    if fmt is not None and fmt.strip().casefold() not in FORMATS:
        raise FeedError(f"{path}: unknown feed format {fmt!r}; expected one of: {_accepted()}")
    if not path.is_file():
        raise FeedError(f"{path}: no such feed file")
    name = fmt.strip().casefold() if fmt is not None else guess_format(path)
    return _storable(path, FORMATS[name](path))


def _storable(path: Path, items: Iterator[IncidentReport | RowError]) -> Iterator[IncidentReport | RowError]:
    """The items, with a report whose text cannot be stored (a NUL character, which PostgreSQL
    refuses, or a lone surrogate such as JSON's ``"\\ud800"``, which is not UTF-8) turned into a row
    error: it would otherwise make the store refuse the whole batch it is in."""
    for item in items:
        if isinstance(item, IncidentReport):
            problem = _unstorable_text(item)
            if problem:
                yield RowError(str(path), item.line, problem)
                continue
        yield item


def _unstorable_text(report: IncidentReport) -> str:
    texts = [report.source_id, report.source_name, report.location_name, report.description]
    texts += [text for pair in report.raw.items() for text in pair]
    joined = "".join(texts)
    if "\x00" not in joined and joined.isascii():
        return ""
    try:
        joined.encode("utf-8")
        if "\x00" not in joined:
            return ""
    except UnicodeEncodeError:
        pass
    fields = {
        "id": report.source_id,
        "source": report.source_name,
        "location": report.location_name,
        "description": report.description,
    }
    for key, value in report.raw.items():
        fields[f"field {key[:40]!r}"] = f"{key}{value}"
    for name, text in fields.items():
        if "\x00" in text:
            return f"{name} holds a NUL character; expected text"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return f"{name} holds an invalid character (a lone UTF-16 surrogate); expected text"
    return ""
