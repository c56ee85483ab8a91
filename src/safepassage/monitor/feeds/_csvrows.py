"""CSV rows with the physical line each starts on, so a bad row is reported as ``file:line``.

Quoted fields may hold newlines (UCDP and PeaceRep files do), so the row number is not the line
number; :attr:`csv.reader.line_num` counts physical lines read, and a row starts one line after
where the previous one ended.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from safepassage.errors import FeedError
from safepassage.monitor.report import RowError

__all__ = ["CsvRow", "iter_csv_records", "iter_csv_rows"]

T = TypeVar("T")


@dataclass(frozen=True)
class CsvRow:
    """One data row: the line it starts on and its fields by header name."""

    line: int
    fields: dict[str, str]


def iter_csv_rows(path: Path, needed: frozenset[str], fmt: str) -> Iterator[CsvRow | RowError]:
    """Yield each data row (or a RowError for a row of the wrong width).

    Raises FeedError when the file cannot be opened or decoded, is empty, or its header lacks a
    column in ``needed`` (then it is not a ``fmt`` file at all).
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise FeedError(f"{path}: the file is empty; expected a CSV header line")
            names = [name.strip() for name in header]
            missing = sorted(needed - set(names))
            if missing:
                raise FeedError(f"{path}: not a valid {fmt} feed: missing column(s) {', '.join(missing)}")
            previous_end = reader.line_num
            for cells in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if not cells or all(not cell.strip() for cell in cells):
                    continue
                if len(cells) != len(names):
                    yield RowError(str(path), start, f"{len(cells)} fields where the header has {len(names)}")
                    continue
                yield CsvRow(start, dict(zip(names, cells, strict=True)))
        except csv.Error as exc:
            yield RowError(str(path), reader.line_num, f"unreadable CSV ({exc}); rest of file skipped")
        except UnicodeDecodeError as exc:
            raise FeedError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def iter_csv_records(
    path: Path, needed: frozenset[str], fmt: str, convert: Callable[[CsvRow], T]
) -> Iterator[T | RowError]:
    """Each row turned into a record by ``convert``; a row it rejects (``ValueError``) or of the
    wrong width comes out as a :class:`RowError` naming the file, line and reason, and reading goes on.
    """
    for item in iter_csv_rows(path, needed, fmt):
        if isinstance(item, RowError):
            yield item
            continue
        try:
            yield convert(item)
        except ValueError as exc:
            yield RowError(str(path), item.line, str(exc))
