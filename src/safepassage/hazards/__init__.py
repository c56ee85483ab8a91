"""Hazards change weights and availability per time, never the graph.

Given a network, a scenario and a time: which links are open (closures from exclusion zones,
blockages, credible hazard reports, curfews, restricted areas, corridor windows) and what each link
costs in risk. See each module's docstring for its rule.
"""

from safepassage.hazards.closures import LinkClosures, corridor_links, curfew_intervals_s, link_closures
from safepassage.hazards.corridor_rule import (
    EVACUEE_VEHICLE,
    binding_corridor,
    binding_corridors,
    corridor_serves,
    must_use,
)
from safepassage.hazards.credibility import CLOSING_CREDIBILITY, closes_roads, credibility
from safepassage.hazards.geometry import area_shape, link_index, route_shape
from safepassage.hazards.intensity import intensity_at
from safepassage.hazards.risk import link_risk

__all__ = [
    "CLOSING_CREDIBILITY",
    "EVACUEE_VEHICLE",
    "LinkClosures",
    "area_shape",
    "binding_corridor",
    "binding_corridors",
    "closes_roads",
    "corridor_links",
    "corridor_serves",
    "credibility",
    "curfew_intervals_s",
    "intensity_at",
    "link_closures",
    "link_index",
    "link_risk",
    "must_use",
    "route_shape",
]
