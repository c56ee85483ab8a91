"""The one list printer every list command uses: tables that never cut, csv and json that hold all."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from rich.console import Console

from safepassage.cli._lists import Column, ListFormat, parse_since, print_list
from safepassage.errors import InputError

COLUMNS = (
    Column("id", whole=True, justify="right"),
    Column("key", whole=True),
    Column("name"),
    Column("when", whole=True, show=lambda t: f"{t:%Y-%m-%d %H:%M}"),
    Column("count", in_table=False),
    Column("shown", "count", whole=True, in_data=False),
    Column("tags"),
)
ROWS = [
    {
        "id": n,
        "key": f"peacerep:{1000 + n}",
        "name": "Mariupol - Mykilske - Rozivka - Polohy - Orikhiv - Zaporizhzhya [bold]x[/]",
        "when": dt.datetime(2022, 3, 5, 7, n, tzinfo=dt.UTC),
        "count": 2000 + n,
        "shown": f"more than {2000 + n:,}",
        "tags": ("a", "b"),
    }
    for n in range(1, 4)
]


def _printed(width: int, fmt: ListFormat, capsys: pytest.CaptureFixture[str]) -> str:
    console = Console(width=width, force_terminal=False, color_system=None)
    with console.capture() as captured:
        print_list(console, "Things (3)", COLUMNS, ROWS, fmt, ["a note"])
    return captured.get() + capsys.readouterr().out


@pytest.mark.parametrize("width", [40, 80, 200])
def test_table_never_cuts_ids_or_names(width: int, capsys: pytest.CaptureFixture[str]) -> None:
    text = _printed(width, ListFormat.TABLE, capsys)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    words = text.split()
    for row in ROWS:
        assert row["key"] in words
        assert f"2022-03-05 07:0{row['id']}" in " ".join(words)
    assert "[bold]x[/]" in text  # text is shown as typed, never read as markup
    assert "more than 2,001" in text
    assert text.rstrip().endswith("a note")


def test_narrow_tables_become_one_block_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    narrow = _printed(40, ListFormat.TABLE, capsys)
    assert "one block per row: too wide for 40 columns" in " ".join(narrow.split())
    assert narrow.count("key:") == 3
    wide = _printed(200, ListFormat.TABLE, capsys)
    assert "block" not in wide
    assert "┃ id ┃ key" in wide


def test_csv_and_json_hold_every_row_typed_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    as_csv = _printed(80, ListFormat.CSV, capsys)
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert [r["key"] for r in rows] == ["peacerep:1001", "peacerep:1002", "peacerep:1003"]
    assert rows[0] == {
        "id": "1",
        "key": "peacerep:1001",
        "name": ROWS[0]["name"],
        "when": "2022-03-05T07:01:00+00:00",
        "count": "2001",
        "tags": "a; b",
    }
    as_json = json.loads(_printed(80, ListFormat.JSON, capsys))
    assert as_json[2] == {
        "id": 3,
        "key": "peacerep:1003",
        "name": ROWS[2]["name"],
        "when": "2022-03-05T07:03:00+00:00",
        "count": 2003,
        "tags": ["a", "b"],
    }


def test_an_empty_list_says_none(capsys: pytest.CaptureFixture[str]) -> None:
    console = Console(width=80)
    with console.capture() as captured:
        print_list(console, "Reports (0)", COLUMNS, [], ListFormat.TABLE)
    assert captured.get().strip() == "Reports (0): none"


def test_since_reads_a_day_or_a_time_with_offset() -> None:
    assert parse_since(None) is None
    assert parse_since("2022-03-05") == dt.datetime(2022, 3, 5, tzinfo=dt.UTC)
    assert parse_since("2022-03-05T10:00+02:00") == dt.datetime(2022, 3, 5, 8, tzinfo=dt.UTC)
    with pytest.raises(InputError, match="--since: '2022-03-05T10:00' has no UTC offset"):
        parse_since("2022-03-05T10:00")
    with pytest.raises(InputError, match="--since: 'yesterday' is not a day or time"):
        parse_since("yesterday")
    with pytest.raises(InputError, match="--since: '1812-06-24' is out of range"):
        parse_since("1812-06-24")
