"""Scenario use cases: load a scenario, its road networks and its findings; register it in the store.

``validate`` and the demo call :func:`prepare_scenario`; ``plan`` and ``route`` refuse what it
rejects (:func:`require_ready`).
"""

from __future__ import annotations

import json
from pathlib import Path

from safepassage.network import load_scenario_networks
from safepassage.scenario import Scenario, load_scenario, parse_scenario
from safepassage.services.records import ReadyScenario
from safepassage.store import Store, StoredScenario
from safepassage.store.documents import scenario_document, scenario_records
from safepassage.validation import require_ready as _require_ready
from safepassage.validation import validate_scenario

__all__ = [
    "list_scenarios",
    "load_scenario_file",
    "parse_scenario_text",
    "prepare_scenario",
    "register_scenario",
    "require_ready",
    "stored_scenario",
]


def load_scenario_file(path: str | Path) -> Scenario:
    """The scenario in the YAML file at ``path``.

    Raises :class:`~safepassage.errors.ScenarioError` (exit 2) listing every problem with its field.
    """
    return load_scenario(path)


def parse_scenario_text(text: str, *, label: str = "scenario.yaml") -> Scenario:
    """A scenario from YAML text (e.g. an upload); ``label`` names it in error messages.

    A relative network path is resolved against the working directory.
    """
    return parse_scenario(text, label=label)


def prepare_scenario(scenario: Scenario) -> ReadyScenario:
    """Load the road network of every mode the scenario uses and validate the scenario on them.

    Returns the networks and every finding (errors and warnings) in a :class:`ReadyScenario`;
    raises :class:`~safepassage.errors.OutsideExtractError` when the scenario lies off its extract.
    """
    networks = load_scenario_networks(scenario)
    return ReadyScenario(scenario, networks, tuple(validate_scenario(scenario, networks)))


def require_ready(ready: ReadyScenario) -> ReadyScenario:
    """``ready`` when it has no error finding; else :class:`~safepassage.errors.ScenarioError` (exit 2)
    listing each error with its field."""
    _require_ready(ready.scenario, ready.networks)
    return ready


def register_scenario(
    store: Store, scenario: Scenario, actor: str, file_name: str | None = None
) -> tuple[int, dict[str, str]]:
    """Store ``scenario`` (its document) and its corridors, by ``actor``; ``file_name`` (default the
    file it was read from) is recorded with the corridors.

    Returns the scenario's database id and the store key of each scenario corridor by its id in the
    scenario. Idempotent for the corridors (same key, same row).
    """
    if file_name is None:
        file_name = str(scenario.source_path) if scenario.source_path else ""
    with store.writing(actor) as writer:
        scenario_id = writer.add_scenario(scenario.name, scenario.model_dump(mode="json", by_alias=True))
        keys = writer.add_scenario_corridors(scenario, file_name)
    return scenario_id, keys


def list_scenarios(store: Store) -> list[StoredScenario]:
    """Every stored scenario (id, name, content hash, who stored it and when), by id."""
    with store.reading() as session:
        return scenario_records(session)


def stored_scenario(store: Store, scenario_id: int) -> Scenario:
    """The stored scenario ``scenario_id``, validated again as when it was loaded.

    Raises :class:`~safepassage.errors.UnknownIdError` for an unknown id.
    """
    with store.reading() as session:
        document = scenario_document(session, scenario_id)
    return parse_scenario(json.dumps(document), label=f"stored scenario {scenario_id}")
