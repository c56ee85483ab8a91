"""Single routes: the best open, low-risk route for one origin and destination at one time."""

from safepassage.routing.route import DEFAULT_RISK_PENALTY_S, Route, best_route, mandatory_corridor

__all__ = ["DEFAULT_RISK_PENALTY_S", "Route", "best_route", "mandatory_corridor"]
