"""The one parser of command-line times, delays and bounded numbers (issue 7 #14, issue 8 §1)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from safepassage.bounds import COUNT, FATALITIES, LATITUDE, RADIUS_M
from safepassage.cli import app
from safepassage.cli._options import (
    choice,
    number,
    read_day,
    read_day_or_instant,
    read_delay,
    read_instant,
    whole,
)
from safepassage.scenario.vocabulary import CorridorStatus

runner = CliRunner()


def plain(output: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


# -- delays ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fraction"),
    [("10%", 0.1), ("0.1", 0.1), ("0%", 0.0), ("0", 0.0), ("1", 1.0), ("100%", 1.0), ("1000%", 10.0),
     (" 25 % ", 0.25), ("2.5%", 0.025)],
)  # fmt: skip
def test_delays_read_as_a_fraction(text: str, fraction: float) -> None:
    assert read_delay(text) == pytest.approx(fraction)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10", "10 could mean 10 % or 1000 %; write 10% or 0.1"),  # the reported case
        ("1.5", "1.5 could mean 1.5 % or 150 %; write 1.5% or 0.015"),
        ("300", "300 could mean 300 % or 30000 %; write 300% or 3"),
        ("1001%", "'1001%' is out of range"),
        ("-5%", "'-5%' is out of range"),
        ("-0.1", "'-0.1' is out of range"),
        ("nan", "'nan' is out of range"),
        ("inf%", "'inf%' is out of range"),
        ("ten", "'ten' is not a delay; expected a percentage like 10% or a fraction like 0.1"),
        ("", "'' is not a delay"),
    ],
)
def test_delays_that_mean_two_things_or_nothing_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_delay(text)


def test_plan_max_delay_10_is_refused_naming_both_readings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "any.yaml", "-o", str(tmp_path / "p.json"), "--max-delay", "10"])
    assert result.exit_code == 2
    assert "Invalid value for '--max-delay': 10 could mean 10 % or 1000 %; write 10% or 0.1" in plain(
        result.output
    )
    assert not (tmp_path / "p.json").exists()


# -- times -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2022-03-05T10:00:00+02:00", dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)),
        ("2022-03-05T08:00Z", dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)),
        ("2022-03-05 03:00:00-05:00", dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)),
        ("1900-01-01T00:00:00Z", dt.datetime(1900, 1, 1, tzinfo=dt.UTC)),
        ("2100-01-01T00:00:00+00:00", dt.datetime(2100, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_times_with_an_offset_are_read(text: str, utc: dt.datetime) -> None:
    moment = read_instant(text)
    assert moment == utc
    assert moment.utcoffset() is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-03-05T10:00:00",
         "'2022-03-05T10:00:00' has no UTC offset; expected e.g. 2022-03-05T10:00:00+02:00"),
        ("2022-03-05", "'2022-03-05' has no UTC offset"),
        ("9999-12-31T23:59:59-05:00", "'9999-12-31T23:59:59-05:00' is out of range; expected a time between "
                                      "1900-01-01 and 2100-01-01"),
        ("0001-01-01T00:00:00+05:00", "'0001-01-01T00:00:00+05:00' is out of range"),
        ("1899-12-31T23:59:59Z", "'1899-12-31T23:59:59Z' is out of range"),
        ("2100-01-01T00:00:01Z", "'2100-01-01T00:00:01Z' is out of range"),
        ("noon", "'noon' is not a time; expected ISO 8601 with a UTC offset"),
        ("2022-02-30T10:00Z", "'2022-02-30T10:00Z' is not a time"),
        ("2022-03-05T10:00+25:00", "'2022-03-05T10:00+25:00' is not a time"),
        ("x" * 500, "'" + "x" * 36 + "... is not a time"),  # never the whole value
    ],
)  # fmt: skip
def test_times_without_offset_outside_1900_2100_or_garbled_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_instant(text)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_a_time_or_a_value_error(text: str) -> None:
    try:
        moment = read_instant(text)
    except ValueError as exc:
        message = str(exc)
    else:
        assert dt.datetime(1900, 1, 1, tzinfo=dt.UTC) <= moment <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        return
    assert len(message) < 200


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="0123456789.%-+e naif", max_size=12))
def test_any_text_is_a_delay_in_range_or_a_value_error(text: str) -> None:
    try:
        fraction = read_delay(text)
    except ValueError:
        return
    assert 0.0 <= fraction <= 10.0


def test_days_are_within_1900_2100() -> None:
    assert read_day("2022-03-02") == dt.date(2022, 3, 2)
    with pytest.raises(ValueError, match=re.escape("'0001-01-01' is out of range")):
        read_day("0001-01-01")
    with pytest.raises(ValueError, match=re.escape("'2022-3-2x' is not a date; expected YYYY-MM-DD")):
        read_day("2022-3-2x")


def test_a_since_option_takes_a_day_or_an_instant() -> None:
    assert read_day_or_instant("2022-03-02") == dt.datetime(2022, 3, 2, tzinfo=dt.UTC)
    assert read_day_or_instant("2022-03-02T10:00+02:00") == dt.datetime(2022, 3, 2, 8, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match=re.escape("'2022-03-02T10:00' has no UTC offset")):
        read_day_or_instant("2022-03-02T10:00")
    with pytest.raises(ValueError, match=re.escape("'9999-12-31' is out of range")):
        read_day_or_instant("9999-12-31")


# -- numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9223372036854775808",
         "9223372036854775808 is out of range; expected a whole number from 0 to 1,000,000"),
        ("99999999999999999999", "99999999999999999999 is out of range"),
        ("9" * 5000, "a 5000-digit number is out of range"),
        ("-1", "-1 is out of range"),
        ("1.5", "'1.5' is not a whole number"),
        ("1e3", "'1e3' is not a whole number"),
        ("many", "'many' is not a whole number"),
    ],
)  # fmt: skip
def test_whole_numbers_out_of_bounds_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        whole(FATALITIES)(text)


def test_numbers_within_bounds_are_read() -> None:
    assert whole(FATALITIES)("12") == 12
    assert whole(COUNT)("+7") == 7
    assert number(LATITUDE)(" 48.5 ") == 48.5
    for text in ("nan", "inf", "91", "-90.5"):
        with pytest.raises(ValueError, match="expected a number from -90 to 90 degrees"):
            number(LATITUDE)(text)
    for text in ("0", "1e308", "-5"):
        with pytest.raises(ValueError, match="expected a number above 0 and at most 500,000 m"):
            number(RADIUS_M)(text)


# -- the same parser in every command ----------------------------------------------------------------

REPORT = ["report", "add", "--kind", "shelling", "--source", "Team 1", "--source-type", "media"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--at", "0001-01-01T00:00:00+05:00"],
         "Invalid value for '--at': '0001-01-01T00:00:00+05:00' is out of range"),
        (["--at", "9999-12-31T23:59:59-05:00"],
         "Invalid value for '--at': '9999-12-31T23:59:59-05:00' is out of range"),
        (["--at", "2022-03-05T11:10"], "Invalid value for '--at': '2022-03-05T11:10' has no UTC offset"),
        (["--at", "2022-03-05T11:10Z", "--fatalities", "9223372036854775808"],
         "Invalid value for '--fatalities': 9223372036854775808 is out of range; "
         "expected a whole number from 0 to 1,000,000"),
        (["--at", "2022-03-05T11:10Z", "--lat", "nan", "--lon", "30"],
         "Invalid value for '--lat': 'nan' is not a finite number"),
        (["--at", "2022-03-05T11:10Z", "--lat", "48", "--lon", "30", "--radius-m", "inf"],
         "Invalid value for '--radius-m': 'inf' is not a finite number"),
    ],
)  # fmt: skip
def test_report_add_refuses_bad_times_and_numbers_with_exit_2(
    tmp_path: Path, extra: list[str], says: str
) -> None:
    db = tmp_path / "store.sqlite"
    result = runner.invoke(app, [*REPORT, *extra, "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2, result.output
    assert says in plain(result.output)
    assert not db.exists()  # refused before the store was opened


def test_report_add_stores_a_time_in_any_offset_as_utc(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    added = runner.invoke(
        app, [*REPORT, "--at", "2022-03-27T04:30:00+03:00", "--fatalities", "3", "--id", "r1", "--db", db]
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(app, ["report", "show", "cli:r1", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert "2022-03-27 01:30 UTC" in plain(shown.output)


def test_figures_add_refuses_a_count_and_date_out_of_bounds(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    base = ["figures", "add", "--what", "killed", "--source", "UN", "--method", "confirmed_only", "--db", db]
    huge = runner.invoke(app, [*base, "--count", "10000000000000", "--as-of", "2022-03-02"])
    assert huge.exit_code == 2
    assert "Invalid value for '--count': 10000000000000 is out of range" in plain(huge.output)
    old = runner.invoke(app, [*base, "--count", "5", "--as-of", "0001-01-01"])
    assert old.exit_code == 2
    assert "Invalid value for '--as-of': '0001-01-01' is out of range" in plain(old.output)


@pytest.mark.parametrize(
    "args",
    [["corridors", "history", "99999999999999999999"], ["corridors", "judge", "1", "99999999999999999999"],
     ["corridors", "set-status", "99999999999999999999", "open", "--reason", "x"]],
)  # fmt: skip
def test_corridor_ids_beyond_a_database_id_are_refused_with_exit_2(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "store.sqlite"
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{db}"])  # was OverflowError, exit 1
    assert result.exit_code == 2, result.output
    assert (
        "99999999999999999999 is out of range; expected a whole number from 0 to 9,223,372,036,854,775,807"
        in (plain(result.output))
    )
    assert not db.exists()


# -- choices (enum-valued options and arguments) -----------------------------------------------------


CHOICES = "expected one of: proposed, agreed, disputed, open, suspended, closed"


def test_a_choice_reads_a_value_and_names_every_choice_when_wrong() -> None:
    read = choice(CorridorStatus, "corridor status")
    assert read(" open ") is CorridorStatus.OPEN
    with pytest.raises(ValueError, match="is not a corridor status") as refused:
        read("agred")
    assert str(refused.value) == f"'agred' is not a corridor status; {CHOICES}"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["corridors", "list", "--status", "agred"],
         f"Invalid value for '--status': 'agred' is not a corridor status; {CHOICES}"),
        (["corridors", "set-status", "9", "opn", "--reason", "x"],
         f"Invalid value for 'status': 'opn' is not a corridor status; {CHOICES}"),
        (["report", "list", "--status", "verifed"],
         "Invalid value for '--status': 'verifed' is not a review state; expected one of: draft,"),
        ([*REPORT[:2], "--kind", "shelll", *REPORT[4:], "--at", "2022-03-05T11:10Z"],
         "Invalid value for '--kind': 'shelll' is not a hazard kind; expected one of: "),
        ([*REPORT, "--at", "2022-03-05T11:10Z", "--verification", "yes"],
         "Invalid value for '--verification': 'yes' is not a verification state; expected one of: "),
    ],
)  # fmt: skip
def test_enum_options_are_refused_through_the_one_parser_with_exit_2(
    tmp_path: Path, args: list[str], says: str
) -> None:
    db = tmp_path / "store.sqlite"
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{db}"])
    assert result.exit_code == 2, result.output
    assert says in plain(result.output)
    assert "Value error" not in result.output
    assert not db.exists()  # refused before the store was opened
