"""Corridor announcements of 2022 and the corridor lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest

from safepassage.errors import InputError
from safepassage.monitor.corridors import (
    extract_route_names,
    iter_corridor_announcements,
    parse_ceasefire,
    place_waypoints,
)
from safepassage.monitor.lifecycle import ALLOWED_TRANSITIONS, check_transition, outcome_history
from safepassage.monitor.records import CorridorAnnouncement, CorridorOutcome, Proposer
from safepassage.monitor.report import RowError
from safepassage.scenario.vocabulary import CorridorStatus

from ._shared import CORRIDORS, shared_file

S = CorridorStatus


@pytest.fixture(scope="module")
def announcements() -> dict[int, CorridorAnnouncement]:
    items = list(iter_corridor_announcements(shared_file(CORRIDORS)))
    assert not [i for i in items if isinstance(i, RowError)]
    return {a.hc_id: a for a in items if isinstance(a, CorridorAnnouncement)}


def test_all_282_announcements_import_with_outcomes(announcements: dict[int, CorridorAnnouncement]) -> None:
    assert len(announcements) == 282
    outcomes = [a.outcome for a in announcements.values()]
    assert outcomes.count(CorridorOutcome.SUCCESSFUL) == 125
    assert outcomes.count(CorridorOutcome.UNKNOWN) == 145
    assert outcomes.count(CorridorOutcome.DISPUTED) == 7
    assert outcomes.count(CorridorOutcome.DISRUPTED) + outcomes.count(CorridorOutcome.UNSUCCESSFUL) == 5
    first = announcements[1]
    assert first.proposed_by is Proposer.AGREED
    assert first.announced_on == dt.date(2022, 3, 5)
    assert first.from_name == "Mariupol"
    assert first.to_name == "Zaporizhzhya"
    assert len(first.links) == 5


def test_mariupol_route_waypoints_placed_and_unplaced_listed(
    announcements: dict[int, CorridorAnnouncement],
) -> None:
    first = announcements[1]
    # "Mariupol - Mykilske - Rozivka - Polohy - Orikhiv - Zaporizhzhya": the Mykilske near Mariupol
    # is not in GeoNames' cities500 (its namesakes lie 200+ km away), so it is listed, not guessed.
    assert [w.name for w in first.waypoints] == ["Rozivka", "Polohy", "Orikhiv"]
    assert first.waypoints_unplaced == ("Mykilske",)
    rozivka = first.waypoints[0]
    assert rozivka.lat == pytest.approx(47.35, abs=0.2)  # the Zaporizhzhia-oblast Rozivka, of five
    assert rozivka.lon == pytest.approx(36.8, abs=0.3)
    route = first.route_lonlat
    assert route[0] == (first.from_lon, first.from_lat)
    assert route[-1] == (first.to_lon, first.to_lat)
    assert len(route) == 5


def test_route_read_backwards_and_transliterations(announcements: dict[int, CorridorAnnouncement]) -> None:
    # Text: "via the settlements of Zaporizhzhya, Vasilevka, Melitopol, Berdiansk, Mangush and Mariupol".
    corridor = announcements[61]
    assert (corridor.from_name, corridor.to_name) == ("Zaporizhzhya", "Mariupol")
    assert [w.gazetteer_name for w in corridor.waypoints] == [
        "Vasylivka",
        "Melitopol",
        "Berdyansk",
        "Manhush",
    ]


def test_wrongly_geocoded_ends_leave_waypoints_unplaced(
    announcements: dict[int, CorridorAnnouncement],
) -> None:
    # The dataset puts "Rubizhne" and "Bakhmut" of corridor 167 at namesakes 200 km west of the
    # Luhansk towns; Lysychansk would be a 250 km detour there, so it is not placed on that line.
    corridor = announcements[167]
    assert corridor.waypoints == ()
    assert corridor.waypoints_unplaced == ("Sievierodonetsk", "Lysychansk")


def test_counts_of_placed_and_unplaced_waypoints(announcements: dict[int, CorridorAnnouncement]) -> None:
    with_route = [a for a in announcements.values() if a.waypoints or a.waypoints_unplaced]
    placed = sum(len(a.waypoints) for a in with_route)
    unplaced = sum(len(a.waypoints_unplaced) for a in with_route)
    assert len(with_route) >= 25
    assert placed > unplaced


def test_extract_route_names_needs_both_ends() -> None:
    text = "Routes: Kyiv - Zhytomyr. Also along Sumy - Lokhvytsia - Lubny - Poltava today."
    assert extract_route_names(text, "Sumy", "Poltava") == ("Lokhvytsia", "Lubny")
    assert extract_route_names(text, "Poltava", "Sumy") == ("Lubny", "Lokhvytsia")
    assert extract_route_names(text, "Kharkiv", "Poltava") == ()


def test_place_waypoints_rejects_far_namesakes() -> None:
    sumy, poltava = (34.80, 50.91), (34.55, 49.59)
    placed, unplaced = place_waypoints(["Okhtyrka", "Uzhhorod", "Nowhereville"], sumy, poltava)
    assert [w.gazetteer_name for w in placed] == ["Okhtyrka"]
    assert unplaced == ("Uzhhorod", "Nowhereville")


def test_parse_ceasefire_hours() -> None:
    day = dt.date(2022, 3, 5)
    start, end = parse_ceasefire("a ceasefire from 9:00 a.m. to 4:00 p.m. Kyiv Time", day)
    assert start == dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2022, 3, 5, 14, 0, tzinfo=dt.UTC)
    start, _ = parse_ceasefire("open from 10 a.m. to 6 p.m. Moscow time", day)
    assert start == dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC)
    assert parse_ceasefire("no hours given", day) == (None, None)


def test_lifecycle_allows_the_documented_path_and_refuses_others() -> None:
    status = check_transition(None, S.PROPOSED, "announced by the ministry")
    for new in (S.AGREED, S.OPEN, S.SUSPENDED, S.OPEN, S.CLOSED):
        status = check_transition(status, new, "as reported")
    assert status is S.CLOSED
    with pytest.raises(InputError, match="cannot go from status 'closed' to 'open'"):
        check_transition(S.CLOSED, S.OPEN, "reopened")
    with pytest.raises(InputError, match="allowed: agreed, closed, disputed"):
        check_transition(S.PROPOSED, S.OPEN, "buses left")
    with pytest.raises(InputError, match="needs a reason"):
        check_transition(S.AGREED, S.OPEN, "  ")
    with pytest.raises(InputError, match="a new corridor"):
        check_transition(None, S.OPEN, "first seen open")


def test_every_transition_in_the_table_is_accepted() -> None:
    for current, targets in ALLOWED_TRANSITIONS.items():
        for target in targets:
            assert check_transition(current, target, "table") is target
        for target in set(S) - targets:
            with pytest.raises(InputError):
                check_transition(current, target, "table")


def test_outcome_history_of_every_2022_announcement_is_legal(
    announcements: dict[int, CorridorAnnouncement],
) -> None:
    for announcement in announcements.values():
        history = outcome_history(announcement)
        assert history[0][0] in (S.PROPOSED, S.AGREED)
        assert all(reason for _, reason in history)
    successful = next(a for a in announcements.values() if a.outcome is CorridorOutcome.SUCCESSFUL)
    assert [s for s, _ in outcome_history(successful)][-2:] == [S.OPEN, S.CLOSED]
