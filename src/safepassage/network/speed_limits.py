"""Implicit speed limits of each country: what ``maxspeed=DE:rural`` (and kin) means in km/h.

OSM writes a limit that follows from the law rather than from a sign as ``CC:context``, e.g.
``maxspeed=RU:urban`` or ``maxspeed:type=GB:nsl_single`` (see the OSM wiki's "Key:maxspeed" and
"Key:source:maxspeed"). :data:`IMPLICIT_SPEED_KMH` gives, per country (ISO 3166-1 alpha-2, or a
subdivision such as ``AU-NSW`` or ``US-CA``), the car limit of each context, in km/h.

Source: the OSM wiki page "Default speed limits"
(https://wiki.openstreetmap.org/wiki/Default_speed_limits, revision 2607051 of 2023-10-21, CC BY-SA
2.0), as machine-read by the osm-legal-default-speeds project (westnordost, file
``legal_default_speeds.json``): for each country the ``maxspeed`` of its road types "urban",
"rural" (else the country's unnamed default), "motorway", "living street", "motorroad" and "dual
carriageway" (else "rural dual carriageway"); the United Kingdom's "restricted road" is its urban
limit. Where the law sets no limit (German motorways, ``none``) the advisory limit (130) is used,
as the speed a planner may expect. Limits in mph are written ``N * MPH`` (1 mph = 1.609344 km/h).
``WALK`` (walking pace, e.g. German living streets) counts as 6 km/h.

Contexts read from a tag value (case does not matter):

============================  =========================================================
value after ``CC:``           column
============================  =========================================================
``urban``                     urban
``rural``, ``nsl_single``     rural (``nsl_single``: UK national speed limit, single road)
``motorway``                  motorway
``living_street``             living street
``trunk``, ``motorroad``      motorroad, else rural
``dual_carriageway``,         dual carriageway, else rural
``nsl_dual``
``nsl_restricted``            urban (UK restricted road)
``zone30``, ``zone:30``,      the number itself (a signed zone: 30 km/h), whatever the country
``zone 30``, ``30``           (``zone:maxspeed=DE:30``)
============================  =========================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["COLUMNS", "IMPLICIT_SPEED_KMH", "WALK_KMH", "implicit_speed_kmh"]

#: Walking pace, used for ``maxspeed=walk`` and ``WALK`` entries below.
WALK_KMH = 6.0
WALK = WALK_KMH
MPH = 1.609344

#: Column order of :data:`IMPLICIT_SPEED_KMH`.
COLUMNS: tuple[str, ...] = ("urban", "rural", "motorway", "living_street", "motorroad", "dual_carriageway")

_Row = tuple[float | None, float | None, float | None, float | None, float | None, float | None]

#: Country (or subdivision) code -> limits in km/h per :data:`COLUMNS` (None: the wiki gives none).
IMPLICIT_SPEED_KMH: Mapping[str, _Row] = {
    "AD": (50.0, 60.0, 120.0, 20.0, 120.0, None),
    "AE": (None, 100.0, 120.0, None, None, None),
    "AF": (None, 90.0, None, None, None, None),
    "AG": (20 * MPH, 40 * MPH, None, None, None, None),
    "AL": (40.0, 80.0, 110.0, None, None, None),
    "AM": (60.0, 90.0, 110.0, 20.0, None, None),
    "AO": (60.0, 90.0, 120.0, None, 100.0, None),
    "AR": (None, 110.0, 130.0, None, None, None),
    "AS": (15 * MPH, 25 * MPH, None, None, None, None),
    "AT": (50.0, 100.0, 130.0, WALK, 100.0, None),
    "AU": (50.0, 100.0, None, None, None, None),
    "AU-ACT": (50.0, 100.0, None, None, None, None),
    "AU-NSW": (50.0, 100.0, None, None, None, None),
    "AU-NT": (50.0, 110.0, None, None, None, None),
    "AU-QLD": (50.0, 100.0, None, None, None, None),
    "AU-SA": (50.0, 100.0, None, None, None, None),
    "AU-TAS": (50.0, 100.0, None, None, None, None),
    "AU-VIC": (50.0, 100.0, None, None, None, None),
    "AU-WA": (50.0, 110.0, None, None, None, None),
    "AW": (50.0, 80.0, None, None, None, None),
    "AZ": (60.0, 90.0, 110.0, 20.0, None, None),
    "BA": (50.0, 80.0, 130.0, WALK, 100.0, None),
    "BB": (None, 60.0, None, None, None, None),
    "BE-BRU": (30.0, 70.0, 120.0, 20.0, None, None),
    "BE-VLG": (50.0, 70.0, 120.0, 20.0, None, None),
    "BE-WAL": (50.0, 90.0, 120.0, 20.0, None, None),
    "BF": (50.0, 90.0, None, None, None, None),
    "BG": (50.0, 90.0, 140.0, 20.0, 120.0, None),
    "BH": (60.0, 100.0, None, None, None, None),
    "BI": (50.0, 80.0, None, None, None, 100.0),
    "BJ": (50.0, 90.0, 110.0, None, None, None),
    "BN": (60.0, None, None, None, None, None),
    "BO": (40.0, 80.0, None, None, None, None),
    "BR": (None, 100.0, None, None, None, 110.0),
    "BS": (25 * MPH, 45 * MPH, None, None, None, None),
    "BS-NP": (25 * MPH, 30 * MPH, None, None, None, None),
    "BT": (30.0, 50.0, None, None, None, None),
    "BW": (60.0, 100.0, None, 30.0, None, None),
    "BY": (60.0, 90.0, 110.0, 20.0, None, None),
    "CA-AB": (None, 80.0, None, None, None, None),
    "CA-BC": (50.0, 80.0, None, None, None, None),
    "CA-MB": (50.0, 90.0, None, None, None, None),
    "CA-NB": (50.0, 80.0, None, None, None, None),
    "CA-NL": (50.0, 80.0, None, None, None, None),
    "CA-NS": (None, 80.0, None, None, None, None),
    "CA-NT": (50.0, 90.0, None, None, None, None),
    "CA-NU": (50.0, 90.0, None, None, None, None),
    "CA-ON": (50.0, 80.0, None, None, None, None),
    "CA-PE": (50.0, 100.0, None, None, None, None),
    "CA-QC": (50.0, 90.0, None, None, None, None),
    "CA-SK": (None, 80.0, None, None, None, None),
    "CA-YT": (None, 50.0, None, None, None, None),
    "CD": (60.0, 90.0, 120.0, None, None, None),
    "CF": (60.0, 110.0, None, None, None, None),
    "CG": (60.0, 110.0, None, None, None, None),
    "CH": (50.0, 80.0, 120.0, 20.0, 100.0, None),
    "CI": (70.0, 110.0, 120.0, None, None, None),
    "CL": (50.0, 100.0, None, None, None, None),
    "CM": (60.0, 110.0, None, None, None, None),
    "CN": (50.0, 70.0, 120.0, None, None, None),
    "CO": (50.0, 90.0, 120.0, None, None, None),
    "CR": (50.0, 60.0, None, None, None, None),
    "CU": (50.0, 90.0, 100.0, None, None, None),
    "CV": (50.0, 90.0, 120.0, None, 100.0, None),
    "CW": (40.0, 60.0, None, None, 80.0, None),
    "CY": (30 * MPH, None, None, None, None, None),
    "CZ": (50.0, 90.0, None, 20.0, None, None),
    "DE": (50.0, 100.0, 130.0, WALK, None, 130.0),
    "DK": (50.0, 80.0, 130.0, 15.0, 80.0, None),
    "DO": (35.0, 60.0, None, None, None, None),
    "EC": (50.0, 100.0, None, None, None, None),
    "EE": (50.0, 90.0, None, 20.0, None, None),
    "EG": (60.0, 90.0, None, None, None, None),
    "ES": (30.0, 90.0, 120.0, 20.0, None, None),
    "FI": (50.0, 100.0, None, 20.0, None, None),
    "FJ": (50.0, 80.0, None, None, None, None),
    "FM": (None, 25 * MPH, None, None, None, None),
    "FM-KSA": (20 * MPH, 25 * MPH, None, None, None, None),
    "FM-PNI": (None, 25 * MPH, None, None, None, None),
    "FM-TRK": (20 * MPH, 25 * MPH, None, None, None, None),
    "FM-YAP": (20 * MPH, 25 * MPH, None, None, None, None),
    "FR": (50.0, 80.0, 130.0, 20.0, None, 110.0),
    "GA": (60.0, 110.0, None, None, None, None),
    "GB": (30 * MPH, 60 * MPH, 70 * MPH, None, None, 70 * MPH),
    "GB-SCT": (30 * MPH, 60 * MPH, 70 * MPH, None, None, 70 * MPH),
    "GD": (20 * MPH, 40 * MPH, None, None, None, None),
    "GE": (60.0, 90.0, 110.0, 20.0, None, None),
    "GG": (None, 35 * MPH, None, None, None, None),
    "GH": (50.0, 90.0, 100.0, None, None, None),
    "GQ": (60.0, 110.0, None, None, None, None),
    "GR": (50.0, 90.0, 130.0, None, 110.0, None),
    "GT": (None, 60.0, None, None, None, None),
    "GU": (None, 45 * MPH, None, None, None, None),
    "GY": (30 * MPH, 40 * MPH, None, None, None, None),
    "HK": (None, 50.0, None, None, None, None),
    "HR": (50.0, 90.0, 130.0, WALK, 110.0, None),
    "HT": (50.0, None, None, None, None, None),
    "HU": (50.0, 90.0, 130.0, 20.0, 110.0, None),
    "ID": (50.0, 80.0, None, None, None, None),
    "IE": (50.0, 80.0, 120.0, None, None, None),
    "IL": (50.0, 80.0, 110.0, 30.0, None, 90.0),
    "IM": (30 * MPH, 60 * MPH, None, 20 * MPH, None, None),
    "IN": (70.0, 70.0, 120.0, None, None, None),
    "IS": (50.0, 80.0, None, 10.0, None, None),
    "IT": (50.0, 90.0, None, None, None, None),
    "JE": (None, 40 * MPH, None, None, None, None),
    "JP": (None, 60.0, 100.0, None, None, None),
    "KE": (50.0, 100.0, None, None, None, 110.0),
    "KG": (60.0, 90.0, 110.0, None, None, None),
    "KH": (60.0, 100.0, None, None, None, None),
    "KI": (40.0, 60.0, None, None, None, None),
    "KN": (20 * MPH, 40 * MPH, None, None, None, None),
    "KR": (50.0, 60.0, 80.0, None, 80.0, None),
    "KZ": (60.0, 110.0, 140.0, 20.0, None, None),
    "LI": (50.0, 80.0, None, None, None, None),
    "LR": (25 * MPH, 45 * MPH, None, None, None, None),
    "LS": (60.0, 100.0, 120.0, None, None, None),
    "LT": (50.0, 90.0, 130.0, 20.0, 120.0, None),
    "LU": (50.0, 90.0, 130.0, 20.0, None, None),
    "LV": (50.0, 90.0, None, 20.0, 110.0, None),
    "MC": (None, 50.0, None, None, None, None),
    "MD": (50.0, 90.0, None, 20.0, 110.0, None),
    "MH": (25 * MPH, 40 * MPH, None, None, None, None),
    "MK": (50.0, 90.0, 130.0, None, 110.0, None),
    "MM": (30 * MPH, 50 * MPH, None, None, None, None),
    "MN": (60.0, 80.0, None, 20.0, None, None),
    "MO": (None, 60.0, None, None, None, None),
    "MS": (20 * MPH, 40 * MPH, None, None, None, None),
    "MT": (50.0, 80.0, None, None, None, None),
    "MU": (None, 60.0, None, None, None, None),
    "MW": (50.0, 80.0, None, None, None, None),
    "MX": (None, 80.0, 115.0, None, None, None),
    "MZ": (60.0, 120.0, None, None, None, None),
    "NA": (60.0, 100.0, 120.0, None, None, None),
    "NE": (50.0, 90.0, None, None, None, None),
    "NG": (50.0, 80.0, 100.0, None, None, None),
    "NI": (45.0, 60.0, None, None, None, None),
    "NL": (50.0, 80.0, None, 15.0, None, None),
    "NL-BQ1": (40.0, 60.0, None, None, None, None),
    "NL-BQ2": (20.0, 40.0, None, None, None, None),
    "NL-BQ3": (30.0, 50.0, None, None, None, None),
    "NO": (50.0, 80.0, 110.0, WALK, None, None),
    "NP": (40.0, 80.0, None, None, None, None),
    "NR": (None, 50.0, None, None, None, None),
    "NZ": (50.0, 100.0, None, 10.0, None, None),
    "PA": (40.0, 100.0, 120.0, None, None, None),
    "PE": (40.0, 60.0, None, None, None, None),
    "PG": (60.0, 100.0, None, None, None, None),
    "PH": (30.0, 40.0, None, None, None, None),
    "PK": (55.0, 70.0, None, None, None, None),
    "PL": (50.0, 90.0, 140.0, 20.0, None, None),
    "PN": (None, 30 * MPH, None, None, None, None),
    "PR": (25 * MPH, 45 * MPH, 65 * MPH, None, None, None),
    "PS": (50.0, 80.0, 110.0, None, None, None),
    "PT": (50.0, 90.0, 120.0, 20.0, 100.0, None),
    "PY": (50.0, 110.0, None, None, None, None),
    "RO": (50.0, 90.0, 130.0, 20.0, None, None),
    "RS": (50.0, 80.0, 120.0, 10.0, 100.0, None),
    "RU": (60.0, 90.0, 110.0, 20.0, None, None),
    "RW": (40.0, 80.0, None, None, None, None),
    "SA": (50.0, 120.0, None, None, None, None),
    "SD": (50.0, None, None, None, None, None),
    "SE": (50.0, 70.0, 110.0, WALK, None, None),
    "SG": (None, 50.0, None, None, None, None),
    "SH": (None, 30 * MPH, None, None, None, None),
    "SI": (50.0, 90.0, 130.0, 10.0, None, None),
    "SK": (50.0, 90.0, 130.0, 20.0, 130.0, None),
    "SN": (None, 90.0, 110.0, None, None, None),
    "SS": (45.0, None, None, None, None, None),
    "SV": (50.0, 90.0, None, None, None, None),
    "TD": (60.0, 110.0, None, None, None, None),
    "TH": (80.0, 90.0, None, None, None, None),
    "TL": (50.0, 90.0, 120.0, None, 100.0, None),
    "TN": (50.0, 90.0, 110.0, None, None, None),
    "TR": (50.0, 90.0, 120.0, None, None, 110.0),
    "TT": (50.0, 80.0, None, None, None, None),
    "TV": (None, 40.0, None, None, None, None),
    "TW": (None, 50.0, None, None, None, None),
    "TZ": (50.0, 110.0, None, None, None, None),
    "UA": (50.0, 90.0, 130.0, 20.0, None, 110.0),
    "UG": (50.0, 80.0, None, None, None, None),
    "US-AK": (25 * MPH, 55 * MPH, None, None, None, None),
    "US-AL": (30 * MPH, 45 * MPH, None, None, None, None),
    "US-AR": (30 * MPH, 65 * MPH, None, None, None, None),
    "US-AZ": (25 * MPH, 65 * MPH, None, None, None, None),
    "US-CA": (25 * MPH, 55 * MPH, None, None, None, None),
    "US-CO": (30 * MPH, 55 * MPH, 65 * MPH, None, None, None),
    "US-CT": (None, 55 * MPH, 65 * MPH, None, None, None),
    "US-DC": (None, 20 * MPH, None, None, None, None),
    "US-DE": (25 * MPH, 50 * MPH, None, None, None, 55 * MPH),
    "US-FL": (30 * MPH, 55 * MPH, 70 * MPH, None, None, None),
    "US-GA": (30 * MPH, 55 * MPH, None, None, None, None),
    "US-IA": (None, 55 * MPH, 65 * MPH, None, None, None),
    "US-ID": (35 * MPH, 55 * MPH, None, None, None, None),
    "US-IL": (30 * MPH, 55 * MPH, None, None, None, None),
    "US-IN": (30 * MPH, 55 * MPH, None, None, None, None),
    "US-KS": (30 * MPH, 55 * MPH, None, None, None, 75 * MPH),
    "US-KY": (35 * MPH, 55 * MPH, None, None, None, None),
    "US-LA": (None, 55 * MPH, 70 * MPH, None, None, None),
    "US-MA": (30 * MPH, 40 * MPH, None, None, None, 50 * MPH),
    "US-MD": (30 * MPH, 50 * MPH, None, None, None, 55 * MPH),
    "US-ME": (25 * MPH, 45 * MPH, None, None, None, None),
    "US-MI": (25 * MPH, 55 * MPH, 70 * MPH, None, None, None),
    "US-MN": (30 * MPH, 55 * MPH, 65 * MPH, None, None, None),
    "US-MO": (None, 60 * MPH, None, None, None, None),
    "US-MS": (None, 65 * MPH, None, None, None, None),
    "US-MT": (25 * MPH, 70 * MPH, None, None, None, None),
    "US-NC": (35 * MPH, 55 * MPH, None, None, None, None),
    "US-ND": (25 * MPH, 55 * MPH, None, None, None, None),
    "US-NE": (25 * MPH, 55 * MPH, 70 * MPH, None, None, None),
    "US-NH": (35 * MPH, 55 * MPH, None, None, None, None),
    "US-NJ": (25 * MPH, 50 * MPH, None, None, None, None),
    "US-NM": (30 * MPH, 55 * MPH, None, None, None, None),
    "US-NV": (None, 80 * MPH, None, None, None, None),
    "US-NY": (None, 55 * MPH, None, None, None, None),
    "US-OH": (25 * MPH, 55 * MPH, None, None, None, 60 * MPH),
    "US-OK": (None, 55 * MPH, None, None, None, None),
    "US-OR": (None, 55 * MPH, None, None, None, None),
    "US-PA": (35 * MPH, 55 * MPH, None, None, None, None),
    "US-RI": (25 * MPH, 50 * MPH, None, None, None, None),
    "US-SC": (30 * MPH, 55 * MPH, None, None, None, None),
    "US-SD": (25 * MPH, 65 * MPH, None, None, None, None),
    "US-TN": (None, 65 * MPH, None, None, None, None),
    "US-TX": (30 * MPH, 60 * MPH, None, None, None, None),
    "US-UT": (25 * MPH, 55 * MPH, None, None, None, None),
    "US-VA": (35 * MPH, 55 * MPH, 55 * MPH, None, None, None),
    "US-VT": (None, 50 * MPH, None, None, None, None),
    "US-WA": (25 * MPH, 50 * MPH, None, None, None, None),
    "US-WI": (25 * MPH, 55 * MPH, 70 * MPH, None, None, None),
    "US-WV": (25 * MPH, 55 * MPH, None, None, None, None),
    "US-WY": (30 * MPH, 65 * MPH, None, None, None, None),
    "UY": (45.0, 90.0, None, None, None, None),
    "UZ": (70.0, 100.0, None, None, None, None),
    "VE": (40.0, 70.0, 90.0, None, None, None),
    "VI": (20 * MPH, 35 * MPH, None, None, None, None),
    "VN": (None, 80.0, 120.0, None, None, None),
    "WS": (25 * MPH, 35 * MPH, None, None, None, None),
    "XK": (50.0, 80.0, 130.0, None, 110.0, 100.0),
    "ZA": (60.0, 100.0, 120.0, None, None, None),
    "ZM": (40.0, 100.0, None, None, None, None),
}

#: Context word (after ``CC:``) -> the columns to try, in order.
_CONTEXTS: Mapping[str, tuple[str, ...]] = {
    "urban": ("urban",),
    "rural": ("rural",),
    "nsl_single": ("rural",),
    "motorway": ("motorway",),
    "living_street": ("living_street",),
    "trunk": ("motorroad", "rural"),
    "motorroad": ("motorroad", "rural"),
    "dual_carriageway": ("dual_carriageway", "rural"),
    "nsl_dual": ("dual_carriageway", "rural"),
    "nsl_restricted": ("urban",),
}
_ZONE = re.compile(r"^(?:zone[: ]?)?(\d{1,3})$")


def implicit_speed_kmh(value: str) -> float | None:
    """The limit of an implicit value such as ``'RU:urban'``, ``'GB:nsl_single'``, ``'DE:zone:30'``.

    None when the value is not of the form ``CC:context``, the country or context is unknown, or
    the wiki gives no limit for it. A subdivision missing from the table (``US-XX``) falls back to
    its country.
    """
    code, sep, context = value.strip().partition(":")
    if not sep:
        return None
    context = context.strip().lower()
    zone = _ZONE.match(context)
    if zone:
        return float(zone.group(1))
    code = code.strip().upper()
    row = IMPLICIT_SPEED_KMH.get(code) or IMPLICIT_SPEED_KMH.get(code.split("-")[0])
    if row is None:
        return None
    for column in _CONTEXTS.get(context, ()):
        speed = row[COLUMNS.index(column)]
        if speed is not None:
            return speed
    return None
