"""UCDP, siren CSV, alerts.in.ua JSON, CAP 1.2 and GeoJSON feeds, and format guessing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from safepassage.errors import FeedError
from safepassage.monitor.feeds import guess_format, iter_feed
from safepassage.monitor.gazetteer import oblast_area
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

from ._shared import FIXTURES, SIRENS, UCDP, shared_file


def _split(items: list[IncidentReport | RowError]) -> tuple[list[IncidentReport], list[RowError]]:
    return (
        [i for i in items if isinstance(i, IncidentReport)],
        [i for i in items if isinstance(i, RowError)],
    )


def test_real_ucdp_file_reads_every_row_with_right_lines() -> None:
    path = shared_file(UCDP)
    assert guess_format(path) == "ucdp"
    reports, errors = _split(list(iter_feed(path)))
    assert len(reports) == 2997
    assert errors == []
    # Quoted fields span lines, so the last row starts on the file's last physical line (3152).
    assert reports[-1].source_id == "450623"
    assert reports[-1].line == 3152
    last = reports[-1]
    # date_prec 5, 24 Feb .. 13 Oct 2022: placed mid-span, uncertainty half the span + 12 h.
    assert last.observed_at == dt.datetime(2022, 6, 19, 21, 30, tzinfo=dt.UTC)
    assert last.time_uncertainty_s == pytest.approx(231 * 86_400 / 2 + 43_200, rel=1e-3)
    assert last.source_type is SourceType.OFFICIAL  # source_original: the Donetsk administration
    first = reports[0]
    assert first.observed_at.date() == dt.date(2014, 1, 22)
    assert first.radius_m == 5_000.0
    assert first.fatalities == 5
    # Both UCDP date layouts in the file ("1/22/2014 12:00:00 AM" and "05/02/2014 00:00") are month first.
    may = next(r for r in reports if r.raw["date_start"] == "05/02/2014 00:00")
    assert may.observed_at.date() == dt.date(2014, 5, 2)


def test_real_siren_file_places_every_region_as_an_oblast_circle() -> None:
    path = shared_file(SIRENS)
    assert guess_format(path) == "alerts"
    reports, errors = _split(list(iter_feed(path)))
    assert len(reports) == 493
    assert errors == []
    assert {r.kind for r in reports} == {HazardKind.AIR_RAID_ALERT}
    assert len({r.key for r in reports}) == 493
    kyiv_city = next(r for r in reports if r.location_name == "Kyiv City")
    assert kyiv_city.radius_m < 30_000
    lviv = next(r for r in reports if r.location_name == "Lvivska oblast")
    assert 49.0 < lviv.lat < 50.5  # type: ignore[operator]
    assert 23.0 < lviv.lon < 25.5  # type: ignore[operator]
    assert 40_000 < lviv.radius_m < 150_000
    assert all(r.ended_at is not None and r.ended_at >= r.observed_at for r in reports)


def test_alerts_in_ua_json_places_oblast_city_and_hromada() -> None:
    path = FIXTURES / "alerts_in_ua.json"
    assert guess_format(path) == "alerts"
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["alerts.in.ua:8757", "alerts.in.ua:8760", "alerts.in.ua:8761"]
    luhansk, kharkiv, nikopol = reports
    assert luhansk.kind is HazardKind.AIR_RAID_ALERT
    assert luhansk.ended_at == dt.datetime(2022, 4, 4, 18, 2, 11, tzinfo=dt.UTC)
    assert kharkiv.kind is HazardKind.SHELLING
    assert kharkiv.radius_m == 15_000.0
    assert kharkiv.lat == pytest.approx(49.98, abs=0.05)
    assert kharkiv.ended_at is None
    dnipro_oblast = oblast_area("Дніпропетровська область")
    assert dnipro_oblast is not None
    assert nikopol.radius_m == dnipro_oblast.radius_m  # no hromada boundaries: the oblast's circle
    assert len(errors) == 1
    assert errors[0].line == 41
    assert "started_at" in errors[0].reason


def test_cap_file_yields_one_report_per_info_and_skips_exercises() -> None:
    path = FIXTURES / "cap_alerts.xml"
    assert guess_format(path) == "cap"
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == [
        "UA-ZP-2022-03-05-0001",
        "UA-ZP-2022-03-05-0001#2",
        "UA-DN-2022-03-05-0003",
    ]
    siren, shelling, uxo = reports
    assert siren.kind is HazardKind.AIR_RAID_ALERT
    assert siren.verification is Verification.VERIFIED
    assert siren.source_type is SourceType.OFFICIAL
    assert siren.radius_m == pytest.approx(15_000.0, rel=1e-6)
    assert siren.observed_at == dt.datetime(2022, 3, 5, 7, 12, tzinfo=dt.UTC)
    assert siren.line == 11
    assert shelling.kind is HazardKind.SHELLING
    assert shelling.verification is Verification.UNVERIFIED
    assert shelling.lat == pytest.approx(47.55, abs=0.01)
    assert 3_000 < shelling.radius_m < 8_000  # the polygon's half-diagonal, about 5.3 km
    assert uxo.kind is HazardKind.MINES
    assert uxo.radius_m > 50_000  # placed by its oblast only
    assert len(errors) == 1
    assert "Exercise" in errors[0].reason
    assert errors[0].line == 51


def test_cap_refuses_doctype(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "x">]>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>',
        encoding="utf-8",
    )
    with pytest.raises(FeedError, match="DOCTYPE"):
        list(iter_feed(bomb, "cap"))


def test_geojson_features_with_documented_properties() -> None:
    path = FIXTURES / "reports.geojson"
    assert guess_format(path) == "geojson"
    reports, errors = _split(list(iter_feed(path)))
    team, telegram = reports
    assert team.source_id == "team-7-0031"
    assert team.source_type is SourceType.FIELD_TEAM
    assert team.verification is Verification.VERIFIED
    assert team.radius_m == 1_000.0
    assert telegram.source_type is SourceType.SOCIAL  # the default for an unattributed report
    assert telegram.kind is HazardKind.CHECKPOINT_CLOSED
    assert telegram.time_uncertainty_s == 7_200.0
    assert telegram.radius_m > 3_000  # covers the whole polygon
    assert telegram.observed_at == dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)
    assert len(errors) == 1
    assert "kind 'meteor'" in errors[0].reason
    assert errors[0].line == 32


def test_guess_format_reads_content_not_the_extension(tmp_path: Path) -> None:
    disguised = tmp_path / "feed.txt"
    shutil.copy(FIXTURES / "reports.geojson", disguised)
    assert guess_format(disguised) == "geojson"


def test_broken_json_is_a_feed_error_naming_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "alerts.json"
    broken.write_text('{"alerts": [\n {"id": 1,\n}', encoding="utf-8")
    with pytest.raises(FeedError, match=r"alerts\.json:3: not valid JSON"):
        list(iter_feed(broken, "alerts"))
