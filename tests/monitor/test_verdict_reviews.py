"""A review decides how far a report counts: verdicts and the monitor's re-plans read the latest one.

The reports are stored in a real SQLite store, reviewed through the store's write API, read back
with :func:`safepassage.store.queries.incident_reports` (the one place verdicts read reports) and
judged on the 5 March 2022 Mariupol -> Zaporizhzhia corridor (PeaceRep corridor 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.cli.core import demo_scenario_path
from safepassage.monitor import IncidentReport, Verdict, VerdictOutcome, iter_feed
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.replay import replay_feeds
from safepassage.monitor.verdict import judge_corridor
from safepassage.planner.problem import load_networks
from safepassage.scenario import load_scenario
from safepassage.scenario.vocabulary import SourceType, Verification
from safepassage.store import ReviewState, Store, queries
from safepassage.store.review_workflow import (
    REVIEW_TRANSITIONS,
    check_review_step,
    verification_after_review,
)

from ._factories import report

ROUTE = ((37.5413, 47.0951), (36.82, 47.35), (35.8728, 47.5653), (35.7818, 47.5663), (35.1171, 47.8517))
START = dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC)
END = dt.datetime(2022, 3, 5, 14, 0, tzinfo=dt.UTC)
ON_ROUTE = {"lat": 47.35, "lon": 36.82}  # the Rozivka waypoint
OFF_ROUTE = {"lat": 47.75, "lon": 36.6}  # ~45 km north of the route: coverage, not evidence
R = ReviewState
V = Verification


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'reviews.sqlite'}") as opened:
        yield opened


def _ministry(verification: Verification) -> IncidentReport:
    """An official report of shelling on the route, as the issue's case."""
    return report(
        "cli",
        "mod-1",
        source_name="Ministry of Defence",
        source_type=SourceType.OFFICIAL,
        verification=verification,
        radius_m=500.0,
        **ON_ROUTE,
    )


def _background() -> list[IncidentReport]:
    """Corroborated reports off the route: the feeds were live around it."""
    return [report("geojson", f"bg{n}", source_name="A; B", minutes=30 * n, **OFF_ROUTE) for n in range(3)]


def _store_and_review(store: Store, reports: Sequence[IncidentReport], steps: Sequence[ReviewState]) -> None:
    with store.writing("ingest") as writer:
        ids = writer.add_reports(reports, "test").new_ids
    for step in steps:
        with store.writing("olena") as writer:
            writer.review(report_id=ids[0], state=step, reviewer="olena", reason=f"to {step.value}")


def _judge(store: Store) -> Verdict:
    with store.reading() as session:
        reports = queries.incident_reports(session)
    return judge_corridor("peacerep:1", ROUTE, START, END, merge_reports(reports), buffer_m=10_000.0)


def _on_route(verdict: Verdict) -> list[tuple[str, bool]]:
    """(sources, decisive) of the evidence: only the ministry's report lies on the route."""
    return [("; ".join(e.sources), e.decisive) for e in verdict.evidence]


# (feed's own verification, review steps, verdict, the ministry's report as evidence: decisive?)
TRANSITIONS = [
    pytest.param(V.UNVERIFIED, [], VerdictOutcome.HONOURED, False, id="draft: unverified stands"),
    pytest.param(V.UNVERIFIED, [R.VERIFIED], VerdictOutcome.VIOLATED, True, id="draft->verified"),
    pytest.param(V.VERIFIED, [], VerdictOutcome.VIOLATED, True, id="draft: feed says verified"),
    pytest.param(V.VERIFIED, [R.REJECTED], VerdictOutcome.HONOURED, None, id="feed-verified->rejected"),
    pytest.param(
        V.UNVERIFIED, [R.VERIFIED, R.ON_HOLD, R.REJECTED], VerdictOutcome.HONOURED, None,
        id="verified->on_hold->rejected",
    ),
    pytest.param(V.VERIFIED, [R.DISPUTED], VerdictOutcome.CONTESTED, False, id="draft->disputed"),
    pytest.param(
        V.UNVERIFIED, [R.VERIFIED, R.ON_HOLD, R.DISPUTED], VerdictOutcome.CONTESTED, False,
        id="verified->on_hold->disputed",
    ),
    pytest.param(V.VERIFIED, [R.ON_HOLD], VerdictOutcome.VIOLATED, True, id="on_hold: the feed's own"),
    pytest.param(
        V.VERIFIED, [R.REJECTED, R.ON_HOLD], VerdictOutcome.VIOLATED, True, id="rejected->on_hold"
    ),
    pytest.param(V.VERIFIED, [R.UNVERIFIABLE], VerdictOutcome.HONOURED, False, id="draft->unverifiable"),
]  # fmt: skip


