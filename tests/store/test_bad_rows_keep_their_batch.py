"""A report the database cannot hold is set aside with its file:line; the rest of its batch is stored.

The store trusts no reader: whatever a reader lets through (a NaN radius, fatalities over the integer
column, a year-9999 time, over-long ids, NUL characters), the write API checks each report against
``safepassage.bounds`` before the insert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.errors import InputError
from safepassage.monitor.report import IncidentReport
from safepassage.store import Store, ingest_feed, verify_chain
from safepassage.store.schema import Report

Make = Callable[..., IncidentReport]

BAD_FIELDS: list[tuple[str, object, str]] = [
    ("radius_m", float("nan"), "radius_m: nan is not a finite number"),
    ("radius_m", float("inf"), "radius_m: inf is not a finite number"),
    ("radius_m", -5.0, "radius_m: -5.0 is out of range; expected a number above 0"),
    ("radius_m", 1e308, "radius_m: 1e+308 is out of range"),
    ("time_uncertainty_s", float("nan"), "time_uncertainty_s: nan is not a finite number"),
    ("fatalities", 99999999999999999999, "fatalities: 99999999999999999999 is out of range"),
    ("fatalities", 9223372036854775808, "fatalities: 9223372036854775808 is out of range"),
    ("fatalities", True, "fatalities: True is not a number"),
    ("fatalities", -1, "fatalities: -1 is out of range"),
    ("lat", 91.0, "lat: 91.0 is out of range; expected a number from -90 to 90 degrees"),
    ("lon", float("nan"), "lon: nan is not a finite number"),
    ("observed_at", dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), "observed_at: 9999-12-31T23:59:00"),
    ("observed_at", dt.datetime(1, 1, 1, tzinfo=dt.UTC), "observed_at: 0001-01-01T00:00:00+00:00 is out"),
    ("ended_at", dt.datetime(2022, 3, 5), "ended_at: 2022-03-05T00:00:00 has no time zone"),
    ("source_id", "x" * 201, "source_id: 'xxxx"),
    ("source_id", " ", "source_id: empty"),
    ("description", "shelling\x00", "description: 'shelling\\x00' holds a NUL character"),
    ("source_name", "a" * 501, "source_name: 'aaa"),
    ("raw", {"radius": float("nan")}, "raw: the feed row cannot be kept as JSON"),
]


def _stored(store: Store) -> list[str]:
    with store.reading() as session:
        return sorted(session.scalars(select(Report.source_id)))


@pytest.mark.parametrize(("field", "value", "expected"), BAD_FIELDS)
def test_a_bad_report_is_set_aside_and_the_rest_of_the_batch_stored(
    store: Store, make_report: Make, field: str, value: object, expected: str
) -> None:
    bad = dataclasses.replace(make_report("bad", line=3), **{field: value})
    batch = [make_report("good1", line=2), bad, make_report("good2", line=4)]
    with store.writing("ingest") as writer:
        added = writer.add_reports(batch, "feed.geojson", skip_invalid=True)
    assert (added.new, added.duplicates) == (2, 0)
    (problem,) = added.rejected
    assert (problem.file, problem.line) == ("feed.geojson", 3)
    assert problem.reason.startswith(f"not stored: {expected}"), problem.reason
    assert len(problem.reason) < 200  # a huge value is shortened, never repeated whole
    assert _stored(store) == ["good1", "good2"]
    with store.reading() as session:
        assert verify_chain(session).rows == 3  # two reports and their source


def test_without_skip_invalid_the_write_is_refused_whole_naming_the_row(
    store: Store, make_report: Make
) -> None:
    expected = r"cannot store 1 report\(s\): report add: fatalities: 10000000000000000000 is out of range"
    big = make_report("big", fatalities=10**19)
    with pytest.raises(InputError, match=expected), store.writing("cli") as writer:
        writer.add_reports([big], "report add")
    assert _stored(store) == []


def _feature(source_id: str, radius: str) -> str:
    return (
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [37.5434, 47.0971]}, '
        f'"properties": {{"id": "{source_id}", "kind": "shelling", "observed_at": "2022-03-05T09:30:00Z", '
        f'"radius_m": {radius}}}}}'
    )


@pytest.mark.parametrize("radius", ["NaN", "Infinity", "-5", "1e308"])
def test_ingest_keeps_the_good_rows_of_a_batch_with_a_bad_radius(
    store: Store, tmp_path: Path, radius: str
) -> None:
    """Issue 8: GeoJSON ``"radius_m": NaN`` -> exit 7 "NOT NULL constraint failed", good row lost.

    Whichever layer refuses the bad row (the reader or the store), it is reported with its line and
    the good rows of the same batch are stored.
    """
    path = tmp_path / "field.geojson"
    features = ",\n".join([_feature("good-a", "500"), _feature("bad", radius), _feature("good-b", "800")])
    path.write_text('{"type": "FeatureCollection", "features": [\n' + features + "\n]}\n", encoding="utf-8")
    tally = ingest_feed(store, path, "geojson", "tester", batch_size=10)
    assert tally.new == 2
    assert [(e.file, e.line) for e in tally.malformed] == [(str(path), 3)]
    assert "radius" in tally.malformed[0].reason
    assert _stored(store) == ["good-a", "good-b"]


def test_reports_stored_through_the_checks_round_trip_unchanged(store: Store, make_report: Make) -> None:
    edge = make_report(
        "x" * 200,
        lat=-90.0,
        lon=180.0,
        radius_m=500_000.0,
        fatalities=1_000_000,
        observed_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        raw={"note": json.dumps({"nested": True})},
    )
    with store.writing("ingest") as writer:
        assert writer.add_reports([edge], "edge.csv", skip_invalid=True).new == 1
    with store.reading() as session:
        row = session.scalars(select(Report)).one()
    assert (row.lat, row.lon, row.radius_m, row.fatalities) == (-90.0, 180.0, 500_000.0, 1_000_000)


def _refuse_source_id(store: Store, source_id: str) -> None:
    """A database rule the checks do not know of: refuse one source_id (as a constraint would)."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON reports "
                f"WHEN NEW.source_id = '{source_id}' BEGIN SELECT RAISE(ABORT, 'poison row refused'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.source_id = '{source_id}' THEN "
                "RAISE EXCEPTION 'poison row refused' USING ERRCODE = 'check_violation'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON reports "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison()"
            )


