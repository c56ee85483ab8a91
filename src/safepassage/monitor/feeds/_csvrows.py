"""CSV rows with the physical line each starts on, so a bad row is reported as ``file:line``.

Quoted fields may hold newlines (UCDP and PeaceRep files do), so the row number is not the line
number; :attr:`csv.reader.line_num` counts physical lines read, and a row starts one line after
where the previous one ended.

One bad row never stops the reader: a row of the wrong width, a field over the CSV reader's limit
(128 KiB) and a row with bytes that are not UTF-8 (named by line and byte offset) each come out as a
:class:`RowError` and reading goes on with the next row.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from safepassage.errors import FeedError
from safepassage.json_input import utf8_problems
from safepassage.monitor.report import RowError

__all__ = ["CsvRow", "iter_csv_records", "iter_csv_rows"]

T = TypeVar("T")

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of bytes that are not UTF-8


@dataclass(frozen=True)
class CsvRow:
    """One data row: the line it starts on and its fields by header name."""

    line: int
    fields: dict[str, str]


class _Utf8Locator:
    """Finds, once and only when needed, where the file's invalid UTF-8 bytes are."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._problems: list[tuple[int, int, str]] | None = None

    def reason(self, first_line: int, last_line: int) -> str:
        if self._problems is None:
            try:
                self._problems = utf8_problems(self.path.read_bytes())
            except OSError:
                self._problems = []
        for line, offset, why in self._problems:
            if first_line <= line <= last_line:
                return f"not UTF-8 text ({why} at line {line}, byte {offset:,}); expected UTF-8"
        return "not UTF-8 text; expected UTF-8"


def iter_csv_rows(
    path: Path, needed: frozenset[str] | Sequence[frozenset[str]], fmt: str
) -> Iterator[CsvRow | RowError]:
    """Yield each data row, or a RowError for a row that cannot be read (see the module docstring).

    ``needed`` is the set of columns the header must hold, or several alternative sets (layouts) of
    which it must hold one. Raises FeedError when the file cannot be opened, is empty, or its header
    holds no needed set (then it is not a ``fmt`` file at all).
    """
    layouts = [needed] if isinstance(needed, frozenset) else list(needed)
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    locator = _Utf8Locator(path)
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise FeedError(f"{path}:1: unreadable CSV header ({exc}); expected a {fmt} header line") from exc
        if header is None:
            raise FeedError(f"{path}: the file is empty; expected a CSV header line")
        names = [name.strip() for name in header]
        _check_header(path, names, layouts, fmt)
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                previous_end = reader.line_num
                yield RowError(str(path), start, _csv_reason(exc))
                continue
            previous_end = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            if _UNDECODABLE.search("".join(cells)):
                yield RowError(str(path), start, locator.reason(start, previous_end))
                continue
            if len(cells) != len(names):
                yield RowError(str(path), start, f"{len(cells)} fields where the header has {len(names)}")
                continue
            yield CsvRow(start, dict(zip(names, cells, strict=True)))


def _check_header(path: Path, names: list[str], layouts: list[frozenset[str]], fmt: str) -> None:
    if _UNDECODABLE.search("".join(names)):
        raise FeedError(f"{path}:1: the header line is not UTF-8 text; expected a {fmt} header in UTF-8")
    present = set(names)
    if any(layout <= present for layout in layouts):
        return
    closest = min(layouts, key=lambda layout: len(layout - present))
    missing = ", ".join(sorted(closest - present))
    expected = " or ".join(", ".join(sorted(layout)) for layout in layouts)
    raise FeedError(
        f"{path}: not a valid {fmt} feed: missing column(s) {missing}; expected the columns {expected}"
    )


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters (the CSV limit); row skipped"
    return f"unreadable CSV row ({text[:120]}); row skipped"


def iter_csv_records(
    path: Path,
    needed: frozenset[str] | Sequence[frozenset[str]],
    fmt: str,
    convert: Callable[[CsvRow], T],
) -> Iterator[T | RowError]:
    """Each row turned into a record by ``convert``; a row it rejects (``ValueError``) or that cannot
    be read comes out as a :class:`RowError` naming the file, line and reason, and reading goes on.
    """
    for item in iter_csv_rows(path, needed, fmt):
        if isinstance(item, RowError):
            yield item
            continue
        try:
            yield convert(item)
        except (ValueError, OverflowError) as exc:
            yield RowError(str(path), item.line, str(exc))
