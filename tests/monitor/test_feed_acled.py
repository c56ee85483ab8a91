"""ACLED feed on the real shared export, and on malformed copies of its rows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from safepassage.errors import FeedError
from safepassage.monitor.feeds import guess_format, iter_feed
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

from ._shared import ACLED, shared_file


def test_real_acled_file_reads_every_row() -> None:
    path = shared_file(ACLED)
    items = list(iter_feed(path))
    reports = [i for i in items if isinstance(i, IncidentReport)]
    assert len(reports) == 1557
    assert not [i for i in items if isinstance(i, RowError)]
    assert len({r.key for r in reports}) == 1557
    first = reports[0]
    assert first.source_id == "UKR52664"
    assert first.kind is HazardKind.AIR_STRIKE
    # 4 March 2022, noon in Kyiv (UTC+2) is 10:00 UTC.
    assert first.observed_at == dt.datetime(2022, 3, 4, 10, 0, tzinfo=dt.UTC)
    assert first.radius_m == 5_000.0
    assert first.time_uncertainty_s == 43_200.0
    assert first.fatalities == 33
    assert first.line == 2
    assert first.verification is Verification.UNVERIFIED
    assert guess_format(path) == "acled"


def test_osce_rows_are_un_type_and_press_services_official() -> None:
    reports = [r for r in iter_feed(shared_file(ACLED)) if isinstance(r, IncidentReport)]
    osce = [r for r in reports if r.source_name == "OSCE SMM-Ukraine"]
    dpr = [r for r in reports if r.source_name == "DPR Armed Forces Press Service"]
    assert osce
    assert all(r.source_type is SourceType.UN for r in osce)
    assert dpr
    assert all(r.source_type is SourceType.OFFICIAL for r in dpr)


def test_malformed_rows_are_reported_with_their_line_and_skipped(tmp_path: Path) -> None:
    rows = list(csv.reader(shared_file(ACLED).open(newline="", encoding="utf-8")))
    header, good = rows[0], rows[1:4]
    bad_lat = list(good[1])
    bad_lat[header.index("latitude")] = "north"
    bad_precision = list(good[2])
    bad_precision[header.index("geo_precision")] = "9"
    out = tmp_path / "acled_broken.csv"
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(good[0])  # notes may hold newlines: line numbers must still be right
        writer.writerow(bad_lat)
        writer.writerow(["too", "short"])
        writer.writerow(bad_precision)
    text = out.read_text(encoding="utf-8").splitlines()
    items = list(iter_feed(out, "acled"))
    errors = [i for i in items if isinstance(i, RowError)]
    assert [type(i).__name__ for i in items] == ["IncidentReport", "RowError", "RowError", "RowError"]
    assert "latitude 'north'" in errors[0].reason
    assert "geo_precision '9'" in errors[2].reason
    for error in errors:
        assert error.file == str(out)
    assert text[errors[1].line - 1] == "too,short"


def test_unknown_format_and_missing_file_raise_feed_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello\n", encoding="utf-8")
    with pytest.raises(FeedError, match=r"notes\.txt.*acled"):
        guess_format(junk)
    with pytest.raises(FeedError, match="unknown feed format 'kml'"):
        iter_feed(junk, "kml")
    with pytest.raises(FeedError, match="no such feed file"):
        iter_feed(tmp_path / "absent.csv", "acled")
    with pytest.raises(FeedError, match="not a valid ACLED feed: missing column"):
        list(iter_feed(junk, "acled"))
