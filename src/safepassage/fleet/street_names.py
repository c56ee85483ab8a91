"""Street names of a route, as a dispatcher reads them: "Mannerheimintie → Hämeentie → E75".

Each road link keeps the name of the OSM way it follows (``name``, else ``ref``, else empty;
``network/build.py``, ``RoadNetwork.link_name``). A route's names are its links' names in travel
order with unnamed links left out and consecutive repeats collapsed, so a street cut into many
links by its intersections reads once, and a street left and taken again later reads twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from safepassage.network.model import RoadNetwork

__all__ = ["ROUTE_ARROW", "collapse_names", "path_street_names", "route_text"]

#: What separates two streets in a route read aloud or printed.
ROUTE_ARROW = " → "


def collapse_names(names: Iterable[str]) -> list[str]:
    """``["A", "A", "", "B", "A"]`` -> ``["A", "B", "A"]``: blanks dropped, consecutive repeats
    (after dropping the blanks between them) collapsed; surrounding spaces trimmed."""
    kept = (name.strip() for name in names)
    return [name for name, _ in itertools.groupby(n for n in kept if n)]


def path_street_names(network: RoadNetwork, path: Sequence[int]) -> list[str]:
    """The collapsed street names along ``path`` (OSM node ids in travel order).

    Each hop is read as the fastest link joining its two nodes (``RoadNetwork.find_link``); a hop
    with no link, or a node not in the network, contributes no name (the checker reports it).
    """
    names: list[str] = []
    for u, v in itertools.pairwise(path):
        try:
            link = network.find_link(network.node_index(u), network.node_index(v))
        except KeyError:
            continue
        if link >= 0:
            names.append(str(network.link_name[link]))
    return collapse_names(names)


def route_text(names: Sequence[str], *, empty: str = "(unnamed roads)") -> str:
    """``"Prospekt Myru → M14"``; ``empty`` when the route has no named road."""
    return ROUTE_ARROW.join(names) if names else empty
