"""Read a scenario YAML file into a validated :class:`Scenario`, or say exactly what is wrong.

Every problem names the file, the field path (``origins[3].people``) or the line, the value and
what was expected, e.g. ``scenario.yaml: origins[3].people: -5 is out of range; expected a whole
number from 0 to 10,000,000``. All problems in a file are reported at once, so a coordinator
fixes them in one pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from safepassage.bounds import MAX_SCENARIO_BYTES, PEOPLE
from safepassage.errors import OsmFileError, Problem, ScenarioError
from safepassage.input_problems import problems_from_validation
from safepassage.scenario.fields import IDENTIFIER_PATTERN, LOCAL_CLOCK_PATTERN
from safepassage.scenario.model import Scenario
from safepassage.scenario.package_data import PACKAGE_PATH_PREFIX, find_package_file
from safepassage.scenario.strict_yaml import read_yaml_mapping


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


__all__ = ["cross_check", "load_scenario", "parse_scenario", "resolve_network_path"]


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and cross-check a scenario file; raise :class:`ScenarioError` if invalid.

    At most ``bounds.MAX_SCENARIO_BYTES`` are read (a device or a huge file is refused, not read
    whole); the text must be UTF-8.
    """
    path = Path(path)
    label = path.name
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_SCENARIO_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "file not found")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot be read ({exc.strerror or exc})")]) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            [
                Problem(
                    label,
                    "",
                    f"is larger than {MAX_SCENARIO_BYTES:,} bytes; expected a smaller scenario file",
                )
            ]
        )
    scenario = parse_scenario(_utf8(raw, label), label=label)
    scenario._source_path = path.resolve()
    scenario._content_sha256 = hashlib.sha256(raw).hexdigest()
    return scenario


def _utf8(raw: bytes, label: str) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped); ScenarioError naming the line else."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [
                Problem(
                    label,
                    f"line {line}",
                    f"byte 0x{raw[exc.start]:02x} is not UTF-8 text; expected a UTF-8 file",
                )
            ]
        ) from None


def parse_scenario(text: str, *, label: str = "scenario.yaml") -> Scenario:
    """Validate scenario YAML text; ``label`` names the file in error messages.

    The YAML is read strictly (:mod:`safepassage.scenario.strict_yaml`: YAML 1.2, no duplicate keys,
    bounded size, depth and aliases); every field is then checked by the pydantic models against
    the ranges of :mod:`safepassage.bounds`.
    """
    data = read_yaml_mapping(text, label)
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

    A ``pkg:`` path is found without importing anything (:mod:`safepassage.scenario.package_data`).
    Raises :class:`OsmFileError` when the file does not exist.
    """
    spec = scenario.network.path
    label = scenario.source_path.name if scenario.source_path else "scenario"
    if spec.startswith(PACKAGE_PATH_PREFIX):
        try:
            return find_package_file(spec)
        except ValueError as exc:
            raise OsmFileError(f"{label}: network.path: {spec!r}: {exc}") from None
    path = Path(spec)
    if not path.is_absolute() and scenario.source_path is not None:
        path = scenario.source_path.parent / path
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
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
    if scenario.people_total > PEOPLE.high:
        problems.append(
            Problem(
                label,
                "origins",
                f"{scenario.people_total:,} people in all is out of range; expected at most "
                f"{PEOPLE.high:,.0f} people in one scenario",
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
