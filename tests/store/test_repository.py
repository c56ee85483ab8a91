"""The write API: idempotent ingest, histories as new rows, lifecycle and review rules, figures."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from safepassage.errors import InputError, StoreError, UnknownIdError
from safepassage.monitor.records import (
    CorridorAnnouncement,
    CorridorOutcome,
    CountMethod,
    Evidence,
    FigureClaim,
    FigureKind,
    Incident,
    IncidentSource,
    PlacedWaypoint,
    Proposer,
    Verdict,
    VerdictOutcome,
)
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import CorridorStatus, HazardKind, SourceType, Verification
from safepassage.store import ReviewState, Store, queries, verify_chain
from safepassage.store.schema import CorridorStatusChange, Report, Source, VerdictRow

Make = Callable[..., IncidentReport]
MARCH_5 = dt.date(2022, 3, 5)


def _count(store: Store, table: str) -> int:
    with store.reading() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _announcement(
    hc_id: int = 1,
    proposed_by: Proposer = Proposer.AGREED,
    outcome: CorridorOutcome = CorridorOutcome.UNKNOWN,
) -> CorridorAnnouncement:
    return CorridorAnnouncement(
        hc_id=hc_id,
        announced_on=MARCH_5,
        proposed_by=proposed_by,
        outcome=outcome,
        from_name="Mariupol",
        from_lat=47.0971,
        from_lon=37.5434,
        to_name="Zaporizhzhia",
        to_lat=47.8388,
        to_lon=35.1396,
        waypoints=(PlacedWaypoint("Polohy", 47.4796, 36.2536, "Polohy", 696108),),
        waypoints_unplaced=("Mykilske",),
        ceasefire_start=dt.datetime(2022, 3, 5, 7, tzinfo=dt.UTC),
        ceasefire_end=dt.datetime(2022, 3, 5, 14, tzinfo=dt.UTC),
        text="Mariupol - Mykilske - Rozivka - Polohy - Orikhiv - Zaporizhzhia",
        outcome_raw=outcome.value,
        links=("https://example.org/a",),
        line=2,
    )


def test_ingesting_the_same_reports_twice_adds_nothing(store: Store, make_report: Make) -> None:
    reports = [make_report(f"r{i}") for i in range(10)]
    with store.writing("ingest") as writer:
        first = writer.add_reports([*reports, reports[0]], "feed.csv")  # a duplicate inside the batch too
    with store.writing("ingest") as writer:
        second = writer.add_reports(reports, "feed.csv")
    assert (first.new, first.duplicates) == (10, 1)
    assert (second.new, second.duplicates) == (0, 10)
    assert _count(store, "reports") == 10
    assert _count(store, "sources") == 1  # the same source is stored once and referenced


def test_same_source_id_in_two_feeds_is_two_reports(store: Store, make_report: Make) -> None:
    with store.writing("ingest") as writer:
        added = writer.add_reports([make_report("42", feed="acled"), make_report("42", feed="ucdp")])
    assert added.new == 2


def test_a_report_round_trips_field_by_field(store: Store, make_report: Make) -> None:
    original = make_report(
        "x1",
        feed="acled",
        kind=HazardKind.AIR_STRIKE,
        observed_at=dt.datetime(2022, 3, 9, 12, 5, 7, 250_000, tzinfo=dt.UTC),
        ended_at=dt.datetime(2022, 3, 9, 13, tzinfo=dt.UTC),
        fatalities=3,
        source_type=SourceType.MEDIA,
        verification=Verification.VERIFIED,
        raw={"event_id_cnty": "x1", "notes": "maternity hospital — Мариуполь"},
    )
    with store.writing("ingest") as writer:
        writer.add_reports([original], "acled.csv")
    with store.reading() as session:
        (loaded,) = queries.incident_reports(session)
        row = queries.find_report(session, "acled:x1")
    assert loaded == original
    assert loaded.raw == original.raw
    assert (row.file_name, row.line) == ("acled.csv", 0)


def test_naive_datetimes_are_refused_and_nothing_is_written(store: Store, make_report: Make) -> None:
    batch = [make_report("ok"), make_report("bad", observed_at=dt.datetime(2022, 3, 5), line=7)]
    expected = r"cannot store 1 report\(s\): feed.csv:7: observed_at: 2022-03-05T00:00:00 has no"
    with pytest.raises(InputError, match=expected), store.writing("ingest") as writer:
        writer.add_reports(batch, "feed.csv")
    assert _count(store, "reports") == 0
    assert _count(store, "events") == 0


def test_corridor_status_changes_are_new_rows_following_the_lifecycle(store: Store) -> None:
    with store.writing("importer") as writer:
        (corridor_id,) = writer.add_corridors([_announcement()], "corridors.csv").new_ids
    with store.writing("coordinator") as writer:
        writer.set_corridor_status(corridor_id, CorridorStatus.OPEN, "buses left at 11:00")
        writer.set_corridor_status(corridor_id, CorridorStatus.SUSPENDED, "shelling at Mangush, 12:10")
    with store.reading() as session:
        history = queries.corridor_history(session, corridor_id)
        (summary,) = queries.corridor_summaries(session)
    assert [(h.status, h.changed_by) for h in history] == [
        ("agreed", "importer"),  # announced as agreed by both sides
        ("open", "coordinator"),
        ("suspended", "coordinator"),
    ]
    assert (
        history[0].reason
        == "PeaceRep corridor 1 (2022-03-05): announced, agreed by both parties (corridors.csv line 2)"
    )
    assert (summary.status, summary.status_reason) == ("suspended", "shelling at Mangush, 12:10")
    assert summary.waypoints_unplaced == ("Mykilske",)


def test_corridor_lifecycle_refuses_skipped_steps_and_needs_a_reason(store: Store) -> None:
    with store.writing("importer") as writer:
        (corridor_id,) = writer.add_corridors([_announcement(proposed_by=Proposer.RUSSIA)]).new_ids
    refused = (
        r"corridor 1 \(Mariupol -> Zaporizhzhia\): .*'proposed' to 'open'; allowed: agreed, closed, disputed"
    )
    with pytest.raises(InputError, match=refused), store.writing("x") as writer:
        writer.set_corridor_status(corridor_id, CorridorStatus.OPEN, "buses left")
    with pytest.raises(InputError, match="needs a reason"), store.writing("x") as writer:
        writer.set_corridor_status(corridor_id, CorridorStatus.AGREED, "  ")
    with pytest.raises(UnknownIdError, match="no corridor with id 999"), store.writing("x") as writer:
        writer.set_corridor_status(999, CorridorStatus.AGREED, "x")
    with store.writing("x") as writer:
        writer.set_corridor_status(corridor_id, CorridorStatus.CLOSED, "never agreed by Ukraine")
    with pytest.raises(InputError, match="closed is final"), store.writing("x") as writer:
        writer.set_corridor_status(corridor_id, CorridorStatus.OPEN, "x")
    with store.reading() as session:
        assert session.scalar(select(func.count()).select_from(CorridorStatusChange)) == 2


def test_imported_outcomes_become_a_legal_history(store: Store) -> None:
    disrupted = _announcement(3, Proposer.UKRAINE, CorridorOutcome.DISRUPTED)
    with store.writing("importer") as writer:
        (corridor_id,) = writer.add_corridors([disrupted], "corridors.csv").new_ids
    with store.reading() as session:
        statuses = [h.status for h in queries.corridor_history(session, corridor_id)]
    assert statuses == ["proposed", "agreed", "open", "suspended"]


def test_importing_corridors_twice_adds_nothing_and_round_trips(store: Store) -> None:
    announcements = [_announcement(1), _announcement(2, Proposer.UKRAINE)]
    with store.writing("importer") as writer:
        assert writer.add_corridors(announcements).new == 2
    with store.writing("importer") as writer:
        assert writer.add_corridors(announcements).duplicates == 2
    with store.reading() as session:
        assert queries.corridor_announcements(session) == announcements


def test_review_workflow_keeps_published_apart_and_claims_side_by_side(
    store: Store, make_report: Make
) -> None:
    with store.writing("ingest") as writer:
        (report_id,) = writer.add_reports([make_report("r1")]).new_ids
    with store.writing("x") as writer:
        writer.review(
            report_id=report_id,
            state=ReviewState.ON_HOLD,
            reviewer="olena",
            reason="asking the field team",
            claim="convoy hit near Mangush",
        )
        writer.review(
            report_id=report_id,
            state=ReviewState.ON_HOLD,
            reviewer="pierre",
            reason="ICRC says otherwise",
            claim="convoy turned back before Mangush, no hit",
            published=True,
        )
        writer.review(
            report_id=report_id, state=ReviewState.VERIFIED, reviewer="olena", reason="photos geolocated"
        )
    with store.reading() as session:
        history = queries.review_history(session, report_id=report_id)
        current = queries.current_review(session, report_id=report_id)
    assert [(r.state, r.published, r.reviewer) for r in history] == [
        ("on_hold", False, "olena"),
        ("on_hold", True, "pierre"),
        ("verified", True, "olena"),  # publication flag carried over, not implied by "verified"
    ]
    assert [r.claim for r in history][:2] == [
        "convoy hit near Mangush",
        "convoy turned back before Mangush, no hit",
    ]
    assert current is not None
    assert current.state == "verified"


def test_review_refuses_steps_outside_the_workflow(store: Store, make_report: Make) -> None:
    with store.writing("ingest") as writer:
        (report_id,) = writer.add_reports([make_report("r1")]).new_ids
    with store.writing("x") as writer:
        writer.review(report_id=report_id, state=ReviewState.REJECTED, reviewer="a", reason="duplicate hoax")
    refused = "from rejected to verified; expected one of: on_hold"
    with pytest.raises(InputError, match=refused), store.writing("x") as writer:
        writer.review(report_id=report_id, state=ReviewState.VERIFIED, reviewer="a", reason="x")
    with pytest.raises(UnknownIdError), store.writing("x") as writer:
        writer.review(report_id=12345, state=ReviewState.ON_HOLD, reviewer="a", reason="x")
    with pytest.raises(StoreError, match="who decided"), store.writing("x") as writer:
        writer.review(report_id=report_id, state=ReviewState.ON_HOLD, reviewer="", reason="x")


def test_figure_claims_are_kept_side_by_side_and_imported_once(store: Store) -> None:
    un = FigureClaim(
        FigureKind.KILLED,
        249,
        "OHCHR",
        CountMethod.CONFIRMED_ONLY,
        dt.date(2022, 3, 2),
        Verification.VERIFIED,
        note="confirmed only, an undercount",
    )
    ses = FigureClaim(
        FigureKind.KILLED,
        2000,
        "State Emergency Service",
        CountMethod.ESTIMATE,
        dt.date(2022, 3, 2),
        Verification.UNVERIFIED,
        lower_bound=True,
    )
    with store.writing("x") as writer:
        assert writer.add_figure_claims([un, ses, un]).new == 2
    with store.writing("x") as writer:
        assert writer.add_figure_claims([un, ses]).duplicates == 2
    with store.reading() as session:
        rows = queries.figure_claims(session, "killed")
    assert sorted((r.source, r.count, r.lower_bound, r.method) for r in rows) == [
        ("OHCHR", 249, False, "confirmed_only"),
        ("State Emergency Service", 2000, True, "estimate"),
    ]


def test_incidents_link_their_reports_and_verdicts_keep_their_evidence(
    store: Store, make_report: Make
) -> None:
    a, b = make_report("a", feed="acled"), make_report("b", feed="ucdp")
    incident = Incident(
        id="inc-ab",
        kind=HazardKind.SHELLING,
        lat=a.lat,
        lon=a.lon,
        radius_m=2000.0,
        first_observed_at=a.observed_at,
        last_observed_at=a.observed_at,
        time_uncertainty_s=3600.0,
        report_keys=(a.key, b.key),
        sources=tuple(
            IncidentSource(r.feed, r.source_id, r.source_name, r.source_type, r.verification) for r in (a, b)
        ),
        corroboration=2,
        fatalities_claims=(("ACLED", 3), ("UCDP", 5)),
    )
    with store.writing("ingest") as writer:
        writer.add_reports([a, b])
        assert writer.add_incidents([incident]).new == 1
        (corridor_id,) = writer.add_corridors([_announcement(7)]).new_ids
    with store.writing("ingest") as writer:
        assert writer.add_incidents([incident]).duplicates == 1
        writer.add_verdicts(
            [
                Verdict(
                    corridor_id="peacerep:7",
                    window_start=dt.datetime(2022, 3, 5, 7, tzinfo=dt.UTC),
                    window_end=dt.datetime(2022, 3, 5, 14, tzinfo=dt.UTC),
                    outcome=VerdictOutcome.VIOLATED,
                    violation_score=0.8,
                    confidence=0.7,
                    evidence=(
                        Evidence("inc-ab", ("ACLED", "UCDP"), 850.0, a.observed_at, 0.9, HazardKind.SHELLING),
                    ),
                    rule_version="v1",
                    reason="corroborated shelling 850 m from the route",
                )
            ]
        )
    assert _count(store, "incident_reports") == 2
    with store.reading() as session:
        report_id = queries.find_report(session, "ucdp:b").id
        merged = queries.current_incident(session, report_id)
        assert merged is not None
        assert merged[0].key == "inc-ab"
        assert merged[1] == ["acled:a", "ucdp:b"]
        assert (
            queries.find_incident(session, "inc-ab").id
            == queries.find_incident(session, str(merged[0].id)).id
        )
    with store.reading() as session:
        verdict = session.scalars(select(VerdictRow)).one()
        assert verdict.corridor_id == corridor_id
        assert verdict.evidence[0]["distance_to_route_m"] == 850.0
        assert verdict.evidence[0]["sources"] == ["ACLED", "UCDP"]
        verify_chain(session)


def test_plans_scenarios_and_notifications_are_recorded(store: Store) -> None:
    with store.writing("planner") as writer:
        scenario_id = writer.add_scenario(
            "mariupol", {"name": "mariupol", "origins": [{"id": "o1", "people": 500}]}
        )
        assert (
            writer.add_scenario("again", {"name": "mariupol", "origins": [{"id": "o1", "people": 500}]})
            == scenario_id
        )
        first = writer.add_plan({"format": "safepassage-plan/1"}, "first plan", scenario_id)
        second = writer.add_plan(
            {"format": "safepassage-plan/1"}, "re-plan: link 17 closed", scenario_id, first
        )
        writer.add_notification("replan", "bus network", f"plan {second} replaces plan {first}")
    assert (_count(store, "plans"), _count(store, "notifications"), _count(store, "scenarios")) == (2, 1, 1)


def test_concurrent_writers_keep_one_valid_chain(db_url: str, make_report: Make) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with Store.open(db_url, migrate=False) as own:
                for batch in range(5):
                    with own.writing(f"worker{worker}") as writer:
                        writer.add_reports(
                            [
                                make_report(f"w{worker}-{batch}-{i}", source_name=f"s{i % 3}")
                                for i in range(20)
                            ]
                        )
        except BaseException as exc:
            errors.append(exc)

    Store.open(db_url).close()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store.open(db_url) as store, store.reading() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 4 * 5 * 20
        assert session.scalar(select(func.count()).select_from(Source)) == 3
        assert verify_chain(session).events == 4 * 5 * 20 + 3


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(st.lists(st.integers(min_value=0, max_value=30), max_size=25), min_size=1, max_size=6)
)
def test_any_sequence_of_overlapping_batches_stores_each_report_once(
    tmp_path_factory: pytest.TempPathFactory, make_report: Make, batches: list[list[int]]
) -> None:
    path = tmp_path_factory.mktemp("idempotent") / "s.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        new_total = 0
        for batch in batches:
            with store.writing("ingest") as writer:
                added = writer.add_reports([make_report(f"r{n}", fatalities=n) for n in batch])
            assert added.new + added.duplicates == len(batch)
            new_total += added.new
        distinct = {n for batch in batches for n in batch}
        with store.reading() as session:
            stored = sorted(session.scalars(select(Report.source_id)))
            assert new_total == len(distinct)
            assert stored == sorted(f"r{n}" for n in distinct)
            verify_chain(session)
