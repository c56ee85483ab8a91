"""Fuzz every feed format (issue 8 §1): mutated and garbage files give reports, row errors or one
FeedError — never another exception — and every report read lies within the documented bounds.

Each format starts from a small valid file, then hypothesis cuts, repeats and splices hostile tokens
into it (huge and non-finite numbers, out-of-range times, deep brackets, invalid UTF-8, quotes,
DTDs). Bounded: a few dozen examples per format, about a second or two each.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.bounds import EARLIEST_INSTANT, FATALITIES, LATEST_INSTANT, MAX_TEXT_ID_CHARS
from safepassage.errors import FeedError
from safepassage.monitor.feeds import guess_format, iter_feed, resolve_references
from safepassage.monitor.report import IncidentReport, RowError

SEEDS: dict[str, bytes] = {
    "acled": (
        b"event_id_cnty,event_date,time_precision,sub_event_type,latitude,longitude,geo_precision,source,fatalities\n"
        b'UKR1,04 March 2022,1,Shelling/artillery/missile attack,47.1,37.5,1,"Ukrinform; OSCE",3\n'
        b"UKR2,2022-03-05,2,Air/drone strike,48.0,35.0,2,Telegram,0\n"
    ),
    "ucdp": (
        b"id,date_start,date_end,date_prec,latitude,longitude,where_prec,best,source_headline\n"
        b"1,2/24/2022 12:00:00 AM,2/25/2022 12:00:00 AM,2,47.1,37.5,1,4,Shelling of Mariupol\n"
        b'2,2022-03-01,2022-03-01,1,48.0,35.0,3,0,"Missile, strike"\n'
    ),
    "sirens": (
        b"region,started_at,finished_at,naive\n"
        b"Lvivska oblast,2022-03-01 10:00:00+00:00,2022-03-01 11:00:00+00:00,False\n"
        b"Kyiv City,2022-03-01 12:00:00+00:00,,True\n"
    ),
    "official": (
        b"oblast,raion,hromada,level,started_at,finished_at,source\n"
        b"Vinnytska oblast,,,oblast,2022-03-15 16:10:34+00:00,2022-03-15 16:50:07+00:00,official\n"
        b"Sumska oblast,Sumskyi raion,m. Sumy ta Sumska terytorialna hromada,hromada,"
        b"2022-03-15 18:17:40+00:00,2022-03-15 19:00:32+00:00,official\n"
    ),
    "alerts": json.dumps(
        {
            "alerts": [
                {
                    "id": 1,
                    "location_title": "Луганська область",
                    "location_type": "oblast",
                    "started_at": "2022-04-04T16:45:39.000Z",
                    "finished_at": "2022-04-04T18:02:11.000Z",
                    "alert_type": "air_raid",
                },
                {
                    "id": 2,
                    "location_title": "м. Харків",
                    "location_type": "city",
                    "location_oblast": "Харківська область",
                    "started_at": "2022-04-04T17:05:00.000Z",
                    "finished_at": None,
                    "alert_type": "artillery_shelling",
                },
            ]
        },
        indent=1,
        ensure_ascii=False,
    ).encode(),
    "geojson": json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": 0,
                    "geometry": {"type": "Point", "coordinates": [37.24, 47.18]},
                    "properties": {
                        "kind": "shelling",
                        "observed_at": "2022-03-05T08:40:00Z",
                        "fatalities": 2,
                    },
                },
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[36.9, 47.2], [37.0, 47.2], [37.0, 47.25], [36.9, 47.2]]],
                    },
                    "properties": {"id": "p", "kind": "mines", "observed_at": "2022-03-05", "radius_m": 300},
                },
            ],
        },
        indent=1,
    ).encode(),
    "cap": """<?xml version="1.0" encoding="UTF-8"?>
<alerts>
  <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
    <identifier>UA-1</identifier><sender>s@x.ua</sender><sent>2022-03-05T09:12:00+02:00</sent>
    <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
    <info><event>Обстріл</event><certainty>Observed</certainty>
      <expires>2022-03-05T10:40:00+02:00</expires>
      <area><areaDesc>Zaporizka oblast</areaDesc><circle>47.8388,35.1396 15</circle></area>
      <area><polygon>47.58,35.75 47.58,35.85 47.52,35.85 47.58,35.75</polygon></area>
    </info>
  </alert>
  <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
    <identifier>UA-2</identifier><sender>s@x.ua</sender><sent>2022-03-05T10:00:00+02:00</sent>
    <status>Actual</status><msgType>Cancel</msgType><scope>Public</scope>
    <references>s@x.ua,UA-1,2022-03-05T09:12:00+02:00</references>
  </alert>
