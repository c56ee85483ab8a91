"""Who may use a way, per travel mode: road classes, the OSM access hierarchy and one-way rules.

Three tables decide, in this order (see docs/network-tags.md for the reasons):

1. :data:`MODE_CLASSES` - the road classes a mode uses at all. Driving uses the public roads for
   cars (osmnx's "drive" filter: no service roads, tracks, paths); no tag opens another class to
   cars. Walking uses every class; motorways and cycleways are closed to walkers unless tagged
   ``foot=yes`` (:data:`IMPLIED_TAGS`).
2. :data:`ACCESS_KEYS` - the OSM access hierarchy (https://wiki.openstreetmap.org/wiki/Key:access):
   ``access`` -> ``vehicle`` -> ``motor_vehicle`` -> ``motorcar`` for driving, ``access`` ->
   ``foot`` for walking. The most specific key present with a known value decides, so
   ``access=no`` + ``motor_vehicle=yes`` is open to cars and ``vehicle=no`` is closed to them
   (but not to walkers). Conditional keys (``access:conditional``) are not read.
3. :data:`ACCESS_VALUES` - what each value means for an evacuation (open or closed, and why). A
   value list (``destination;delivery``) is open if any of its values is. Unknown values are
   skipped, so the next more general key decides.

``oneway=reversible`` / ``alternating`` (the direction changes by time of day or is signalled
turn by turn) are closed to driving in both directions: a plan cannot know which way is open when.
Scenarios have no switch to open them; the OSM reader leaves them out of the drive network
(:func:`is_reversible`) and the network report counts them. Walking ignores one-way rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from safepassage.scenario.vocabulary import TravelMode

__all__ = [
    "ACCESS_KEYS",
    "ACCESS_VALUES",
    "IMPLIED_TAGS",
    "MODE_CLASSES",
    "TAGS_READ",
    "is_reversible",
    "may_use",
    "oneway_direction",
]

_DRIVE_CLASSES = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "road",
    }
)
_ALL_CLASSES = frozenset(
    _DRIVE_CLASSES | {"service", "pedestrian", "footway", "path", "steps", "track", "cycleway"}
)

#: Road classes (``safepassage.network.road_classes.ROAD_CLASSES``) each mode may use at all.
MODE_CLASSES: Mapping[TravelMode, frozenset[str]] = {
    TravelMode.DRIVE: _DRIVE_CLASSES,
    TravelMode.WALK: _ALL_CLASSES,
}

#: Access keys each mode reads, most general first (the most specific one present decides).
ACCESS_KEYS: Mapping[TravelMode, tuple[str, ...]] = {
    TravelMode.DRIVE: ("access", "vehicle", "motor_vehicle", "motorcar"),
    TravelMode.WALK: ("access", "foot"),
}

#: Tags a road class implies before the way's own tags (a way's own tag of the same key wins).
IMPLIED_TAGS: Mapping[str, Mapping[str, str]] = {
    "motorway": {"foot": "no"},
    "cycleway": {"foot": "no"},
}

#: Access value -> (open for the evacuation?, why). Read for every key of the hierarchy.
ACCESS_VALUES: Mapping[str, tuple[bool, str]] = {
    "yes": (True, "public right of way"),
    "permissive": (True, "the owner lets the public pass"),
    "designated": (True, "signed for this kind of traffic"),
    "official": (True, "signed for this kind of traffic"),
    "discouraged": (True, "legal, only discouraged"),
    "destination": (
        True,
        "open to anyone with business on the road; people leaving their homes have, and an ordered "
        "evacuation is business of the whole area, so through evacuation traffic is planned too",
    ),
    "no": (False, "closed"),
    "private": (False, "only with the owner's permission; often gated, no right of way to rely on"),
    "delivery": (
        False,
        "goods deliveries only, usually pedestrian zones and market streets with bollards; in an "
        "evacuation they fill with people on foot, so cars are not planned over them",
    ),
    "customers": (False, "a business's customers only (car parks, shop roads); closed when it closes"),
    "agricultural": (
        False,
        "farm vehicles only; usually unpaved or barred, not fit for loaded cars or buses",
    ),
    "forestry": (
        False,
        "forestry vehicles only; usually unpaved or barred, not fit for loaded cars or buses",
    ),
    "permit": (False, "needs a permit the evacuees do not have"),
    "military": (False, "military only"),
    "psv": (False, "public-service vehicles only; the drive network plans cars"),
    "bus": (False, "buses only; the drive network plans cars"),
    "use_sidepath": (False, "must use the separately mapped path beside it (which the network has)"),
}

#: Every tag this module reads (the OSM reader keeps these).
TAGS_READ: tuple[str, ...] = (
    "area",
    "oneway",
    "junction",
    "access",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "foot",
)

_REVERSIBLE = frozenset({"reversible", "alternating"})


def _value_open(value: str) -> bool | None:
    """True/False for a known value (or list of values), None when no value is known."""
    verdicts = [ACCESS_VALUES[v.strip()][0] for v in value.lower().split(";") if v.strip() in ACCESS_VALUES]
    if not verdicts:
        return None
    return any(verdicts)


def may_use(road_class: str, tags: Mapping[str, str], mode: TravelMode) -> bool:
    """Whether ``mode`` may use a way of this class and tags (the three tables above).

    Areas (``area=yes``, e.g. a square mapped as a pedestrian area) are never used: their outline
    is not a road. Reversible ways are a separate question (:func:`is_reversible`), so that the
    reader can count those it leaves out.
    """
    if tags.get("area") == "yes" or road_class not in MODE_CLASSES[mode]:
        return False
    merged = {**IMPLIED_TAGS.get(road_class, {}), **tags}
    verdict = True
    for key in ACCESS_KEYS[mode]:
        if key in merged:
            opened = _value_open(merged[key])
            if opened is not None:
                verdict = opened
    return verdict


def is_reversible(tags: Mapping[str, str]) -> bool:
    """``oneway=reversible`` or ``alternating``: its direction changes, so no plan can rely on it."""
    return tags.get("oneway", "").strip().lower() in _REVERSIBLE


def oneway_direction(road_class: str, tags: Mapping[str, str], mode: TravelMode) -> int:
    """+1 forward only, -1 backward only, 0 both ways. Walking ignores one-way rules.

    Roundabouts and motorways are one-way unless tagged otherwise. Reversible ways never reach
    here for driving (the reader leaves them out).
    """
    if mode is TravelMode.WALK:
        return 0
    value = tags.get("oneway", "").strip().lower()
    if value in {"yes", "true", "1"}:
        return 1
    if value in {"-1", "reverse"}:
        return -1
    if value in {"no", "false", "0"}:
        return 0
    if tags.get("junction") in {"roundabout", "circular"} or road_class == "motorway":
        return 1
    return 0
