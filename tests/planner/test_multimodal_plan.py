"""One plan holds walking and driving on the same street: ``edges`` and ``closures`` carry the mode.

Old plans (``safepassage-plan/1`` written before modes were recorded) have no ``mode`` in ``edges``
or ``closures``; they are still read, and such an entry stands for the link in every mode.
"""

from __future__ import annotations

from typing import Any

from safepassage.network import load_network
from safepassage.planner import plan_evacuation, read_plan, write_plan
from safepassage.planner.check import check_plan
from safepassage.scenario.vocabulary import TravelMode

from .solver_scenarios import blockage, scenario_on

RES = {"highway": "residential"}
LINE = """
o-----d
"""


def _both(ascii_network: Any) -> tuple[Any, Any, dict[TravelMode, Any]]:
    drawn = ascii_network(LINE, [("od", RES)])
    networks = {
        mode: load_network(drawn.path, mode, use_cache=False) for mode in (TravelMode.DRIVE, TravelMode.WALK)
    }
    scenario = scenario_on(
        drawn,
        [("cars", "o", 20), ("walkers", "o", 5)],
        [("d", "d", 100)],
        network={"path": str(drawn.path), "modes": ["drive", "walk"]},
        blockages=[blockage("bridge inspection", "o", "d", until="08:02")],
    )
    data = scenario.model_dump(mode="json", by_alias=True)
    data["origins"][1]["mode"] = "walk"
    return drawn, type(scenario).model_validate(data), networks


def test_walking_and_driving_on_the_same_street_are_two_edges(ascii_network: Any, tmp_path: Any) -> None:
    drawn, scenario, networks = _both(ascii_network)
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    assert check_plan(scenario, plan, networks=networks) == []
    assert {m.mode for m in plan.movements} == {TravelMode.DRIVE, TravelMode.WALK}
    o, d = drawn.osm_id("o"), drawn.osm_id("d")
    edges = {(e.mode, e.u, e.v): e for e in plan.edges}
    assert set(edges) == {(TravelMode.DRIVE, o, d), (TravelMode.WALK, o, d)}
    assert edges[(TravelMode.WALK, o, d)].travel_time_s > edges[(TravelMode.DRIVE, o, d)].travel_time_s
    assert {c.mode for c in plan.closures if (c.u, c.v) == (o, d)} == {TravelMode.DRIVE, TravelMode.WALK}
    path = tmp_path / "plan.json"
    write_plan(plan, path)
    again = read_plan(path)
    assert again.edges == plan.edges
    assert check_plan(scenario, again, networks=networks) == []


def test_an_old_plan_without_modes_is_read_and_checked(ascii_network: Any) -> None:
    _, scenario, networks = _both(ascii_network)
    plan = plan_evacuation(scenario, networks=networks, substeps=1)
    data = plan.model_dump(mode="json")
    drive = [e for e in data["edges"] if e["mode"] == "drive"]
    for entry in [*data["edges"], *data["closures"]]:
        del entry["mode"]
    data["edges"] = drive  # one entry per street, as old plans listed them
    old = type(plan).model_validate(data)
    assert all(e.mode is None for e in old.edges)
    # The walk hops now find the drive entry (no mode: every mode), whose travel time is not the
    # walking network's: the checker says so instead of silently accepting.
    found = check_plan(scenario, old, networks=networks)
    assert found
    assert all("claims travel_time_s" in f for f in found)
