"""Read the highway ways of an OSM extract (.osm.pbf, .osm, .osm.bz2) with pyosmium.

This is the only module that touches the OSM file format; it hands plain Python lists to the
builder. pyosmium (libosmium) parses every format we accept, so no OSM parsing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import osmium

from safepassage.errors import OsmFileError
from safepassage.network.road_classes import base_class, is_usable
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["OsmWay", "read_ways"]

_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml", ".osm.xml")
_TAGS_KEPT = (
    "highway",
    "oneway",
    "junction",
    "maxspeed",
    "lanes",
    "name",
    "ref",
    "access",
    "motor_vehicle",
    "motorcar",
    "foot",
    "area",
)


@dataclass(frozen=True)
class OsmWay:
    """One usable highway way: its id, class, the tags we need, and its nodes with locations."""

    way_id: int
    road_class: str
    tags: dict[str, str]
    node_ids: list[int]
    lats: list[float]
    lons: list[float]


def read_ways(path: Path, mode: TravelMode) -> list[OsmWay]:
    """Every way of ``path`` usable by ``mode``, with node locations.

    Raises :class:`OsmFileError` for a missing, unreadable or unknown-format file.
    """
    if not path.is_file():
        raise OsmFileError(f"{path}: OSM extract not found; expected an existing file")
    if not path.name.lower().endswith(_SUFFIXES):
        raise OsmFileError(
            f"{path}: unknown file type; expected an OSM extract ending in .osm.pbf, .osm or .osm.bz2"
        )
    ways: list[OsmWay] = []
    try:
        processor = (
            osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in processor:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = {k: obj.tags[k] for k in _TAGS_KEPT if k in obj.tags}
            road_class = base_class(tags.get("highway", ""))
            if road_class is None or not is_usable(road_class, tags, mode):
                continue
            node_ids: list[int] = []
            lats: list[float] = []
            lons: list[float] = []
            for node in obj.nodes:
                location = node.location
                if not location.valid():
                    continue  # node outside the extract's cut: skip it, keep the rest of the way
                node_ids.append(int(node.ref))
                lats.append(float(location.lat))
                lons.append(float(location.lon))
            if len(node_ids) >= 2:
                ways.append(OsmWay(int(obj.id), road_class, tags, node_ids, lats, lons))
    except RuntimeError as exc:
        raise OsmFileError(f"{path}: cannot be read as OSM data ({exc})") from None
    return ways