@pytest.mark.parametrize(("feed_says", "steps", "outcome", "decisive"), TRANSITIONS)
def test_each_review_transition_changes_the_verdict(
    store: Store,
    feed_says: Verification,
    steps: list[ReviewState],
    outcome: VerdictOutcome,
    decisive: bool | None,
) -> None:
    _store_and_review(store, [_ministry(feed_says), *_background()], steps)
    verdict = _judge(store)
    assert verdict.outcome is outcome, verdict.reason
    expected = [] if decisive is None else [("Ministry of Defence", decisive)]
    assert _on_route(verdict) == expected


def test_a_rejected_report_alone_is_not_even_coverage(store: Store) -> None:
    _store_and_review(store, [_ministry(V.VERIFIED)], [R.REJECTED])
    verdict = _judge(store)
    assert verdict.outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE
    assert verdict.evidence == ()


def test_a_rejected_report_does_not_corroborate_the_one_merged_with_it(store: Store) -> None:
    press = report("acled", "a1", source_name="Segodnya", radius_m=5_000.0, **ON_ROUTE)
    _store_and_review(store, [_ministry(V.UNVERIFIED), press, *_background()], [])
    assert _on_route(_judge(store)) == [("Segodnya; Ministry of Defence", True)]  # two outlets
    with store.reading() as session:
        ministry_id = queries.find_report(session, "cli:mod-1").id
    with store.writing("olena") as writer:
        writer.review(report_id=ministry_id, state=R.REJECTED, reviewer="olena", reason="retracted")
    verdict = _judge(store)
    assert _on_route(verdict) == [("Segodnya; Ministry of Defence", False)]  # Segodnya alone
    assert verdict.evidence[0].weight == pytest.approx(0.4)  # unverified media; the ministry adds 0
    assert verdict.outcome is VerdictOutcome.HONOURED


def test_an_incident_review_applies_to_its_reports_and_the_newest_review_wins(store: Store) -> None:
    press = report("acled", "a1", source_name="Segodnya", radius_m=5_000.0, **ON_ROUTE)
    reports = [_ministry(V.VERIFIED), press, *_background()]
    with store.writing("ingest") as writer:
        writer.add_reports(reports, "test")
        writer.add_incidents(merge_reports(reports))
    with store.reading() as session:
        ministry = queries.find_report(session, "cli:mod-1")
        incident, members = queries.current_incident(session, ministry.id) or (None, [])
    assert incident is not None
    assert members == ["cli:mod-1", "acled:a1"]
    with store.writing("olena") as writer:
        writer.review(incident_id=incident.id, state=R.REJECTED, reviewer="olena", reason="staged")
    assert _judge(store).evidence == ()  # both reports of the incident rejected
    with store.writing("pierre") as writer:  # a later review of one report overrides for that report
        writer.review(report_id=ministry.id, state=R.VERIFIED, reviewer="pierre", reason="photos")
    verdict = _judge(store)
    assert verdict.outcome is VerdictOutcome.VIOLATED
    assert _on_route(verdict) == [("Segodnya; Ministry of Defence", True)]
    with store.reading() as session:
        states = queries.latest_review_states(session)
        press_id = queries.find_report(session, "acled:a1").id
    assert states == {ministry.id: R.VERIFIED, press_id: R.REJECTED}


