"""One way to print a list for every list command: ``--format table|csv|json`` and ``--since``.

A list is columns (:class:`Column`) and rows (dicts of JSON-able values keyed by column key).

- ``table`` (the default) prints a rich table when every column fits the terminal at its minimum
  width: ids, keys, dates and numbers (``whole`` columns) at their full width, text columns at
  least :data:`MIN_TEXT_WIDTH` characters (long text wraps or folds, never ends in "…"). When the
  columns cannot all fit (80 columns and ten fields), each row is printed as a block of
  ``field: value`` lines instead, like psql's expanded display: nothing is ever cut.
- ``csv`` writes a header of column keys and one line per row (Python's csv module).
- ``json`` writes one JSON array of objects, keys as in csv, values typed (numbers stay numbers).

csv and json go to standard output without titles or notes, so they can be piped.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from safepassage.cli._options import parse_option, read_day_or_instant

__all__ = [
    "MIN_TEXT_WIDTH",
    "Column",
    "FormatOption",
    "ListFormat",
    "SinceOption",
    "parse_since",
    "print_list",
]

MIN_TEXT_WIDTH = 12


class ListFormat(StrEnum):
    """How a list is printed."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


FormatOption = Annotated[
    ListFormat,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="table (wraps, never cuts; one block per row when too wide), csv or json (all rows, typed).",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        help="Only entries on or after this day or time: 2022-03-05 (UTC day) or 2022-03-05T10:00+02:00."
    ),
]


@dataclass(frozen=True)
class Column:
    """One column: ``key`` names it in csv and json, ``header`` in the table (default: key).

    ``whole`` columns (ids, keys, dates, counts) are never wrapped or cut; ``show`` turns a value
    into the table's text (default: ``str``, empty for None). ``in_table=False`` keeps a column
    to csv and json (e.g. a typed count beside the table's "more than 2,000"); ``in_data=False``
    keeps it to the table.
    """

    key: str
    header: str = ""
    whole: bool = False
    justify: Literal["left", "right"] = "left"
    show: Callable[[Any], str] | None = None
    in_table: bool = True
    in_data: bool = True

    @property
    def title(self) -> str:
        return self.header or self.key

    def text(self, value: Any) -> str:
        if self.show is not None:
            return self.show(value)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return "; ".join(str(v) for v in value)
        return str(value)


def parse_since(value: str | None, option: str = "--since") -> dt.datetime | None:
    """``--since`` as a UTC datetime (a bare day is 00:00 UTC that day), read by the one option
    parser (:func:`safepassage.cli._options.read_day_or_instant`). Raises InputError naming the
    option and the value otherwise."""
    if value is None:
        return None
    return parse_option(read_day_or_instant, value, option).astimezone(dt.UTC)


def print_list(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    fmt: ListFormat = ListFormat.TABLE,
    notes: Sequence[str] = (),
) -> None:
    """Print ``rows`` in ``fmt`` (module docstring); ``notes`` follow a table, never csv/json."""
    data_columns = [c for c in columns if c.in_data]
    if fmt is ListFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in data_columns])
        for row in rows:
            writer.writerow([_csv_value(row.get(c.key)) for c in data_columns])
        sys.stdout.flush()
        return
    if fmt is ListFormat.JSON:
        records = [{c.key: _json_value(row.get(c.key)) for c in data_columns} for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        sys.stdout.flush()
        return
    columns = [c for c in columns if c.in_table]
    texts = [[c.text(row.get(c.key)) for c in columns] for row in rows]
    if not rows:
        console.print(f"{title}: none", highlight=False, markup=False)
    elif _fits(console, columns, texts):
        console.print(_table(title, columns, texts))
    else:
        console.print(f"{title} (one block per row: too wide for {console.width} columns)", highlight=False)
        for number, line in enumerate(texts, start=1):
            console.print(_record(number, columns, line))
    for note in notes:
        console.print(note, highlight=False, markup=False, soft_wrap=True)


def _min_widths(columns: Sequence[Column], texts: Sequence[Sequence[str]]) -> list[int]:
    widths = []
    for i, column in enumerate(columns):
        longest = max([len(column.title), *(len(line[i]) for line in texts)])
        widths.append(longest if column.whole else min(longest, max(MIN_TEXT_WIDTH, len(column.title))))
    return widths


def _fits(console: Console, columns: Sequence[Column], texts: Sequence[Sequence[str]]) -> bool:
    # a rich table with box borders spends 1 character per border and 2 of padding per column
    needed = sum(_min_widths(columns, texts)) + 3 * len(columns) + 1
    return needed <= console.width


def _table(title: str, columns: Sequence[Column], texts: Sequence[Sequence[str]]) -> Table:
    table = Table(title=title)
    for column, width in zip(columns, _min_widths(columns, texts), strict=True):
        table.add_column(
            column.title,
            justify=column.justify,
            no_wrap=column.whole,
            min_width=width,
            overflow="fold",
        )
    for line in texts:
        table.add_row(*(Text(cell) for cell in line))  # text as typed: "[x]" is no markup
    return table


def _record(number: int, columns: Sequence[Column], line: Sequence[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(Text(f"#{number}"), Text(""))
    for column, text in zip(columns, line, strict=True):
        grid.add_row(Text(f"  {column.title}:"), Text(text))
    return grid


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def _csv_value(value: Any) -> str:
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
