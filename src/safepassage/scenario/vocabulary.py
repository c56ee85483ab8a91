"""The fixed vocabularies a scenario (and an incident feed) speaks: kinds, sources, states, classes.

Kept in one module so that the scenario loader, the hazard weights, the monitor's ingest and the
store all agree on the same words.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Cargo",
    "CorridorPurpose",
    "CorridorStatus",
    "HazardKind",
    "RoadClass",
    "SourceType",
    "TravelMode",
    "VehicleClass",
    "Verification",
]


class TravelMode(StrEnum):
    """How people move over the road network."""

    DRIVE = "drive"
    WALK = "walk"


class VehicleClass(StrEnum):
    """Who is moving: restrictions, curfews and corridors name these."""

    PEDESTRIAN = "pedestrian"
    CAR = "car"
    BUS = "bus"
    TRUCK = "truck"
    AMBULANCE = "ambulance"
    AID_CONVOY = "aid_convoy"


class Cargo(StrEnum):
    """What a vehicle carries; restricted areas may admit only some cargo (e.g. food, medicine)."""

    PEOPLE = "people"
    FOOD = "food"
    MEDICINE = "medicine"
    FUEL = "fuel"
    OTHER = "other"


class CorridorStatus(StrEnum):
    """Lifecycle of a corridor agreement: proposed -> agreed / disputed -> open -> suspended -> closed."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    DISPUTED = "disputed"
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class CorridorPurpose(StrEnum):
    """What a corridor was agreed for."""

    EVACUATION = "evacuation"
    AID = "aid"
    BOTH = "both"


class HazardKind(StrEnum):
    """Kinds of incident reported along roads."""

    SHELLING = "shelling"
    AIR_STRIKE = "air_strike"
    MISSILE = "missile"
    MINES = "mines"
    FIGHTING = "fighting"
    CHECKPOINT_CLOSED = "checkpoint_closed"
    ROAD_DAMAGE = "road_damage"
    BRIDGE_DOWN = "bridge_down"
    SNIPER = "sniper"
    AIR_RAID_ALERT = "air_raid_alert"
    LOOTING = "looting"
    OTHER = "other"


class SourceType(StrEnum):
    """Who reported an incident; credibility depends on it (see ``safepassage.hazards.credibility``)."""

    OFFICIAL = "official"
    UN = "un"
    FIELD_TEAM = "field_team"
    MEDIA = "media"
    SOCIAL = "social"


class Verification(StrEnum):
    """Review state of a report (as in Ushahidi / KoboToolbox review workflows)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    DISPUTED = "disputed"
    REJECTED = "rejected"


class RoadClass(StrEnum):
    """OSM ``highway`` classes a road link can have (``capacity.vehicles_per_hour_per_lane`` keys).

    The same words in the same order as ``safepassage.network.road_classes.ROAD_CLASSES`` (a test
    checks it); ``_link`` roads count as their main class.
    """

    MOTORWAY = "motorway"
    TRUNK = "trunk"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    TERTIARY = "tertiary"
    UNCLASSIFIED = "unclassified"
    RESIDENTIAL = "residential"
    LIVING_STREET = "living_street"
    SERVICE = "service"
    ROAD = "road"
    PEDESTRIAN = "pedestrian"
    FOOTWAY = "footway"
    PATH = "path"
    STEPS = "steps"
    TRACK = "track"
    CYCLEWAY = "cycleway"