def test_reports_read_from_files_take_the_stored_review(store: Store) -> None:
    ministry, press = _ministry(V.VERIFIED), report("acled", "a1", source_name="Segodnya")
    _store_and_review(store, [ministry], [R.REJECTED])
    unseen = report("acled", "not-stored")
    with store.reading() as session:
        reviewed = queries.with_latest_reviews(session, [press, ministry, unseen])
    assert [r.verification for r in reviewed] == [V.UNVERIFIED, V.REJECTED, V.UNVERIFIED]
    assert reviewed[0] is press  # untouched when never reviewed
    assert reviewed[2] is unseen


@pytest.mark.parametrize(
    ("state", "feed_says", "counts_as"),
    [
        (None, V.VERIFIED, V.VERIFIED),
        (R.DRAFT, V.DISPUTED, V.DISPUTED),
        (R.ON_HOLD, V.UNVERIFIED, V.UNVERIFIED),
        (R.VERIFIED, V.UNVERIFIED, V.VERIFIED),
        (R.UNVERIFIABLE, V.VERIFIED, V.UNVERIFIED),
        (R.DISPUTED, V.VERIFIED, V.DISPUTED),
        (R.REJECTED, V.VERIFIED, V.REJECTED),
    ],
)
def test_verification_after_review_table(
    state: ReviewState | None, feed_says: Verification, counts_as: Verification
) -> None:
    assert verification_after_review(feed_says, state) is counts_as


def test_disputed_is_a_decision_reached_from_draft_or_hold_and_left_through_hold() -> None:
    check_review_step("report 1", R.DRAFT, R.DISPUTED)
    check_review_step("report 1", R.ON_HOLD, R.DISPUTED)
    check_review_step("report 1", R.DISPUTED, R.ON_HOLD)
    with pytest.raises(Exception, match="cannot go from disputed to verified; expected one of: on_hold"):
        check_review_step("report 1", R.DISPUTED, R.VERIFIED)


@pytest.mark.slow
def test_a_report_rejected_in_the_store_no_longer_triggers_the_monitors_replan(store: Store) -> None:
    feed = demo_scenario_path().with_name("helsinki-incidents.geojson")
    scenario = load_scenario(demo_scenario_path())
    networks = load_networks(scenario)
    reports = [r for r in iter_feed(feed) if isinstance(r, IncidentReport)]
    (closing,) = [r for r in reports if r.source_id.startswith("ft-0912")]
    with store.writing("ingest") as writer:
        writer.add_reports(reports, str(feed))
    with store.reading() as session:
        closing_id = queries.find_report(session, f"{closing.feed}:{closing.source_id}").id
    with store.writing("olena") as writer:
        writer.review(report_id=closing_id, state=R.REJECTED, reviewer="olena", reason="a drill")
    with store.reading() as session:
        reviewed = queries.with_latest_reviews(session, reports)
    result = replay_feeds(scenario, reviewed, networks)
    assert [e for e in result.events if e.kind == "replan"] == []
    assert len(result.plans) == 1
    assert any("rejected" in e.message and e.kind == "report" for e in result.events)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    feed_says=st.sampled_from(list(Verification)),
    choices=st.lists(st.integers(min_value=0, max_value=9), max_size=5),
)
def test_any_review_path_judges_as_its_latest_state(
    tmp_path_factory: pytest.TempPathFactory, feed_says: Verification, choices: list[int]
) -> None:
    """Whatever the path through the workflow, the verdict is the one the report would get with
    the verification its latest review state gives it (property over random paths)."""
    path, state = [], R.DRAFT
    for choice in choices:
        options = sorted(REVIEW_TRANSITIONS[state])
        state = options[choice % len(options)]
        path.append(state)
    folder = tmp_path_factory.mktemp("path")
    with Store.open(f"sqlite:///{folder / 'reviews.sqlite'}") as store:
        _store_and_review(store, [_ministry(feed_says), *_background()], path)
        reviewed = _judge(store)
    counts_as = verification_after_review(feed_says, path[-1] if path else None)
    direct = judge_corridor(
        "peacerep:1", ROUTE, START, END, merge_reports([_ministry(counts_as), *_background()]), 10_000.0
    )
    assert (reviewed.outcome, reviewed.evidence) == (direct.outcome, direct.evidence)
