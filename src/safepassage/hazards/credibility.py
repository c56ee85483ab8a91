"""How much a report is believed, and whether it may close a road on its own.

Credibility is a number in [0, 1] from the source type and the review state. A report closes the
links within its area only when its credibility reaches :data:`CLOSING_CREDIBILITY` and its kind is
one that makes a road impassable; below that it only raises the risk cost. So a verified shelling
report closes links for its active time, while a single unverified social-media post raises risk and
closes nothing. A rejected report counts for nothing.

=============  ==========  ========  ========  ========
source type    unverified  verified  disputed  rejected
=============  ==========  ========  ========  ========
official          0.6        1.0       0.3       0.0
un                0.7        1.0       0.4       0.0
field_team        0.8        1.0       0.4       0.0
media             0.4        0.9       0.2       0.0
social            0.2        0.8       0.1       0.0
=============  ==========  ========  ========  ========

The numbers encode an ordering agreed with humanitarian practice rather than a measured rate:
a team's own eyes before a UN report before a government statement (a party to the conflict)
before the press before social media; review raises or lowers that, and disputed reports keep a
little weight because in March 2022 many true reports were disputed by one party.
"""

from __future__ import annotations

from collections.abc import Mapping

from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["CLOSING_CREDIBILITY", "CLOSING_KINDS", "SEVERITY", "closes_roads", "credibility"]

_TABLE: Mapping[SourceType, tuple[float, float, float, float]] = {
    # unverified, verified, disputed, rejected
    SourceType.OFFICIAL: (0.6, 1.0, 0.3, 0.0),
    SourceType.UN: (0.7, 1.0, 0.4, 0.0),
    SourceType.FIELD_TEAM: (0.8, 1.0, 0.4, 0.0),
    SourceType.MEDIA: (0.4, 0.9, 0.2, 0.0),
    SourceType.SOCIAL: (0.2, 0.8, 0.1, 0.0),
}
_COLUMN = {
    Verification.UNVERIFIED: 0,
    Verification.VERIFIED: 1,
    Verification.DISPUTED: 2,
    Verification.REJECTED: 3,
}

#: A report at or above this credibility closes roads (if its kind closes roads).
CLOSING_CREDIBILITY = 0.7

#: Kinds that make a road impassable; the others (alerts, looting, ...) only add risk.
CLOSING_KINDS = frozenset(
    {
        HazardKind.SHELLING,
        HazardKind.AIR_STRIKE,
        HazardKind.MISSILE,
        HazardKind.MINES,
        HazardKind.FIGHTING,
        HazardKind.CHECKPOINT_CLOSED,
        HazardKind.ROAD_DAMAGE,
        HazardKind.BRIDGE_DOWN,
        HazardKind.SNIPER,
    }
)

#: Risk points for one person crossing the area at full intensity and full credibility.
SEVERITY: Mapping[HazardKind, float] = {
    HazardKind.SHELLING: 1.0,
    HazardKind.AIR_STRIKE: 1.0,
    HazardKind.MISSILE: 1.0,
    HazardKind.MINES: 1.0,
    HazardKind.FIGHTING: 1.0,
    HazardKind.SNIPER: 0.8,
    HazardKind.AIR_RAID_ALERT: 0.3,
    HazardKind.LOOTING: 0.3,
    HazardKind.CHECKPOINT_CLOSED: 0.2,
    HazardKind.ROAD_DAMAGE: 0.2,
    HazardKind.BRIDGE_DOWN: 0.2,
    HazardKind.OTHER: 0.3,
}


def credibility(source_type: SourceType, verification: Verification) -> float:
    """Belief in a report, 0 (ignore) to 1 (certain), from the table above."""
    return _TABLE[source_type][_COLUMN[verification]]


def closes_roads(kind: HazardKind, source_type: SourceType, verification: Verification) -> bool:
    """Whether such a report, alone, closes the links within its area."""
    return kind in CLOSING_KINDS and credibility(source_type, verification) >= CLOSING_CREDIBILITY
