"""Hazards change weights and availability per time, never the graph.

Given a network, a scenario and a time: which links are open (closures from exclusion zones,
blockages, credible hazard reports, curfews, restricted areas, corridor windows) and what each link
costs in risk. See each module's docstring for its rule.
"""

from safepassage.hazards.closures import LinkClosures, corridor_links, curfew_intervals_s, link_closures
from safepassage.hazards.credibility import CLOSING_CREDIBILITY, closes_roads, credibility
from safepassage.hazards.geometry import area_shape, link_index, route_shape
from safepassage.hazards.intensity import intensity_at
from safepassage.hazards.risk import link_risk

__all__ = [
    "CLOSING_CREDIBILITY",
    "LinkClosures",
    "area_shape",
    "closes_roads",
    "corridor_links",
    "credibility",
    "curfew_intervals_s",
    "intensity_at",
    "link_closures",
    "link_index",
    "link_risk",
    "route_shape",
]
