"""Every error Safe Passage raises on purpose, with a fixed code, CLI exit code and HTTP status.

The library never prints or exits: it raises one of these, and the CLI (``safepassage.cli``) and the
HTTP API turn it into an exit code or a status. Messages are written for a coordinator, not a
programmer: they say which file, which field, which value, and what was expected.

The tree::

                                          code              exit  HTTP
    SafePassageError                      ERROR                1   500
    ├── InputError                        INPUT_INVALID        2   422
    │   ├── ScenarioError                 SCENARIO_INVALID     2   422
    │   ├── OsmFileError                  OSM_FILE             2   422
    │   ├── NoRoadsError                  NO_ROADS             2   422
    │   ├── OutsideExtractError           OUTSIDE_EXTRACT      2   422
    │   ├── FeedError                     FEED_INVALID         2   422
    │   ├── PlanFileError                 PLAN_INVALID         2   422
    │   └── ScheduleFileError             SCHEDULE_INVALID     2   422
    ├── UnknownIdError                    UNKNOWN_ID           3   404
    ├── NoRouteError                      NO_ROUTE             4   409
    ├── PlanRejectedError                 PLAN_REJECTED        5   409
    ├── ScheduleRejectedError             SCHEDULE_REJECTED    5   409
    ├── SolverError                       SOLVER_FAILED        6   500
    ├── StoreError                        STORE_FAILED         7   503
    │   └── AuditError                    AUDIT_BROKEN         8   409
    └── AccessDeniedError                 ACCESS_DENIED        9   403

Exit code 1 is left for unexpected crashes, so a script can tell "your input is wrong" (2) from
"no route exists" (4) from "Safe Passage has a bug" (1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AccessDeniedError",
    "AuditError",
    "FeedError",
    "InputError",
    "NoRoadsError",
    "NoRouteError",
    "OsmFileError",
    "OutsideExtractError",
    "PlanFileError",
    "PlanRejectedError",
    "Problem",
    "SafePassageError",
    "ScenarioError",
    "ScheduleFileError",
    "ScheduleRejectedError",
    "SolverError",
    "StoreError",
    "UnknownIdError",
]


class SafePassageError(Exception):
    """Base of every error Safe Passage raises on purpose."""

    code: str = "ERROR"
    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(SafePassageError):
    """Something the user gave us (a file, a field, an argument) is wrong and must be fixed."""

    code = "INPUT_INVALID"
    exit_code = 2
    http_status = 422


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: where (file and field path) and what.

    ``str(problem)`` reads ``scenario.yaml: origins[3].people: -5 is negative; expected ...``.
    """

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ScenarioError(InputError):
    """A scenario file is invalid; carries every problem found, not just the first."""

    code = "SCENARIO_INVALID"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OsmFileError(InputError):
    """The OpenStreetMap extract is missing, unreadable or of an unknown format."""

    code = "OSM_FILE"


class NoRoadsError(InputError):
    """The extract holds no road usable by the requested travel mode."""

    code = "NO_ROADS"


class OutsideExtractError(InputError):
    """A point (origin, destination, waypoint) lies outside the area the extract covers."""

    code = "OUTSIDE_EXTRACT"


class FeedError(InputError):
    """An incident feed file cannot be read at all (single bad rows are skipped and reported)."""

    code = "FEED_INVALID"


class PlanFileError(InputError):
    """A plan file is not a valid ``safepassage-plan/1`` document."""

    code = "PLAN_INVALID"


class ScheduleFileError(InputError):
    """A schedule file is not a valid ``safepassage-schedule/1`` document."""

    code = "SCHEDULE_INVALID"


class UnknownIdError(SafePassageError):
    """An origin, destination, corridor or record id that does not exist."""

    code = "UNKNOWN_ID"
    exit_code = 3
    http_status = 404


class NoRouteError(SafePassageError):
    """No route exists under the closures in force (the answer, not a crash)."""

    code = "NO_ROUTE"
    exit_code = 4
    http_status = 409


class PlanRejectedError(SafePassageError):
    """An independent check found a plan breaking a rule (capacity, window, closure, ...)."""

    code = "PLAN_REJECTED"
    exit_code = 5
    http_status = 409

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = tuple(violations)
        head = f"plan rejected: {len(self.violations)} violation(s)"
        super().__init__("\n".join([head, *(f"- {v}" for v in self.violations)]))


class ScheduleRejectedError(SafePassageError):
    """An independent check found a vehicle schedule breaking a rule (seats, roads, closures, ...)."""

    code = "SCHEDULE_REJECTED"
    exit_code = 5
    http_status = 409

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = tuple(violations)
        head = f"schedule rejected: {len(self.violations)} violation(s)"
        super().__init__("\n".join([head, *(f"- {v}" for v in self.violations)]))


class SolverError(SafePassageError):
    """The optimisation solver failed in a way that is not an infeasible instance."""

    code = "SOLVER_FAILED"
    exit_code = 6
    http_status = 500


class StoreError(SafePassageError):
    """The database cannot be reached or refused a write."""

    code = "STORE_FAILED"
    exit_code = 7
    http_status = 503


class AuditError(StoreError):
    """The append-only event log's hash chain is broken: a row was edited or deleted."""

    code = "AUDIT_BROKEN"
    exit_code = 8
    http_status = 409


class AccessDeniedError(SafePassageError):
    """The caller's role does not allow this action."""

    code = "ACCESS_DENIED"
    exit_code = 9
    http_status = 403