def test_a_row_the_database_refuses_costs_only_that_row(store: Store, tmp_path: Path) -> None:
    _refuse_source_id(store, "f6")
    path = tmp_path / "field.geojson"
    features = ",\n".join(_feature(f"f{i}", "500") for i in range(1, 11))  # f1 on line 2 ... f10 on 11
    path.write_text('{"type": "FeatureCollection", "features": [\n' + features + "\n]}\n", encoding="utf-8")
    tally = ingest_feed(store, path, "geojson", "tester", batch_size=8)
    assert tally.new == 9
    (problem,) = tally.malformed
    assert (problem.file, problem.line) == (str(path), 7)
    assert "poison row refused" in problem.reason
    assert _stored(store) == sorted(f"f{i}" for i in range(1, 11) if i != 6)
    with store.reading() as session:
        verify_chain(session)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--fatalities", "9223372036854775808"), ("--radius-m", "inf"), ("--at", "2150-01-01T00:00:00+00:00")],
)
def test_report_add_out_of_range_is_bad_input_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str
) -> None:
    """Issue 8: ``report add --fatalities 9223372036854775808`` -> OverflowError, exit 1."""
    db = tmp_path / "store.sqlite"
    monkeypatch.setenv("SAFEPASSAGE_DB", f"sqlite:///{db}")
    args = ["report", "add", "--kind", "shelling", "--at", "2022-03-05T10:00:00+02:00", "--source", "x"]
    args += ["--source-type", "media", "--lat", "47", "--lon", "37"]
    result = CliRunner().invoke(app, [*args, option, value])
    assert result.exit_code == 2, result.output
    assert value.split("T")[0] in " ".join(result.stderr.split())
    with Store.open(f"sqlite:///{db}") as store:
        assert _stored(store) == []
