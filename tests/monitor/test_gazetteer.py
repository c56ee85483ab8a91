"""The offline gazetteer: oblast circles for every region name the alert feeds use, name variants."""

from __future__ import annotations

import pytest

from safepassage.monitor.gazetteer import OBLAST_NAMES, find_places, oblast_area, oblast_code, skeleton

SIREN_REGIONS = [
    "Kyiv City", "Vinnytska oblast", "Chernihivska oblast", "Zhytomyrska oblast", "Cherkaska oblast",
    "Dnipropetrovska oblast", "Volynska oblast", "Poltavska oblast", "Rivnenska oblast", "Lvivska oblast",
    "Mykolaivska oblast", "Sumska oblast", "Odeska oblast", "Kharkivska oblast", "Zaporizka oblast",
    "Khmelnytska oblast", "Ternopilska oblast", "Kirovohradska oblast", "Kyivska oblast",
    "Ivano-Frankivska oblast", "Donetska oblast", "Chernivetska oblast", "Khersonska oblast",
    "Luhanska oblast",
]  # fmt: skip


@pytest.mark.parametrize("code", sorted(OBLAST_NAMES))
def test_every_oblast_has_a_circle_inside_ukraine(code: str) -> None:
    for alias in OBLAST_NAMES[code]:
        assert oblast_code(alias) == code
        assert oblast_code(f"{alias} oblast") in (code, "13" if code == "12" else code)
    area = oblast_area(OBLAST_NAMES[code][0])
    assert area is not None
    assert 44.0 < area.lat < 52.5
    assert 22.0 < area.lon < 40.5
    assert 10_000 <= area.radius_m < 200_000


def test_every_region_of_the_siren_dataset_is_an_oblast() -> None:
    assert all(oblast_code(name) is not None for name in SIREN_REGIONS)
    assert len({oblast_code(name) for name in SIREN_REGIONS}) == len(SIREN_REGIONS)


def test_kyiv_city_and_kyiv_oblast_are_told_apart() -> None:
    assert oblast_code("Kyiv City") == "12"
    assert oblast_code("м. Київ") == "12"
    assert oblast_code("Kyiv Oblast") == "13"
    assert oblast_code("Київська область") == "13"
    assert oblast_code("Atlantis") is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zaporizhzhya", "Zaporizhzhia"),
        ("Zaporizhzhya", "Zaporozhye"),
        ("Polohy", "Polohe"),
        ("Sievierodonetsk", "Severodonetsk"),
        ("Slaviansk", "Slovyansk"),
        ("Kharkiv", "Kharkov"),
        ("Enerhodar", "Energodar"),
    ],
)
def test_transliteration_variants_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton(a) == skeleton(b)


def test_find_places_by_variant_and_by_cyrillic_name() -> None:
    assert any(p.name == "Enerhodar" for p in find_places("Energodar"))
    assert any(p.name == "Kharkiv" for p in find_places("Харків"))
    assert find_places("Nowhereville") == ()
    assert len(find_places("Rozivka")) >= 4  # namesakes: callers choose by geography