</alerts>
""".encode(),
}
FORMAT_OF = {"sirens": "alerts", "official": "alerts"}

HOSTILE = [
    b"99999999999999999999",
    b"9" * 5000,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e308",
    b"-5",
    b"true",
    b"null",
    b"0",
    b"inf",
    b"nan",
    b"9999-12-31 23:59:59-05:00",
    b"0001-01-01T00:00:00+05:00",
    b"[" * 3000,
    b"]}",
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\x00",
    b"\\u0000",
    b"\\ud800",
    b"\xff\xfe",
    b"\xc3",
    b'{"a": {"a": 1}, "a": 2}',
    b"<!DOCTYPE a [<!ENTITY x 'y'>]>",
    b"&lt;!DOCTYPE",
    b"&x;",
    b"<info>",
    b"</alert>",
    b"<msgType>Update</msgType><references>s@x.ua,UA-1,x</references>",
    b"<circle>47.8,35.1 inf</circle>",
    "Обстріл".encode(),
    b"x" * 140_000,
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "replace", "cut", "repeat", "bytes"]))
        if action == "insert":
            data[where:where] = draw(st.sampled_from(HOSTILE))
        elif action == "replace":
            width = draw(st.integers(1, 12))
            data[where : where + width] = draw(st.sampled_from(HOSTILE))
        elif action == "cut":
            del data[where : where + draw(st.integers(1, 200))]
        elif action == "repeat":
            data[where:where] = data[max(0, where - 60) : where] * draw(st.integers(1, 3))
        else:
            data[where:where] = draw(st.binary(max_size=16))
    return bytes(data)


def _check(path: Path, fmt: str | None) -> None:
    try:
        items = list(iter_feed(path, fmt))
    except FeedError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert str(path) in message
        assert len(message) < 400  # never a huge value in a message
        return
    for item in items:
        assert isinstance(item, IncidentReport | RowError)
        if isinstance(item, RowError):
            assert item.file == str(path)
            assert item.line >= 0
            assert len(item.reason) < 600
            continue
        _check_report(item)
    resolve_references([i for i in items if isinstance(i, IncidentReport)])


def _check_report(report: IncidentReport) -> None:
    assert 0 < len(report.source_id) <= MAX_TEXT_ID_CHARS
    text = "".join([report.source_id, report.source_name, report.location_name, report.description])
    text += "".join(k + v for k, v in report.raw.items())
    assert "\x00" not in text
    text.encode("utf-8")  # storable: no lone surrogate
    assert EARLIEST_INSTANT <= report.observed_at <= LATEST_INSTANT
    assert report.observed_at.utcoffset() == dt.timedelta(0)
    if report.ended_at is not None:
        assert EARLIEST_INSTANT <= report.ended_at <= LATEST_INSTANT
    if report.lat is not None and report.lon is not None:
        assert -90.0 <= report.lat <= 90.0
        assert -180.0 <= report.lon <= 180.0
    assert math.isfinite(report.radius_m)
    assert report.radius_m >= 0
    assert math.isfinite(report.time_uncertainty_s)
    assert report.time_uncertainty_s >= 0
    if report.fatalities is not None:
        assert isinstance(report.fatalities, int)
        assert not isinstance(report.fatalities, bool)
        assert FATALITIES.low <= report.fatalities <= FATALITIES.high


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_files_read_cleanly(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"seed-{name}"
    path.write_bytes(SEEDS[name])
    assert guess_format(path) == FORMAT_OF.get(name, name)
    items = list(iter_feed(path))
    assert [i for i in items if isinstance(i, RowError)] == []
    assert len(items) == 2


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_feed_gives_only_reports_row_errors_or_a_feed_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"fuzz-{name}"

    @FUZZ
    @given(data=mutated(SEEDS[name]))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        _check(path, FORMAT_OF.get(name, name))
        try:
            guessed = guess_format(path)
        except FeedError:
            return
        _check(path, guessed)

    run()


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["acled", "ucdp", "alerts", "geojson", "cap"]))
def test_garbage_bytes_in_any_format_are_clean_errors(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, fmt: str
) -> None:
    path = tmp_path_factory.mktemp("garbage") / "feed"
    path.write_bytes(data)
    _check(path, fmt)
