"""Which kind of source an outlet is, from its name (and a feed's scale field): a documented heuristic.

Credibility (:mod:`safepassage.hazards.credibility`) depends on the source type, but the conflict
datasets name outlets, not types. We classify each outlet by keywords in its name, in this order:

1. **un** — the UN and international monitoring missions (OSCE SMM, OHCHR/HRMMU, UNHCR, ICRC, WHO...):
   impartial observers with people on the ground.
2. **official** — parties to the conflict and their authorities (ministries, armed forces, press
   services of the JFO/ATO, the DPR/LPR, police, regional administrations, emergency service).
3. **social** — social networks and crowd aggregators (Telegram, Twitter, Facebook, Liveuamap...).
4. otherwise **media** — newspapers, broadcasters, agencies, NGOs and think tanks reporting second hand;
   except that an outlet in a row whose ACLED ``source_scale`` is purely "New media" is **social**.

A row citing several outlets takes the most credible type among them (by the unverified column of
the credibility table): the dataset's coders published the event on the strength of that source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from safepassage.hazards.credibility import credibility
from safepassage.scenario.vocabulary import SourceType, Verification

__all__ = ["classify_outlet", "row_source_type", "split_outlets"]

_UN = re.compile(r"\b(UN|UNHCR|OHCHR|HRMMU|UNICEF|WHO|ICRC|OSCE|SMM|OCHA|IOM|WFP|United Nations)\b")
_OFFICIAL = re.compile(
    r"(ministry|armed forces|militia|press (service|centre|center)|general staff|border guard|police|"
    r"administration|prosecutor|emergency service|government|\bJFO\b|\bATO\b|\bDPR\b|\bLPR\b|"
    r"verkhovna|president|mayor|governor|national guard|security service|\bSBU\b|kremlin|\bMoD\b)",
    re.IGNORECASE,
)
_SOCIAL = re.compile(r"(telegram|twitter|facebook|instagram|youtube|tiktok|vkontakte|\bVK\b|liveuamap)", re.I)


@lru_cache(maxsize=8192)
def split_outlets(source_field: str) -> tuple[str, ...]:
    """The distinct outlets named in a feed's source field ("A; B; A" -> ("A", "B")), order kept."""
    seen: dict[str, str] = {}
    for part in re.split(r"[;\n]", source_field):
        name = part.strip().strip('"').strip()
        if name:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


@lru_cache(maxsize=8192)
def classify_outlet(name: str, scale: str = "") -> SourceType:
    """The source type of one outlet (see the module docstring for the rule)."""
    if _UN.search(name):
        return SourceType.UN
    if _OFFICIAL.search(name):
        return SourceType.OFFICIAL
    if _SOCIAL.search(name) or scale.strip().casefold() == "new media":
        return SourceType.SOCIAL
    return SourceType.MEDIA


def row_source_type(outlets: Iterable[str], scale: str = "") -> SourceType:
    """The most credible type among a row's outlets; MEDIA when the row names none."""
    types = [classify_outlet(name, scale) for name in outlets]
    if not types:
        return SourceType.MEDIA
    return max(types, key=lambda t: (credibility(t, Verification.UNVERIFIED), t.value))
