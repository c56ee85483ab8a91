"""The live map's data read from the store: the latest scenario, its latest plan and vehicle
schedule, the reports a
caller may see merged into incidents, corridor statuses and verdicts -> :func:`map_bundle`.

:func:`load_map_scene` reads the parts that change rarely (the scenario, its road networks, its
latest plan, the closures) so that a shell can keep them between requests (:attr:`MapScene.version`
says when to read them again); :func:`stored_map_bundle` adds what changes all the time:

- the reports the caller may see (``visible_report_ids``; None: all), merged into incidents with the
  monitor's merge rule (:func:`safepassage.monitor.merge.merge_reports`), each report with its
  latest review state, so a report submitted a moment ago is on the map before any batch merge;
- each scenario corridor's status: the latest lifecycle status of its stored corridor (key
  ``scenario:<digest>:<id>``), else the scenario's;
- the verdict on each scenario corridor for each of its ceasefire windows, judged now by the
  verdict rule (:func:`safepassage.monitor.verdict.judge_corridor`, docs/verdicts.md) on ALL stored
  reports merged into incidents, as ``safepassage monitor`` judges them: the system has one verdict,
  whoever looks. Only the detail of evidence from reports the caller may not see is withheld (an
  incident is withheld when any of its reports is): :func:`map_bundle` shows such items with kind,
  time and how sure only (docs/web.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from safepassage.fleet.schedule import Schedule  # at run time: the shape test reads the type hints
from safepassage.hazards import LinkClosures, link_closures
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.records import Verdict
from safepassage.monitor.verdict import judge_corridor
from safepassage.network import RoadNetwork
from safepassage.planner.plan_file import Plan  # at run time: the shape test reads the type hints
from safepassage.scenario.model import Scenario
from safepassage.scenario.vocabulary import CorridorStatus, TravelMode
from safepassage.services.map_view import map_bundle
from safepassage.store import ReviewState, Store, queries

__all__ = ["MapScene", "load_map_scene", "scene_version", "stored_map_bundle"]


@dataclass(frozen=True, eq=False)
class MapScene:
    """The slowly changing part of the map: scenario, networks, latest plan, latest vehicle
    schedule and closures.

    ``version``: (scenario id, plan id or None, schedule id or None) of what was read.
    """

    version: tuple[int, int | None, int | None]
    scenario: Scenario
    networks: dict[TravelMode, RoadNetwork]
    plan: Plan | None
    closures: LinkClosures
    schedule: Schedule | None = None


def scene_version(store: Store) -> tuple[int, int | None, int | None] | None:
    """(id of the latest stored scenario, id of its latest plan or None, id of its latest vehicle
    schedule or None); None without a scenario."""
    from safepassage.services.fleet import list_schedules
    from safepassage.services.planning import list_plans
    from safepassage.services.scenarios import list_scenarios

    scenarios = list_scenarios(store)
    if not scenarios:
        return None
    scenario_id = scenarios[-1].id
    plans = list_plans(store, scenario_id)
    schedules = list_schedules(store, scenario_id)
    return scenario_id, (plans[-1].id if plans else None), (schedules[-1].id if schedules else None)


def load_map_scene(store: Store, version: tuple[int, int | None, int | None]) -> MapScene:
    """Read the scenario, plan and schedule of ``version`` (from :func:`scene_version`) and build
    the networks.

    Raises the errors of loading a scenario (ScenarioError, OsmFileError...) or UnknownIdError.
    """
    from safepassage.services.fleet import stored_schedule
    from safepassage.services.planning import stored_plan
    from safepassage.services.scenarios import prepare_scenario, stored_scenario

    scenario_id, plan_id, schedule_id = version
    ready = prepare_scenario(stored_scenario(store, scenario_id))
    scenario = ready.scenario
    plan = stored_plan(store, plan_id) if plan_id is not None else None
    networks = ready.networks
    drive = networks[TravelMode.DRIVE] if TravelMode.DRIVE in networks else next(iter(networks.values()))
    schedule = stored_schedule(store, schedule_id)[1] if schedule_id is not None else None
    return MapScene(version, scenario, networks, plan, link_closures(drive, scenario), schedule)


def stored_map_bundle(
    store: Store,
    scene: MapScene,
    *,
    coordinator: bool,
    visible_report_ids: Collection[int] | None = None,
) -> dict[str, Any]:
    """The map bundle of ``scene`` with the store's reports, statuses and verdicts (module docstring).

    ``visible_report_ids``: the stored reports (database ids) the caller may see; None for all.
    """
    with store.reading() as session:
        summaries = queries.report_summaries(session)
        reports = queries.incident_reports(session)
        corridors = queries.corridor_summaries(session)
    shown = {
        (s.feed, s.source_id): s
        for s in summaries
        if visible_report_ids is None or s.id in visible_report_ids
    }
    all_incidents = merge_reports(reports)
    hidden = {i.id for i in all_incidents if any(key not in shown for key in i.report_keys)}
    reports = [r for r in reports if r.key in shown]
    incidents = merge_reports(reports)
    states = {key: ReviewState(s.review_state) for key, s in shown.items()}
    statuses = _scenario_statuses(scene.scenario, corridors)
    return map_bundle(
        scene.scenario,
        scene.networks,
        scene.plan,
        incidents=incidents,
        reports=reports,
        review_states=states,
        corridor_statuses=statuses,
        verdicts=_verdicts(scene.scenario, all_incidents),
        withheld_incident_ids=hidden,
        coordinator=coordinator,
        closures=scene.closures,
        schedule=scene.schedule,
    )


def _scenario_statuses(
    scenario: Scenario, corridors: list[queries.CorridorSummary]
) -> dict[str, CorridorStatus]:
    """Latest lifecycle status of each scenario corridor stored under ``scenario:<digest>:<id>``."""
    ids = {c.id for c in scenario.corridors}
    statuses: dict[str, CorridorStatus] = {}
    for row in corridors:  # by database id: a later registration of the same corridor wins
        prefix, _, rest = row.key.partition(":")
        corridor_id = rest.partition(":")[2]
        if prefix == "scenario" and corridor_id in ids and row.status:
            statuses[corridor_id] = CorridorStatus(row.status)
    return statuses


def _verdicts(scenario: Scenario, incidents: list[Any]) -> list[Verdict]:
    verdicts = []
    for c in scenario.corridors:
        route = [(w.lon, w.lat) for w in c.route]
        for window in c.ceasefire_windows:
            verdicts.append(judge_corridor(c.id, route, window.start, window.end, incidents, c.buffer_m))
    return verdicts
