"""What an event's notes say about a corridor, in English, Ukrainian and Russian: one lemma table.

ACLED ``notes``, UCDP headlines, CAP and field-report text often say *why* an event matters for a
corridor: "shelled the buses waiting to evacuate civilians", "обстріляли гуманітарну колону",
"несмотря на договоренность о режиме тишины". :func:`text_topics` finds the topics below; the
verdict (:mod:`safepassage.monitor.verdict`, ``docs/verdicts.md``) uses them, and the keyword
baseline of ``benchmarks/verdict_eval.py`` counts them.

Like :mod:`safepassage.monitor.feeds.event_kinds`, each topic is one regular expression per
language, case-insensitive, tried on the whole text. Every stem is anchored at a **word start**
(``\\b``), so "bus" matches "buses" but not "omnibus" or "Busk"; an inflected word is matched by
its stem plus ``\\w*`` (Ukrainian and Russian decline nouns: "колона, колони, колоною"); stems
that would also start unrelated words are spelled out whole (e.g. Russian "помощ" is not used
alone: "гуманитарн\\w* помощ" is).

==============  ==================================================================================
topic           lemmas (English; Ukrainian; Russian)
==============  ==================================================================================
evacuation      evacuat*, evacuee*, flee/flees/fleeing/fled, refugee*, civilians leaving; евакуац*,
                евакуйов*, евакуйован*, біженц*, виїзд* цивільн*; эвакуац*, эвакуир*, беженц*,
                выезд* мирн*
transport       bus, buses, (humanitarian|evacuation|aid|civilian|refugee|bus) convoy, convoy of
                (buses|civilians|cars|evacuees|refugees), column of (cars|vehicles|buses|civilians),
                civilian car/vehicle; автобус*, (гуманітарн*|евакуаційн*|цивільн*) колон*, колон*
                (з) (автобус*|цивільн*|біженц*|евакуйован*), цивільн* авто*/машин*; автобус*,
                (гуманитарн*|эвакуационн*|гражданск*) колонн*, колонн* (с) (автобус*|мирн*|беженц*|
                эвакуир*), гражданск* авто*/машин* - a bare "convoy"/"колона" is most often military
corridor        corridor*, safe passage, green corridor; коридор*, безпечн* прохід; коридор*,
                безопасн* проход*
humanitarian    humanitarian*, aid, relief supplies, ICRC, Red Cross; гуманітарн*, допомог*,
                Червон* Хрест*; гуманитарн*, Красн* Крест*, МККК
ceasefire       ceasefire, cease-fire, truce, despite (the) agreement*, in violation of, violat*
                (the) ceasefire; режим* тиш*, перемир*, незважаючи на домовленост*, всупереч
                домовленост*, поруш* режим*; режим* тишин*, перемири*, несмотря на
                договоренност*, вопреки договоренност*, наруш* режим*
==============  ==================================================================================

Topics ``evacuation``, ``transport``, ``corridor`` and ``humanitarian`` are the **movement**
topics: the note ties the event to people or aid moving. ``ceasefire`` says the event broke an
agreed halt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MOVEMENT_TOPICS", "TOPIC_PATTERNS", "mentions_movement", "text_topics"]

#: Topic -> one pattern (English | Ukrainian | Russian), word-start anchored; see the module table.
TOPIC_PATTERNS: Mapping[str, re.Pattern[str]] = {
    topic: re.compile(pattern, re.IGNORECASE)
    for topic, pattern in {
        "evacuation": (
            r"\bevacuat\w*|\bevacuee\w*|\bflee(?:s|ing)?\b|\bfled\b|\brefugee\w*|\bcivilians? leaving\b"
            r"|\bевакуац\w*|\bевакуйов\w*|\bевакуйован\w*|\bбіженц\w*|\bвиїзд\w* цивільн\w*"
            r"|\bэвакуац\w*|\bэвакуир\w*|\bбеженц\w*|\bвыезд\w* мирн\w*"
        ),
        "transport": (
            r"\bbus\b|\bbuses\b|\b(?:humanitarian|evacuation|aid|civilian|refugee|bus) convoys?\b"
            r"|\bconvoys? of (?:buses|civilians|cars|evacuees|refugees)\b"
            r"|\bcolumn of (?:cars|vehicles|buses|civilians)\b|\bcivilian (?:cars?|vehicles?)\b"
            r"|\bавтобус\w*|\b(?:гуманітарн|евакуаційн|цивільн)\w* (?:авто)?колон\w*"
            r"|\bколон\w* (?:з |із )?(?:автобус|цивільн|біженц|евакуйован)\w*"
            r"|\bцивільн\w* (?:авто\w*|машин\w*)"
            r"|\b(?:гуманитарн|эвакуационн|гражданск)\w* (?:авто)?колонн\w*"
            r"|\bколонн\w* (?:с )?(?:автобус|мирн|беженц|эвакуир)\w*|\bгражданск\w* (?:авто\w*|машин\w*)"
        ),
        "corridor": (
            r"\bcorridors?\b|\bsafe passage\b|\bкоридор\w*|\bбезпечн\w* прох\w*|\bбезопасн\w* проход\w*"
        ),
        "humanitarian": (
            r"\bhumanitarian\w*|\baid\b|\brelief supplies\b|\bicrc\b|\bred cross\b"
            r"|\bгуманітарн\w*|\bдопомог\w*|\bчервон\w* хрест\w*"
            r"|\bгуманитарн\w*|\bкрасн\w* крест\w*|\bмккк\b"
        ),
        "ceasefire": (
            r"\bcease-?fire\w*|\btruce\w*|\bdespite (?:the |an )?agreement\w*|\bin violation of\b"
            r"|\bviolat\w* (?:the |a )?cease-?fire\b"
            r"|\bрежим\w* тиш\w*|\bперемир\w*|\bнезважаючи на домовленост\w*|\bвсупереч домовленост\w*"
            r"|\bпоруш\w* режим\w*|\bнесмотря на договоренност\w*|\bвопреки договоренност\w*"
            r"|\bнаруш\w* режим\w*"
        ),
    }.items()
}

MOVEMENT_TOPICS = frozenset({"evacuation", "transport", "corridor", "humanitarian"})


def text_topics(text: str) -> frozenset[str]:
    """The topics of :data:`TOPIC_PATTERNS` the text mentions (empty for empty text)."""
    if not text:
        return frozenset()
    return frozenset(topic for topic, pattern in TOPIC_PATTERNS.items() if pattern.search(text))


def mentions_movement(text: str) -> bool:
    """Whether the text speaks of evacuees, buses, convoys, corridors or humanitarian aid."""
    return bool(text_topics(text) & MOVEMENT_TOPICS)
