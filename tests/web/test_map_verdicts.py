"""The map's corridor verdicts are the system's verdicts (all stored reports, as `safepassage monitor`
judges them), whoever looks; a viewer only loses the detail of evidence from reports they may not see.

Real demo store: the demo scenario and its incident feed (services.api_support.load_demo), none of
whose reports is published.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from safepassage.services import api_support
from safepassage.services.map_source import load_map_scene, scene_version, stored_map_bundle
from safepassage.services.monitoring import replay_and_store
from safepassage.services.planning import demo_scenario_path
from safepassage.store import Store

UNIONINKATU = "unioninkatu-corridor"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A SQLite store holding the demo scenario and its feed, as `serve --demo` loads them."""
    folder = tmp_path_factory.mktemp("map-verdicts")
    with Store.open(f"sqlite:///{folder / 'demo.sqlite'}") as store:
        api_support.load_demo(store, "demo")
        yield store


@pytest.fixture(scope="module")
def bundles(demo_store: Store) -> dict[str, dict[str, Any]]:
    """The map bundle of a viewer (published reports only) and of a coordinator (all)."""
    version = scene_version(demo_store)
    assert version is not None
    scene = load_map_scene(demo_store, version)
    published = api_support.published_report_ids(demo_store)
    return {
        "viewer": stored_map_bundle(demo_store, scene, coordinator=False, visible_report_ids=published),
        "coordinator": stored_map_bundle(demo_store, scene, coordinator=True),
    }


def _corridor(bundle: dict[str, Any], corridor_id: str) -> dict[str, Any]:
    return next(c for c in bundle["corridors"] if c["id"] == corridor_id)


def test_the_map_shows_the_monitors_verdict_to_viewer_and_coordinator(
    demo_store: Store, bundles: dict[str, dict[str, Any]]
) -> None:
    scenario = load_map_scene(demo_store, scene_version(demo_store) or (0, None, None)).scenario
    feed = Path(demo_scenario_path()).with_name("helsinki-incidents.geojson")
    run = replay_and_store(scenario, [feed], "test")  # as `safepassage monitor` without --db
    monitor = [v for v in run.result.verdicts if v.corridor_id == UNIONINKATU]
    assert monitor
    assert monitor[-1].outcome.value == "violated"
    for role, bundle in bundles.items():
        shown = _corridor(bundle, UNIONINKATU)["verdicts"]
        assert [v["outcome"] for v in shown] == [v.outcome.value for v in monitor], role
        assert [v["violation_score"] for v in shown] == [round(v.violation_score, 3) for v in monitor], role
        assert [v["confidence"] for v in shown] == [round(v.confidence, 3) for v in monitor], role
        assert [v["reason"] for v in shown] == [v.reason for v in monitor], role
        assert [v["evidence_count"] for v in shown] == [len(v.evidence) for v in monitor], role
        assert [v["decisive_count"] for v in shown] == [
            sum(e.decisive for e in v.evidence) for v in monitor
        ], role


def test_a_viewer_sees_no_source_or_notes_of_unpublished_reports(
    demo_store: Store, bundles: dict[str, dict[str, Any]]
) -> None:
    assert not api_support.published_report_ids(demo_store)  # the demo feed's reports are unpublished
    viewer, coordinator = bundles["viewer"], bundles["coordinator"]
    shown = {i["id"] for i in viewer["incidents"]}  # the scenario's own hazards only
    assert shown < {i["id"] for i in coordinator["incidents"]}
    viewer_items = [e for c in viewer["corridors"] for v in c["verdicts"] for e in v["evidence"]]
    coordinator_items = [e for c in coordinator["corridors"] for v in c["verdicts"] for e in v["evidence"]]
    assert viewer_items
    assert len(viewer_items) == len(coordinator_items)
    for seen, full in zip(viewer_items, coordinator_items, strict=True):
        assert seen == {
            "withheld": True,
            "kind": full["kind"],
            "observed_at": full["observed_at"],
            "weight": full["weight"],
            "decisive": full["decisive"],
        }
        assert full["withheld"] is False
        assert full["sources"]
    for c in viewer["corridors"]:
        for v in c["verdicts"]:
            assert v["withheld_count"] == v["evidence_count"]
    names = {s for e in coordinator_items for s in e["sources"]}
    text = str(viewer)
    assert names
    assert not any(name in text for name in names)
