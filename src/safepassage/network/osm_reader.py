"""Read the highway ways of an OSM extract (.osm.pbf, .osm, .osm.bz2) with pyosmium.

This is the only module that touches the OSM file format; it hands plain Python lists to the
builder. pyosmium (libosmium) parses every format we accept, so no OSM parsing is written here.

The file is read in two passes, so its order does not matter (Overpass writes ways before their
nodes): first the highway ways (tags and node ids), then the locations of just the nodes those
ways use (libosmium's location index, filled in C++). A way whose nodes are
partly missing (an extract clipped at its border) is split at every gap: the pieces that remain
are kept, and nothing joins the two sides of a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import osmium

from safepassage.errors import OsmFileError
from safepassage.network.access import TAGS_READ, is_reversible, may_use
from safepassage.network.road_classes import SPEED_TAGS, base_class
from safepassage.scenario.vocabulary import TravelMode

__all__ = ["OsmExtract", "OsmWay", "read_ways"]

_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml", ".osm.xml")
_TAGS_KEPT = frozenset({"highway", "lanes", "name", "ref", *SPEED_TAGS, *TAGS_READ})


@dataclass(frozen=True)
class OsmWay:
    """One usable piece of a highway way: its id, class, the tags we need, its nodes with locations."""

    way_id: int
    road_class: str
    tags: dict[str, str]
    node_ids: list[int]
    lats: list[float]
    lons: list[float]


@dataclass(frozen=True)
class OsmExtract:
    """The usable ways of an extract for one mode, and what was left out or cut, for the report.

    ``ways_cut``: ways with nodes missing from the file, split at the gaps (or dropped when less
    than two nodes in a row remain). ``ways_reversible``: ``oneway=reversible``/``alternating``
    ways otherwise usable by the mode but left out (driving only; see ``network.access``).
    """

    ways: list[OsmWay] = field(default_factory=list)
    ways_cut: int = 0
    ways_reversible: int = 0


@dataclass
class _Candidate:
    way_id: int
    road_class: str
    tags: dict[str, str]
    refs: list[int]


def read_ways(path: Path, mode: TravelMode) -> OsmExtract:
    """Every way of ``path`` usable by ``mode``, with node locations, split where nodes are missing.

    Raises :class:`OsmFileError` for a missing, unreadable or unknown-format file.
    """
    if not path.is_file():
        raise OsmFileError(f"{path}: OSM extract not found; expected an existing file")
    if not path.name.lower().endswith(_SUFFIXES):
        raise OsmFileError(
            f"{path}: unknown file type; expected an OSM extract ending in .osm.pbf, .osm or .osm.bz2"
        )
    try:
        candidates, reversible = _read_highways(path, mode)
        locations = _read_locations(path, candidates)
    except RuntimeError as exc:
        raise OsmFileError(f"{path}: cannot be read as OSM data ({exc})") from None
    ways: list[OsmWay] = []
    cut = 0
    for candidate in candidates:
        pieces = _split_at_gaps(candidate, locations)
        ways.extend(pieces)
        if sum(len(p.node_ids) for p in pieces) < len(candidate.refs):
            cut += 1
    return OsmExtract(ways=ways, ways_cut=cut, ways_reversible=reversible)


def _read_highways(path: Path, mode: TravelMode) -> tuple[list[_Candidate], int]:
    """Pass 1: the ways usable by ``mode`` (node ids, no locations) and the reversible ones left out."""
    candidates: list[_Candidate] = []
    reversible = 0
    processor = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue
        tags = {key: way.tags[key] for key in _TAGS_KEPT if key in way.tags}
        road_class = base_class(tags.get("highway", ""))
        if road_class is None or not may_use(road_class, tags, mode):
            continue
        if mode is TravelMode.DRIVE and is_reversible(tags):
            reversible += 1
            continue
        refs = [int(node.ref) for node in way.nodes]
        if len(refs) >= 2:
            candidates.append(_Candidate(int(way.id), road_class, tags, refs))
    return candidates, reversible


def _read_locations(path: Path, candidates: list[_Candidate]) -> dict[int, tuple[float, float]]:
    """Pass 2: (lat, lon) of every node the candidate ways use and the file holds.

    libosmium's location index takes every node of the file in C++ (``flex_mem``: sparse for small
    extracts, dense for large ones); it holds positive ids only, so negative ones (files saved by
    JOSM before upload) are read in Python, and only when a way uses one.
    """
    store = osmium.index.create_map("flex_mem")
    with osmium.io.Reader(str(path), osmium.osm.NODE) as reader:
        osmium.apply(reader, osmium.NodeLocationsForWays(store))
    locations: dict[int, tuple[float, float]] = {}
    negative: set[int] = set()
    for candidate in candidates:
        for ref in candidate.refs:
            if ref in locations:
                continue
            if ref < 0:
                negative.add(ref)
                continue
            try:
                location = store.get(ref)
            except KeyError:
                continue  # not in the file: the way is cut here
            if location.valid():
                locations[ref] = (float(location.lat), float(location.lon))
    if negative:
        for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
            if isinstance(node, osmium.osm.Node) and node.id in negative and node.location.valid():
                locations[int(node.id)] = (float(node.location.lat), float(node.location.lon))
    return locations


def _split_at_gaps(candidate: _Candidate, locations: dict[int, tuple[float, float]]) -> list[OsmWay]:
    """The runs of consecutive located nodes of a way, each of 2+ nodes, as separate pieces."""
    pieces: list[OsmWay] = []
    run: list[int] = []
    for ref in [*candidate.refs, None]:
        if ref is not None and ref in locations:
            run.append(ref)
            continue
        if len(run) >= 2:
            lats = [locations[r][0] for r in run]
            lons = [locations[r][1] for r in run]
            pieces.append(OsmWay(candidate.way_id, candidate.road_class, candidate.tags, run, lats, lons))
        run = []
    return pieces
