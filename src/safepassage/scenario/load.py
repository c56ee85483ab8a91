"""Read a scenario YAML file into a validated :class:`Scenario`, or say exactly what is wrong.

Every problem names the file, the field path (``origins[3].people``), the value and what was
expected, e.g. ``scenario.yaml: origins[3].people: -5 is negative; expected a whole number ≥ 0``.
All problems in a file are reported at once, so a coordinator fixes them in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import ValidationError

from safepassage.errors import OsmFileError, Problem, ScenarioError
from safepassage.input_problems import problems_from_validation
from safepassage.scenario.model import IDENTIFIER_PATTERN, LOCAL_CLOCK_PATTERN, Scenario


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


__all__ = ["cross_check", "load_scenario", "parse_scenario", "resolve_network_path"]


class _ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader without YAML 1.1 base-60 numbers, so ``from: 20:00`` stays "20:00".

    (YAML 1.1 reads an unquoted 20:00 as the integer 1200; YAML 1.2 dropped that rule.)
    """


_ScenarioLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file; raise :class:`ScenarioError` if invalid."""
    path = Path(path)
    label = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "file not found")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot be read ({exc.strerror})")]) from None
    scenario = parse_scenario(raw.decode("utf-8", errors="replace"), label=label)
    scenario._source_path = path.resolve()
    scenario._content_sha256 = hashlib.sha256(raw).hexdigest()
    return scenario


def parse_scenario(text: str, *, label: str = "scenario.yaml") -> Scenario:
    """Validate scenario YAML text; ``label`` names the file in error messages."""
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(label, where, f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        got = type(data).__name__ if data is not None else "an empty file"
        raise ScenarioError([Problem(label, "", f"expected a mapping of fields, got {got}")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            problems_from_validation(
                exc, label, Scenario, docs="docs/scenario-format.md", pattern_meanings=_PATTERN_MEANING
            )
        ) from None
    problems = cross_check(scenario, label=label)
    if problems:
        raise ScenarioError(problems)
    return scenario


def resolve_network_path(scenario: Scenario) -> Path:
    """The extract's path: relative to the scenario file, or ``pkg:PACKAGE/PATH`` in a package.

    Raises :class:`OsmFileError` when the file does not exist.
    """
    spec = scenario.network.path
    label = scenario.source_path.name if scenario.source_path else "scenario"
    if spec.startswith("pkg:"):
        package, _, inner = spec[4:].partition("/")
        found = importlib.util.find_spec(package)
        if found is None or not found.submodule_search_locations:
            raise OsmFileError(
                f"{label}: network.path: {spec!r}: package {package!r} is not installed; "
                "expected an installed package that ships the extract"
            )
        path = Path(next(iter(found.submodule_search_locations))) / inner
    else:
        path = Path(spec)
        if not path.is_absolute() and scenario.source_path is not None:
            path = scenario.source_path.parent / path
    if not path.is_file():
        raise OsmFileError(
            f"{label}: network.path: {spec!r}: OSM extract not found at {path}; "
            "expected an existing .osm.pbf, .osm or .osm.bz2 file (relative to the scenario file)"
        )
    return path


def cross_check(scenario: Scenario, *, label: str = "scenario.yaml") -> list[Problem]:
    """Rules that span fields: unique ids, known references, windows inside the horizon."""
    problems: list[Problem] = []
    groups: dict[str, Sequence[_HasId]] = {
        "origins": scenario.origins,
        "destinations": scenario.destinations,
        "corridors": scenario.corridors,
        "curfews": scenario.curfews,
        "restricted_areas": scenario.restricted_areas,
        "blockages": scenario.blockages,
        "exclusion_zones": scenario.exclusion_zones,
        "hazards": scenario.hazards,
    }
    for group, items in groups.items():
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            item_id = item.id
            if item_id in seen:
                problems.append(
                    Problem(
                        label,
                        f"{group}[{index}].id",
                        f"{item_id!r} is already used by {group}[{seen[item_id]}]; expected a unique id",
                    )
                )
            seen.setdefault(item_id, index)
    for oi, origin in enumerate(scenario.origins):
        for need, count in origin.needs.items():
            if count > origin.people:
                problems.append(
                    Problem(
                        label,
                        f"origins[{oi}].needs.{need}",
                        f"{count} exceeds the origin's {origin.people} people; expected at most "
                        f"{origin.people} (needs count people among those waiting)",
                    )
                )
    known = {o.id for o in scenario.origins}
    start, end = scenario.start, scenario.end
    for ci, corridor in enumerate(scenario.corridors):
        for oi, ref in enumerate(corridor.origins):
            if ref not in known:
                problems.append(
                    Problem(
                        label,
                        f"corridors[{ci}].origins[{oi}]",
                        f"{ref!r} is not an origin id; expected one of {sorted(known)}",
                    )
                )
        for wi, window in enumerate(corridor.ceasefire_windows):
            if window.end <= start or window.start >= end:
                problems.append(
                    Problem(
                        label,
                        f"corridors[{ci}].ceasefire_windows[{wi}]",
                        f"{window.start.isoformat()} to {window.end.isoformat()} lies outside the "
                        f"horizon; expected a window overlapping {start.isoformat()} to "
                        f"{end.isoformat()}",
                    )
                )
    for bi, blockage in enumerate(scenario.blockages):
        if (blockage.start and blockage.start >= end) or (blockage.until and blockage.until <= start):
            problems.append(
                Problem(
                    label,
                    f"blockages[{bi}]",
                    f"closed from {_iso(blockage.start)} until {_iso(blockage.until)}, outside the "
                    "horizon; "
                    f"expected a time overlapping {start.isoformat()} to {end.isoformat()}",
                )
            )
    for hi, hazard in enumerate(scenario.hazards):
        if hazard.observed_at >= end:
            problems.append(
                Problem(
                    label,
                    f"hazards[{hi}].observed_at",
                    f"{hazard.observed_at.isoformat()} is after the horizon ends "
                    f"({end.isoformat()}); expected a report time before the end",
                )
            )
    return problems


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment else "open-ended"


_PATTERN_MEANING = {
    LOCAL_CLOCK_PATTERN: "a 24-hour local time HH:MM, e.g. 20:00",
    IDENTIFIER_PATTERN: "an id of letters, digits and _ . : - (no spaces)",
}
