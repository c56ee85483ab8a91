"""Trains in the fleet plan: the scenario's stations matched to the extract's rail network.

A scenario's station (``fleet.stations``) is matched to the nearest OSM ``railway=station`` of the
same extract (``safepassage.network.rail``) within 500 m; the schedule's solver details name the
OSM station and the distance, or say that none is near (a station placed off the rails is then
visible to the coordinator). Buses and people on foot reach a station by road; the train itself
runs on the timetable's times (``fleet.trains``) to a place off the map, and people board it in
``fleet.simulate.board_trains``: one plan across modes, with the transfer time at the station.
"""

from __future__ import annotations

from safepassage.errors import OsmFileError
from safepassage.network.rail import read_rail
from safepassage.scenario.fleet import Fleet
from safepassage.scenario.model import Scenario

__all__ = ["match_stations"]

#: Farthest a scenario's station may be from an OSM station of the extract to be matched.
MATCH_WITHIN_M = 500.0


def match_stations(scenario: Scenario, fleet: Fleet) -> dict[str, str]:
    """For each station of the fleet, the OSM station it stands for (or why none)."""
    if not fleet.stations:
        return {}
    from safepassage.scenario.load import resolve_network_path

    try:
        rail = read_rail(resolve_network_path(scenario))
    except (OsmFileError, OSError) as exc:
        return {s.id: f"rail network not read: {exc}" for s in fleet.stations}
    out: dict[str, str] = {}
    for station in fleet.stations:
        found = rail.station_near(station.lat, station.lon, MATCH_WITHIN_M)
        if found is None:
            out[station.id] = f"no railway=station within {MATCH_WITHIN_M:.0f} m in the extract"
        else:
            osm, distance = found
            out[station.id] = (
                f"OSM station {osm.name or '(unnamed)'} (node {osm.osm_id}), {distance:.0f} m away"
            )
    return out
