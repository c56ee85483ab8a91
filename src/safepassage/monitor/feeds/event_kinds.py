"""The one vocabulary of event words -> hazard kind, in English, Ukrainian and Russian.

Every feed that maps free event text to a :class:`HazardKind` (CAP ``event``/``headline``, UCDP
headlines, alert types not in the alerts.in.ua code list) uses :func:`event_kind` with this table,
so a Ukrainian CAP alert ``<event>Обстріл</event>`` is shelling, as its English twin is. ACLED's
``sub_event_type`` and alerts.in.ua's ``alert_type`` are closed code lists and keep their exact
tables (:data:`~safepassage.monitor.feeds.acled.SUB_EVENT_KIND`,
:data:`~safepassage.monitor.feeds.alerts.ALERT_KIND`).

Rows are tried in order and the first match wins; matching ignores case. The order settles words
that name two things: "air raid" before "strike"; "missile strike" is a missile; multiple-rocket
launchers (Grad, "реактивна артилерія", "РСЗО") are shelling, before the bare word "rocket"/"ракета"
(a missile); "mortar" ("міномет", "миномет") is shelling, before mines ("міна", "мина"), whose forms
are listed whole so that "міністерство" (ministry) or "мінімум" are not mines.

=================  =================================================================================
kind               words (English; Ukrainian; Russian)
=================  =================================================================================
air_raid_alert     air raid, air alert; повітряна тривога; воздушная тревога
shelling           MLRS, Grad, Uragan, Smerch, rocket artillery, shelling, artillery, mortar;
                   РСЗВ, реактивна артилерія, обстріл, артилерія, міномет; РСЗО, обстрел,
                   артиллерия, миномет
missile            missile, rocket, ballistic; ракета, балістичний; ракета, баллистический
air_strike         air strike, airstrike, bomb, drone, UAV, Shahed, strike; авіаудар, авіаційний удар,
                   бомба, дрон, безпілотник, БпЛА, шахед, удар; авиаудар, авиационный удар,
                   бомба, беспилотник, БПЛА, удар
mines              mine(s), landmine, UXO, unexploded; міна, міни, мінування, вибухонебезпечний
                   предмет; мина, мины, минирование, взрывоопасный предмет
sniper             sniper; снайпер
fighting           fighting, combat, clash, assault; бої, бій, бойові дії, зіткнення, штурм;
                   бои, бой, боевые действия, столкновения, штурм
checkpoint_closed  checkpoint; блокпост, контрольно-пропускний пункт, пункт пропуску; КПП
bridge_down        bridge; міст, мосту, мости; мост, моста, мосты
road_damage        road, highway; дорога, шосе, траса; дорога, шоссе, трасса
looting            looting, looters; мародерство, мародери; мародёрство, мародеры
=================  =================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from safepassage.scenario.vocabulary import HazardKind

__all__ = ["EVENT_WORDS", "event_kind"]

K = HazardKind

#: (kind, pattern) in the order they are tried; see the module docstring for the table.
EVENT_WORDS: Sequence[tuple[HazardKind, re.Pattern[str]]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (K.AIR_RAID_ALERT, r"air[ -]?raid|air alert|повітрян\w* тривог|воздушн\w* тревог"),
        (
            K.SHELLING,
            r"\bmlrs\b|multiple[ -]rocket|rocket artillery|\bgrad\b|\buragan\b|\bsmerch\b"
            r"|\bрсз[во]\b|реактивн\w* (?:систем|артилер)|залпов\w* (?:вогн|огн)"
            r"|\bград(?:а|у|ом|и|ів|ы|ов|ами)?\b",
        ),
        (
            K.SHELLING,
            r"shell|artiller|mortar|обстріл|обстрел|артилер|артиллер|мінометн|міномет|минометн|миномет",
        ),
        (K.MISSILE, r"missile|rocket|ballistic|ракет|балістичн|баллистическ"),
        (
            K.AIR_STRIKE,
            r"air ?strike|bomb|\bdrones?\b|\buavs?\b|shahed|авіа\w*\s*удар|авиа\w*\s*удар|бомб|\bдрон\w*"
            r"|безпілотн|беспилотн|\bбпла\b|шахед|strike|\bудар\w*",
        ),
        (
            K.MINES,
            r"\bmines?\b|\bmined\b|landmine|\buxo\b|unexploded|\bied\b"
            r"|\b(?:за)?мін(?:а|и|у|ою|ами|ах|ування\w*|ован\w*|н\w*)\b|вибухонебезпечн|нерозірван"
            r"|\b(?:за)?мин(?:а|ы|у|ой|ами|ах|ирование\w*|ирован\w*|н\w*)\b|взрывоопасн|неразорвавш",
        ),
        (K.SNIPER, r"sniper|снайпер"),
        (
            K.FIGHTING,
            r"fight|combat|clash|assault|\bбо[їi]\b|\bбій\b|бойов\w* ді|зіткнен|штурм"
            r"|\bбои\b|\bбой\b|боев\w* действ|столкновен",
        ),
        (K.CHECKPOINT_CLOSED, r"checkpoint|блокпост|контрольно-пропускн|пункт\w* пропуску|\bкпп\b"),
        (
            K.BRIDGE_DOWN,
            r"bridge|\bміст\b|\bмост(?:у|ом|и|ів|а|ы|ов|ах|ами)?\b",
        ),
        (K.ROAD_DAMAGE, r"\broads?\b|highway|дорог|\bшосе\b|\bтрас\w*|шоссе"),
        (K.LOOTING, r"loot|мародер|мародёр"),
    )
)


@lru_cache(maxsize=8192)
def event_kind(text: str, default: HazardKind = HazardKind.OTHER) -> HazardKind:
    """The hazard kind named by event text in English, Ukrainian or Russian; ``default`` when none.

    Cached: feeds repeat their headlines (UCDP: 1,816 distinct in 2,997 rows)."""
    for kind, pattern in EVENT_WORDS:
        if pattern.search(text):
            return kind
    return default
