"""Hostile and broken feed files (issue 8 §1): a bad row is one error naming file:line and the value,
the good rows of the same file are still read, and a file that cannot be read says why and where.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from safepassage.errors import FeedError
from safepassage.monitor.feeds import guess_format, iter_feed
from safepassage.monitor.report import IncidentReport, RowError

ACLED_HEADER = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "sub_event_type",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "fatalities",
    "notes",
]
UCDP_HEADER = ["id", "date_start", "date_end", "date_prec", "latitude", "longitude", "where_prec", "best"]


def _split(items: list[IncidentReport | RowError]) -> tuple[list[IncidentReport], list[RowError]]:
    return (
        [i for i in items if isinstance(i, IncidentReport)],
        [i for i in items if isinstance(i, RowError)],
    )


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _acled_row(ident: str, fatalities: str = "2", notes: str = "Shelling of the road.") -> list[str]:
    return [
        ident,
        "04 March 2022",
        "1",
        "Shelling/artillery/missile attack",
        "47.1",
        "37.5",
        "1",
        "Ukrinform",
        fatalities,
        notes,
    ]


def _feature(ident: object, **props: object) -> dict[str, object]:
    properties = {"kind": "shelling", "observed_at": "2022-03-05T08:00:00Z", **props}
    if ident is not None:
        properties["id"] = ident
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [37.5, 47.1]},
        "properties": properties,
    }


def _geojson(path: Path, features: list[dict[str, object]], **top: object) -> Path:
    lines = ",\n".join(json.dumps(f) for f in features)
    head = "".join(f"{json.dumps(k)}: {json.dumps(v)},\n" for k, v in top.items())
    path.write_text(f'{{{head}"type": "FeatureCollection",\n"features": [\n{lines}\n]}}', encoding="utf-8")
    return path


# -- numbers within documented bounds ------------------------------------------------------------


@pytest.mark.parametrize("fatalities", ["99999999999999999999", "-3", "1.5", "1000001", "lots"])
def test_acled_fatalities_out_of_bounds_is_a_row_error_and_the_rest_is_read(
    tmp_path: Path, fatalities: str
) -> None:
    path = _csv(
        tmp_path / "acled.csv",
        ACLED_HEADER,
        [_acled_row("A1"), _acled_row("A2", fatalities), _acled_row("A3")],
    )
    reports, errors = _split(list(iter_feed(path, "acled")))
    assert [r.source_id for r in reports] == ["A1", "A3"]
    assert [r.fatalities for r in reports] == [2, 2]
    (error,) = errors
    assert error.line == 3
    assert error.reason.startswith("fatalities ")
    if fatalities in ("1.5", "lots"):
        assert error.reason == f"fatalities '{fatalities}' is not a whole number"
    else:
        assert "expected a whole number from 0 to 1,000,000" in error.reason
    if len(fatalities) > 12:
        assert "'99999999999999999999'" in error.reason


def test_ucdp_best_out_of_bounds_is_a_row_error(tmp_path: Path) -> None:
    good = ["1", "2022-03-01", "2022-03-01", "1", "47.1", "37.5", "1", "4"]
    huge = ["2", "2022-03-01", "2022-03-01", "1", "47.1", "37.5", "1", "99999999999999999999"]
    path = _csv(tmp_path / "ucdp.csv", UCDP_HEADER, [good, huge, ["3", *good[1:]]])
    reports, errors = _split(list(iter_feed(path, "ucdp")))
    assert [(r.source_id, r.fatalities) for r in reports] == [("1", 4), ("3", 4)]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [(3, "best")]


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"fatalities": 99999999999999999999}, "fatalities"),
        ({"fatalities": True}, "fatalities"),
        ({"fatalities": -1}, "fatalities"),
        ({"radius_m": "Infinity"}, "radius_m"),
        ({"radius_m": -5}, "radius_m"),
        ({"radius_m": 0}, "radius_m"),
        ({"radius_m": 1e308}, "radius_m"),
        ({"time_uncertainty_s": -1}, "time_uncertainty_s"),
        ({"observed_at": "9999-12-31T23:59:59-05:00"}, "observed_at"),
        ({"observed_at": "0001-01-01T00:00:00+05:00"}, "observed_at"),
        ({"observed_at": 20220305}, "observed_at"),
    ],
)
def test_geojson_bad_number_or_time_is_an_error_of_that_feature_only(
    tmp_path: Path, props: dict[str, object], field: str
) -> None:
    path = _geojson(tmp_path / "r.geojson", [_feature("ok-1"), _feature("bad", **props), _feature("ok-2")])
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["ok-1", "ok-2"]
    (error,) = errors
    assert error.line == 4
    assert error.reason.startswith(f"features[1]: {field} ")
    assert "expected" in error.reason or "ISO-8601" in error.reason


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_geojson_non_finite_radius_literal_is_a_row_error(tmp_path: Path, literal: str) -> None:
    path = _geojson(tmp_path / "r.geojson", [_feature("ok"), _feature("bad", radius_m=0.5)])
    path.write_text(
        path.read_text(encoding="utf-8").replace('"radius_m": 0.5', f'"radius_m": {literal}'), "utf-8"
    )
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["ok"]
    assert errors[0].reason.startswith("features[1]: radius_m ")
    assert "not a finite number" in errors[0].reason


def _cap(circle: str = "47.8,35.1 5", sent: str = "2022-03-05T09:00:00+02:00", ident: str = "UA-1") -> str:
    return f"""
  <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
    <identifier>{ident}</identifier><sender>s@x.ua</sender><sent>{sent}</sent>
    <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
    <info><event>Shelling</event><certainty>Observed</certainty>
      <area><areaDesc>x</areaDesc><circle>{circle}</circle></area></info>
  </alert>"""


def _cap_file(path: Path, *alerts: str, prolog: str = "") -> Path:
    path.write_text(
        f'<?xml version="1.0"?>\n{prolog}<alerts>{"".join(alerts)}\n</alerts>\n', encoding="utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("circle", "shown"),
    [
        ("47.8,35.1 inf", "'inf' km is out of range"),
        ("47.8,35.1 1e308", "'1e308' km is out of range"),
        ("47.8,35.1 nan", "'nan' km is out of range"),
        ("47.8,35.1 -5", "'-5' km is out of range"),
        ("47.8,35.1 501", "'501' km is out of range"),
        ("47.8,35.1 wide", "'wide' is not a number"),
        ("nan,35.1 5", "latitude 'nan' is not a finite number"),
        ("91,35.1 5", "latitude '91' is out of range"),
    ],
)
def test_cap_bad_circle_is_a_row_error_never_a_default_radius(
    tmp_path: Path, circle: str, shown: str
) -> None:
    path = _cap_file(tmp_path / "c.xml", _cap(ident="ok-1"), _cap(circle, ident="bad"), _cap(ident="ok-2"))
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["ok-1", "ok-2"]
    (error,) = errors
    assert shown in error.reason
    assert error.reason.startswith("alert bad: ")
    assert error.line == 12  # the bad alert's <info>


def test_cap_point_circle_of_radius_zero_reads_with_the_minimum_radius(tmp_path: Path) -> None:
    (report,) = list(iter_feed(_cap_file(tmp_path / "p.xml", _cap("47.8,35.1 0"))))
    assert isinstance(report, IncidentReport)
    assert report.radius_m == 1000.0


@pytest.mark.parametrize(
    "sent", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1899-12-31T00:00:00Z"]
)
def test_cap_time_out_of_range_is_a_row_error(tmp_path: Path, sent: str) -> None:
    path = _cap_file(tmp_path / "t.xml", _cap(sent=sent, ident="bad"), _cap(ident="ok"))
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["ok"]
    assert "sent" in errors[0].reason
    assert "expected an instant between 1900-01-01 and 2100-01-01" in errors[0].reason


def test_siren_row_in_year_9999_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "sirens.csv"
    path.write_text(
        "region,started_at,finished_at,naive\n"
        "Lvivska oblast,2022-03-01 10:00:00+00:00,2022-03-01 11:00:00+00:00,False\n"
        "Lvivska oblast,9999-12-31 23:59:59-05:00,2022-03-01 11:00:00+00:00,False\n"
        "Lvivska oblast,2022-03-02 10:00:00+00:00,,False\n",
        encoding="utf-8",
    )
    reports, errors = _split(list(iter_feed(path)))
    assert len(reports) == 2
    assert [(e.line, e.reason) for e in errors] == [
        (
            3,
            "started_at 9999-12-31T23:59:59-05:00 is out of range; "
            "expected an instant between 1900-01-01 and 2100-01-01",
        )
    ]


# -- structure --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "opening"),
    [
        ("alerts.json", "alerts", '{"alerts": '),
        ("r.geojson", "geojson", '{"type": "FeatureCollection", "features": '),
    ],
)
def test_two_thousand_nested_brackets_are_a_clear_feed_error(
    tmp_path: Path, name: str, fmt: str, opening: str
) -> None:
    path = tmp_path / name
    path.write_text(opening + "[" * 2000 + "]" * 2000 + "}", encoding="utf-8")
    with pytest.raises(FeedError, match=rf"{name}:1: JSON nested more than 64 levels deep"):
        list(iter_feed(path, fmt))


def test_guessing_the_format_of_a_deeply_nested_json_file_is_a_feed_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"x": ' + "[" * 2000 + "]" * 2000 + "}", encoding="utf-8")
    with pytest.raises(
        FeedError, match=r"deep\.json:1: JSON nested more than 64 levels deep; expected a JSON feed"
    ):
        guess_format(path)


def test_alerts_under_a_nested_key_first_do_not_hide_the_top_level_alerts(tmp_path: Path) -> None:
    alert = {
        "id": 1,
        "location_title": "Львівська область",
        "location_type": "oblast",
        "started_at": "2022-03-05T08:00:00Z",
        "finished_at": None,
        "alert_type": "air_raid",
    }
    path = tmp_path / "alerts.json"
    path.write_text(
        json.dumps({"meta": {"alerts": []}, "alerts": [alert, {**alert, "id": 2}]}), encoding="utf-8"
    )
    assert guess_format(path) == "alerts"
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["alerts.in.ua:1", "alerts.in.ua:2"]
    assert errors == []


def test_geojson_metadata_features_first_do_not_hide_the_collection(tmp_path: Path) -> None:
    path = _geojson(tmp_path / "r.geojson", [_feature("a"), _feature("b")], metadata={"features": []})
    assert path.read_text(encoding="utf-8").index('"metadata"') < path.read_text(encoding="utf-8").index(
        '"type"'
    )
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["a", "b"]
    assert errors == []


def test_csv_field_over_128_kib_is_one_row_error_and_the_46_rows_after_it_are_read(tmp_path: Path) -> None:
    rows = [_acled_row(f"B{i}") for i in range(3)]
    rows.append(_acled_row("HUGE", notes="x" * (200 * 1024)))
    rows += [_acled_row(f"A{i}") for i in range(46)]
    path = _csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
    reports, errors = _split(list(iter_feed(path, "acled")))
    assert len(reports) == 49
    assert reports[-1].source_id == "A45"
    assert reports[-1].line == 51
    (error,) = errors
    assert error.line == 5
    assert "longer than 131,072 characters" in error.reason


def test_csv_field_over_the_limit_inside_quotes_spanning_lines_loses_only_its_row(tmp_path: Path) -> None:
    rows = [
        _acled_row("B0"),
        _acled_row("HUGE", notes="line one\n" + "y" * (140 * 1024) + "\nlast"),
        _acled_row("A0"),
    ]
    path = _csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
    reports, errors = _split(list(iter_feed(path, "acled")))
    assert [r.source_id for r in reports] == ["B0", "A0"]
    assert errors
    assert errors[0].line == 3


def test_invalid_utf8_on_line_1000_is_reported_with_its_line_and_real_byte_offset(tmp_path: Path) -> None:
    rows = [_acled_row(f"E{i}", notes="Notes " + "n" * 500) for i in range(1100)]
    path = _csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
    raw = path.read_bytes()
    offset = raw.index(b"E998,")  # the row on line 1000 (line 1 is the header)
    path.write_bytes(raw[:offset] + b"\xc3\x28" + raw[offset + 2 :])
    reports, errors = _split(list(iter_feed(path, "acled")))
    assert len(reports) == 1099
    (error,) = errors
    assert error.line == 1000
    assert (
        error.reason
        == f"not UTF-8 text (invalid continuation byte at line 1000, byte {offset:,}); expected UTF-8"
    )
    assert offset > 500_000


def test_invalid_utf8_in_json_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "r.geojson"
    _geojson(path, [_feature("a"), _feature("b")])
    raw = path.read_bytes()
    offset = raw.index(b'"b"') + 1
    path.write_bytes(raw[:offset] + b"\xff" + raw[offset + 1 :])
    with pytest.raises(
        FeedError, match=rf"r\.geojson:4: not UTF-8 text \(invalid start byte at byte {offset}\)"
    ):
        list(iter_feed(path, "geojson"))


def test_cap_text_mentioning_doctype_escaped_is_read(tmp_path: Path) -> None:
    alert = _cap(ident="UA-5").replace(
        "<event>Shelling</event>", "<event>Shelling &lt;!DOCTYPE x&gt; &lt;!ENTITY</event>"
    )
    (report,) = list(iter_feed(_cap_file(tmp_path / "esc.xml", alert)))
    assert isinstance(report, IncidentReport)
    assert report.raw["event"] == "Shelling <!DOCTYPE x> <!ENTITY"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE alerts [<!ENTITY x "boom">]>\n',
        "<!DOCTYPE alerts>\n",
        '<!DOCTYPE alerts SYSTEM "http://example.com/cap.dtd">\n',
    ],
)
def test_cap_real_dtd_or_entity_is_refused_with_a_clear_error(tmp_path: Path, prolog: str) -> None:
    path = _cap_file(tmp_path / "dtd.xml", _cap(), prolog=prolog)
    with pytest.raises(
        FeedError,
        match=r"dtd\.xml: XML with a DOCTYPE, entity declarations or external references is refused",
    ):
        list(iter_feed(path, "cap"))


def test_cap_not_well_formed_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n<identifier>\n</alert>',
        "utf-8",
    )
    with pytest.raises(FeedError, match=r"broken\.xml:4: not well-formed XML"):
        list(iter_feed(path, "cap"))


def test_cap_encoding_declaration_cannot_change_how_the_text_reads(tmp_path: Path) -> None:
    for declared in ("UTF-inf8", "windows-1251"):
        path = tmp_path / f"{declared}.xml"
        text = _cap().replace("<event>Shelling</event>", "<event>Обстріл</event>")
        path.write_text(
            f'<?xml version="1.0" encoding="{declared}"?>\n<alerts>{text}</alerts>', encoding="utf-8"
        )
        (report,) = list(iter_feed(path, "cap"))
        assert isinstance(report, IncidentReport)
        assert report.raw["event"] == "Обстріл"


def test_a_number_of_5000_digits_before_the_features_is_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "r.geojson"
    path.write_text(
        '{"count": '
        + "9" * 5000
        + ', "type": "FeatureCollection", "features": ['
        + json.dumps(_feature("a", fatalities=1))
        + ", "
        + json.dumps(_feature("b")).replace(
            '"observed_at"', '"fatalities": ' + "9" * 5000 + ', "observed_at"'
        )
        + "]}",
        encoding="utf-8",
    )
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["a"]
    assert errors[0].reason.startswith("features[1]: fatalities inf is not a finite number")


def test_text_the_store_cannot_hold_is_a_row_error_not_a_lost_batch(tmp_path: Path) -> None:
    path = _geojson(
        tmp_path / "r.geojson",
        [_feature("ok"), _feature("nul", description="a\x00b"), _feature("sur", location_name="x\ud800y")],
    )
    reports, errors = _split(list(iter_feed(path)))
    assert [r.source_id for r in reports] == ["ok"]
    assert [(e.line, e.reason) for e in errors] == [
        (4, "description holds a NUL character; expected text"),
        (5, "location holds an invalid character (a lone UTF-16 surrogate); expected text"),
    ]


def test_csv_header_that_is_not_utf8_is_a_feed_error(tmp_path: Path) -> None:
    path = tmp_path / "acled.csv"
    path.write_bytes(b",".join(h.encode() for h in ACLED_HEADER) + b",not\xffutf8\n")
    with pytest.raises(FeedError, match=r"acled\.csv:1: the header line is not UTF-8 text"):
        list(iter_feed(path, "acled"))
