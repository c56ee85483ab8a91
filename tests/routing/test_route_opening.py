"""When no route is open now, ``route`` and ``validate`` say when the earliest one opens and which
closure's end releases it (issue 7, item 15). Departures are tried at each moment a closure ends.

Maps use 100 m cells and residential streets (30 km/h: 12 s per cell); scenarios start 08:00 +02:00.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.cli.core import demo_scenario_path
from safepassage.errors import NoRouteError
from safepassage.network import load_network
from safepassage.routing import best_route, earliest_opening
from safepassage.scenario import TravelMode
from safepassage.validation import validate_scenario
from scenario_builder import at, make_scenario, point, square_scenario

runner = CliRunner()

# a---b---c : a-b 400 m (48 s), b-c 400 m (48 s); two ways, so b is a node.
LINE = """
a   b   c
"""
LINE_WAYS = [(w, {"highway": "residential"}) for w in ("ab", "bc")]


def _blockage(ident: str, drawn, u: str, v: str, until: str) -> dict[str, object]:
    return {
        "id": ident,
        "reason": "crater",
        "links": [[drawn.osm_id(u), drawn.osm_id(v)]],
        "from": at("07:00"),
        "until": at(until),
    }


def _line(ascii_network, *blockages_until: tuple[str, str, str], horizon: str = "PT4H"):
    drawn = ascii_network(LINE, LINE_WAYS)
    network = load_network(drawn.path, use_cache=False)
    scenario = make_scenario(
        drawn.path,
        horizon=horizon,
        origins=[point(drawn.lat_lon["a"], "a", people=10)],
        destinations=[point(drawn.lat_lon["c"], "c", capacity=10)],
        blockages=[
            _blockage(f"b{i + 1}", drawn, u, v, until) for i, (u, v, until) in enumerate(blockages_until)
        ],
    )
    return drawn, network, scenario


def _letters(drawn, network, route) -> str:
    names = {drawn.osm_id(ch): ch for ch in drawn.cells}
    return "".join(names[o] for o in route.osm_path(network))


def test_corridor_window_opens_the_route_at_nine(square) -> None:
    drawn, network = square
    corridor = {
        "id": "k1",
        "name": "bottom corridor",
        "status": "agreed",
        "route": [
            {"lat": drawn.lat("d"), "lon": drawn.lon("d")},
            {"lat": drawn.lat("f"), "lon": drawn.lon("f")},
        ],
        "buffer_m": 30,
        "ceasefire_windows": [{"start": at("09:00"), "end": at("10:00")}],
        "evacuees_must_use": True,
    }
    scenario = square_scenario(drawn, corridors=[corridor])
    with pytest.raises(NoRouteError) as caught:
        best_route(network, scenario, "a", "c")
    assert caught.value.message.endswith(
        "the earliest route opens at 09:00 (2022-03-05T09:00+02:00), "
        "when corridor k1's ceasefire window starts"
    )
    opening = earliest_opening(network, scenario, "a", ["c"])
    assert opening is not None
    assert (opening.departure_s, opening.destination_id) == (3600.0, "c")
    assert _letters(drawn, network, opening.route) == "adefc"
    # The answer holds: leaving then, route finds that way.
    route = best_route(network, scenario, "a", "c", at=dt.datetime.fromisoformat(at("09:00")))
    assert _letters(drawn, network, route) == "adefc"


def test_curfew_end_opens_the_route(square) -> None:
    drawn, network = square
    scenario = square_scenario(drawn, curfews=[{"id": "c1", "from": "07:00", "to": "09:30"}])
    with pytest.raises(
        NoRouteError, match=r"opens at 09:30 \(2022-03-05T09:30\+02:00\), when curfew c1 ends$"
    ):
        best_route(network, scenario, "a", "c")


def test_the_later_of_two_blockages_on_the_way_holds_the_route(ascii_network) -> None:
    # a-b blocked until 08:30 and b-c until 09:15: leaving 08:30, b-c (entered 08:30:48) is still
    # blocked; leaving 09:15 both are open. Both blockages held the route.
    _, network, scenario = _line(ascii_network, ("a", "b", "08:30"), ("b", "c", "09:15"))
    opening = earliest_opening(network, scenario, "a", ["c"])
    assert opening is not None
    assert opening.departure_s == 75 * 60.0
    assert opening.released_by == ("blockage b1 ends", "blockage b2 ends")
    assert opening.route.travel_time_s == pytest.approx(96.0, rel=1e-3)
    # Asked from 08:45 (after b1 ended), only b2 holds it.
    later = earliest_opening(network, scenario, "a", ["c"], after_s=45 * 60.0)
    assert later is not None
    assert (later.departure_s, later.released_by) == (75 * 60.0, ("blockage b2 ends",))


def test_a_route_that_never_opens_within_the_horizon_says_so(ascii_network) -> None:
    _, network, scenario = _line(ascii_network, ("b", "c", "13:00"), horizon="PT4H")
    assert earliest_opening(network, scenario, "a", ["c"]) is None
    with pytest.raises(NoRouteError) as caught:
        best_route(network, scenario, "a", "c")
    assert caught.value.message.endswith(
        "no route opens before the horizon ends at 12:00 (2022-03-05T12:00+02:00)"
    )


def test_validate_says_when_the_earliest_route_opens(ascii_network) -> None:
    _, network, scenario = _line(ascii_network, ("a", "b", "08:30"), ("b", "c", "09:15"))
    findings = validate_scenario(scenario, {TravelMode.DRIVE: network})
    assert [(f.severity, f.field) for f in findings] == [("warning", "origins[0]")]
    assert findings[0].message == (
        "A (a) cannot reach any destination at the start (2022-03-05T08:00:00+02:00); the earliest route "
        "(to c) opens at 09:15 (2022-03-05T09:15+02:00), when blockage b1 ends and blockage b2 ends"
    )


def test_route_and_validate_on_the_demo_name_the_corridor_window() -> None:
    expected = (
        "the earliest route opens at 09:00 (2022-03-05T09:00+02:00), when corridor unioninkatu-corridor's "
        "ceasefire window starts"
    )
    routed = runner.invoke(
        app, ["route", str(demo_scenario_path()), "--from", "kauppatori", "--to", "rautatieasema"]
    )
    assert routed.exit_code == 4
    assert expected in " ".join(routed.output.split())
    validated = runner.invoke(app, ["validate", str(demo_scenario_path())])
    assert validated.exit_code == 0
    assert expected.replace("route opens", "route (to rautatieasema) opens") in " ".join(
        validated.output.split()
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ab_until_min=st.integers(1, 200), bc_until_min=st.integers(1, 200))
def test_opening_is_the_later_blockage_end_on_the_line(ascii_network, ab_until_min, bc_until_min) -> None:
    """Whole-minute ends and a 48 s first street: the route opens at the later of the two ends."""
    drawn = ascii_network(LINE, LINE_WAYS)
    network = load_network(drawn.path, use_cache=False)
    clock = dt.datetime.fromisoformat(at("08:00"))

    def hhmm(minutes: int) -> str:
        return (clock + dt.timedelta(minutes=minutes)).strftime("%H:%M")

    scenario = make_scenario(
        drawn.path,
        horizon="PT4H",
        origins=[point(drawn.lat_lon["a"], "a", people=1)],
        destinations=[point(drawn.lat_lon["c"], "c", capacity=1)],
        blockages=[
            _blockage("b1", drawn, "a", "b", hhmm(ab_until_min)),
            _blockage("b2", drawn, "b", "c", hhmm(bc_until_min)),
        ],
    )
    opening = earliest_opening(network, scenario, "a", ["c"])
    assert opening is not None
    assert opening.departure_s == 60.0 * max(ab_until_min, bc_until_min)
    assert opening.released_by == ("blockage b1 ends", "blockage b2 ends")
    route = best_route(network, scenario, "a", "c", at=clock + dt.timedelta(seconds=opening.departure_s))
    assert route.links == opening.route.links
