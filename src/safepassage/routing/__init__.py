"""Single routes: the best open, low-risk route for one origin and destination at one time."""

from safepassage.routing.route import (
    DEFAULT_RISK_PENALTY_S,
    Opening,
    Route,
    best_route,
    describe_opening,
    earliest_opening,
)

__all__ = ["DEFAULT_RISK_PENALTY_S", "Opening", "Route", "best_route", "describe_opening", "earliest_opening"]
