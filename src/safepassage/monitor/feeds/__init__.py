"""Incident feeds: read a file of reports in one of the supported formats, row by row.

:func:`iter_feed` is the one entry point: it yields an
:class:`~safepassage.monitor.report.IncidentReport` per good row and a
:class:`~safepassage.monitor.report.RowError` (file, line, reason) per malformed row, and carries on.
A file that cannot be read at all, or whose format is unknown, raises
:class:`~safepassage.errors.FeedError` naming the file and the formats accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from safepassage.errors import FeedError
from safepassage.monitor.feeds.acled import iter_acled
from safepassage.monitor.report import IncidentReport, RowError

__all__ = ["FORMATS", "guess_format", "iter_feed"]

FeedParser = Callable[[Path], Iterator[IncidentReport | RowError]]

#: Format name -> parser. The names are those of ``safepassage ingest --format``.
FORMATS: dict[str, FeedParser] = {
    "acled": iter_acled,
}

_CSV_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("acled", frozenset({"event_id_cnty", "sub_event_type"})),
)


def _accepted() -> str:
    return ", ".join(sorted(FORMATS))


def guess_format(path: Path) -> str:
    """The feed format of ``path`` from its extension and first bytes; FeedError when unknown."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8192).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    first_line = head.splitlines()[0] if head.strip() else ""
    columns = {name.strip().strip('"') for name in first_line.split(",")}
    for fmt, signature in _CSV_SIGNATURES:
        if signature <= columns and fmt in FORMATS:
            return fmt
    raise FeedError(
        f"{path}: cannot tell the feed format from its name and content; give --format, one of: {_accepted()}"
    )


def iter_feed(path: Path, fmt: str | None = None) -> Iterator[IncidentReport | RowError]:
    """Reports and row errors from one feed file, in file order.

    ``fmt`` is one of :data:`FORMATS` (guessed with :func:`guess_format` when None). Raises FeedError
    for an unknown format or a file that cannot be read at all.
    """
    name = fmt.strip().casefold() if fmt is not None else guess_format(path)
    parser = FORMATS.get(name)
    if parser is None:
        raise FeedError(f"{path}: unknown feed format {fmt!r}; expected one of: {_accepted()}")
    if not path.is_file():
        raise FeedError(f"{path}: no such feed file")
    return parser(path)
