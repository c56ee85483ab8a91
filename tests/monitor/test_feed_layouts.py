"""Issue 7 items 11 and 12, and the one event vocabulary: layouts and ids that were refused.

- GeoJSON: ``"id": 0`` (or ``properties.id: 0``) is an id.
- Sirens: the official-data layout (``oblast, raion, hromada, level, started_at, finished_at,
  source``), in English and Ukrainian, reads; an empty alerts response ``{"alerts": []}`` reads
  without ``--format``.
- Event words in English, Ukrainian and Russian give the same kind, and look-alike words do not.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from safepassage.monitor.feeds import event_kind, guess_format, iter_feed
from safepassage.monitor.gazetteer import oblast_area
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.vocabulary import HazardKind

OFFICIAL_HEADER = "oblast,raion,hromada,level,started_at,finished_at,source\n"


def _split(items: list[IncidentReport | RowError]) -> tuple[list[IncidentReport], list[RowError]]:
    return (
        [i for i in items if isinstance(i, IncidentReport)],
        [i for i in items if isinstance(i, RowError)],
    )


# -- GeoJSON ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feature_id", "props_id", "expected"),
    [
        (0, None, "0"),
        (None, 0, "0"),
        ("0", None, "0"),
        (7, 0, "0"),  # properties.id wins over the Feature id, even when it is 0
        (None, " r-1 ", "r-1"),
        (-4, None, "-4"),
    ],
)
def test_geojson_zero_and_other_ids_are_ids(
    tmp_path: Path, feature_id: object, props_id: object, expected: str
) -> None:
    feature: dict[str, object] = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [37.5, 47.1]},
        "properties": {"kind": "mines", "observed_at": "2022-03-05T08:00:00Z"},
    }
    if feature_id is not None:
        feature["id"] = feature_id
    if props_id is not None:
        feature["properties"]["id"] = props_id  # type: ignore[index]
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    (report,) = list(iter_feed(path))
    assert isinstance(report, IncidentReport)
    assert report.source_id == expected


@pytest.mark.parametrize("bad", [None, "", "  ", True, 1.5, [1], "x" * 201])
def test_geojson_missing_or_unusable_id_is_a_row_error(tmp_path: Path, bad: object) -> None:
    props: dict[str, object] = {"kind": "mines", "observed_at": "2022-03-05T08:00:00Z"}
    if bad is not None:
        props["id"] = bad
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [37.5, 47.1]},
        "properties": props,
    }
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    (error,) = list(iter_feed(path))
    assert isinstance(error, RowError)
    assert error.reason.startswith("features[0]: ")
    assert "id" in error.reason
    assert len(error.reason) < 200


# -- sirens: the official layout -------------------------------------------------------------------


def test_official_siren_layout_in_english_reads(tmp_path: Path) -> None:
    path = tmp_path / "official_data_en.csv"
    path.write_text(
        OFFICIAL_HEADER
        + "Vinnytska oblast,,,oblast,2022-03-15 16:10:34+00:00,2022-03-15 16:50:07+00:00,official\n"
        + "Cherkaska oblast,Umanskyi raion,Umanska terytorialna hromada,hromada,"
        "2022-03-15 16:11:50+00:00,2022-03-15 16:54:47+00:00,official\n"
        + "Sumska oblast,Sumskyi raion,m. Sumy ta Sumska terytorialna hromada,hromada,"
        "2022-03-15 18:17:40+00:00,2022-03-15 19:00:32+00:00,official\n"
        + "Chernihivska oblast,Nizhynskyi raion,,raion,"
        "2022-03-15 16:54:51+00:00,2022-03-15 17:02:45+00:00,official\n"
        + "Kyiv City,,,oblast,2022-03-15 16:19:20+00:00,2022-03-15 18:52:28+00:00,official\n"
        + "Lubenskyi raion,Poltavska oblast,Hrebinkivska terytorialna hromada,hromada,"
        "2022-03-15 16:46:43+00:00,2022-03-15 16:58:17+00:00,official\n",
        encoding="utf-8",
    )
    assert guess_format(path) == "alerts"
    reports, errors = _split(list(iter_feed(path)))
    assert errors == []
    vinnytsia, uman, sumy, nizhyn, kyiv, poltava = reports
    assert {r.kind for r in reports} == {HazardKind.AIR_RAID_ALERT}
    assert vinnytsia.source_id == "Vinnytska oblast|||2022-03-15T16:10:34+00:00"
    assert vinnytsia.observed_at == dt.datetime(2022, 3, 15, 16, 10, 34, tzinfo=dt.UTC)
    assert vinnytsia.ended_at == dt.datetime(2022, 3, 15, 16, 50, 7, tzinfo=dt.UTC)
    cherkasy = oblast_area("Cherkaska oblast")
    assert cherkasy is not None
    assert (uman.lat, uman.lon, uman.radius_m) == (cherkasy.lat, cherkasy.lon, cherkasy.radius_m)
    assert uman.location_name == "Umanska terytorialna hromada, Umanskyi raion, Cherkaska oblast"
    assert sumy.radius_m == 15_000.0  # a city hromada is placed at its city
    assert sumy.lat == pytest.approx(50.91, abs=0.05)
    assert nizhyn.description == "raion alert"
    assert kyiv.radius_m < 30_000
    # The published row with oblast and raion swapped is read with the oblast where it belongs.
    assert poltava.source_id.startswith("Poltavska oblast|Lubenskyi raion|")
    poltava_area = oblast_area("Poltavska oblast")
    assert poltava_area is not None
    assert poltava.lat == poltava_area.lat


def test_official_siren_layout_in_ukrainian_reads(tmp_path: Path) -> None:
    path = tmp_path / "official_data_uk.csv"
    path.write_text(
        OFFICIAL_HEADER
        + "Вінницька область,,,oblast,2022-03-15 16:10:34+00:00,2022-03-15 16:50:07+00:00,official\n"
        + "м. Київ,,,oblast,2022-03-15 16:19:20+00:00,2022-03-15 18:52:28+00:00,official\n"
        + "Сумська область,Сумський район,м. Суми та Сумська територіальна громада,hromada,"
        "2022-03-15 18:17:40+00:00,2022-03-15 19:00:32+00:00,official\n"
        + "Атлантида,,,oblast,2022-03-15 18:17:40+00:00,2022-03-15 19:00:32+00:00,official\n"
        + "Сумська область,,,county,2022-03-15 18:17:40+00:00,2022-03-15 19:00:32+00:00,official\n",
        encoding="utf-8",
    )
    reports, errors = _split(list(iter_feed(path)))
    assert [r.location_name for r in reports] == [
        "Вінницька область",
        "м. Київ",
        "м. Суми та Сумська територіальна громада, Сумський район, Сумська область",
    ]
    assert reports[2].radius_m == 15_000.0
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [(5, "oblast"), (6, "level")]


def test_siren_csv_missing_columns_names_both_layouts(tmp_path: Path) -> None:
    path = tmp_path / "sirens.csv"
    path.write_text("place,started_at,finished_at\nx,2022-03-15 16:10:34+00:00,\n", encoding="utf-8")
    items = iter_feed(path, "alerts")
    with pytest.raises(Exception, match=r"missing column\(s\) region; expected the columns .* or .*oblast"):
        list(items)


@pytest.mark.parametrize(
    "text", ['{"alerts": []}', "[]", '{\n  "alerts": [ ]\n}\n', '{"meta": {}, "alerts": []}']
)
def test_empty_alerts_response_reads_without_format(tmp_path: Path, text: str) -> None:
    path = tmp_path / "now.json"
    path.write_text(text, encoding="utf-8")
    assert guess_format(path) == "alerts"
    assert list(iter_feed(path)) == []


def test_alerts_api_unknown_alert_type_uses_the_vocabulary(tmp_path: Path) -> None:
    alert = {
        "id": 5,
        "location_title": "Львівська область",
        "location_type": "oblast",
        "started_at": "2022-03-05T08:00:00Z",
        "alert_type": "missile_threat",
    }
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps({"alerts": [alert, {**alert, "id": 6, "alert_type": "chemical"}]}), encoding="utf-8"
    )
    assert [r.kind for r in iter_feed(path) if isinstance(r, IncidentReport)] == [
        HazardKind.MISSILE,
        HazardKind.OTHER,
    ]


# -- the event vocabulary --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Air raid alert", HazardKind.AIR_RAID_ALERT),
        ("Повітряна тривога", HazardKind.AIR_RAID_ALERT),
        ("Воздушная тревога", HazardKind.AIR_RAID_ALERT),
        ("Artillery shelling", HazardKind.SHELLING),
        ("Обстріл", HazardKind.SHELLING),
        ("Артилерійський обстріл", HazardKind.SHELLING),
        ("Обстрел", HazardKind.SHELLING),
        ("Мінометний обстріл", HazardKind.SHELLING),
        ("Обстріл з РСЗВ Град", HazardKind.SHELLING),
        ("Grad rocket attack", HazardKind.SHELLING),
        ("Missile strike", HazardKind.MISSILE),
        ("Ракетний удар", HazardKind.MISSILE),
        ("Ракетный удар", HazardKind.MISSILE),
        ("Загроза балістики: балістичні ракети", HazardKind.MISSILE),
        ("Air strike", HazardKind.AIR_STRIKE),
        ("Авіаудар", HazardKind.AIR_STRIKE),
        ("Авиаудар", HazardKind.AIR_STRIKE),
        ("Атака дронів-шахедів", HazardKind.AIR_STRIKE),
        ("Атака беспилотников", HazardKind.AIR_STRIKE),
        ("Landmine", HazardKind.MINES),
        ("Мінування узбіччя", HazardKind.MINES),
        ("Виявлено міни", HazardKind.MINES),
        ("Минирование дороги", HazardKind.MINES),
        ("Вибухонебезпечний предмет", HazardKind.MINES),
        ("Sniper fire", HazardKind.SNIPER),
        ("Снайпер", HazardKind.SNIPER),
        ("Вуличні бої", HazardKind.FIGHTING),
        ("Бойові дії", HazardKind.FIGHTING),
        ("Боевые действия", HazardKind.FIGHTING),
        ("Checkpoint closed", HazardKind.CHECKPOINT_CLOSED),
        ("Блокпост закрито", HazardKind.CHECKPOINT_CLOSED),
        ("Пункт пропуску закрито", HazardKind.CHECKPOINT_CLOSED),
        ("Зруйновано міст", HazardKind.BRIDGE_DOWN),
        ("Мост разрушен", HazardKind.BRIDGE_DOWN),
        ("Road damaged", HazardKind.ROAD_DAMAGE),
        ("Пошкоджено дорогу", HazardKind.ROAD_DAMAGE),
        ("Шоссе повреждено", HazardKind.ROAD_DAMAGE),
        ("Looting", HazardKind.LOOTING),
        ("Мародерство", HazardKind.LOOTING),
        ("Мародёрство", HazardKind.LOOTING),
    ],
)
def test_every_kind_in_english_ukrainian_and_russian(text: str, kind: HazardKind) -> None:
    assert event_kind(text) is kind
    assert event_kind(text.upper()) is kind


@pytest.mark.parametrize(
    "text",
    [
        "Міністерство повідомляє",  # ministry, not a mine
        "Мінімум інформації",
        "Центр міста",  # city, not a bridge
        "Кіровоградська область",  # not Grad
        "Через 5 минут",  # minutes, not mines
        "Хімічна тривога",  # a chemical alert is not an air raid
        "Радиационная тревога",
        "",
    ],
)
def test_look_alike_words_are_not_hazard_words(text: str) -> None:
    assert event_kind(text) is HazardKind.OTHER


def test_ucdp_headline_falls_back_to_fighting() -> None:
    assert event_kind("Clashes near the village", default=HazardKind.FIGHTING) is HazardKind.FIGHTING
    assert event_kind("Nothing specific", default=HazardKind.FIGHTING) is HazardKind.FIGHTING
