"""Verdicts on a corridor and window: the rule's cases, and invariants (hypothesis).

The corridor is the 5 March 2022 Mariupol -> Zaporizhzhia route (PeaceRep corridor 1), as placed by
the corridor import, with the ceasefire hours 09:00-16:00 Kyiv time (07:00-14:00 UTC).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.errors import InputError
from safepassage.monitor.corridors import announcement_window, iter_corridor_announcements
from safepassage.monitor.merge import incident_from_reports, merge_reports
from safepassage.monitor.records import CorridorAnnouncement, Incident, VerdictOutcome
from safepassage.monitor.verdict import RULE_VERSION, incident_belief, index_incidents, judge_corridor
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

from ._factories import report
from ._shared import CORRIDORS, shared_file

ROUTE = ((37.5413, 47.0951), (36.82, 47.35), (35.8728, 47.5653), (35.7818, 47.5663), (35.1171, 47.8517))
START = dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC)
END = dt.datetime(2022, 3, 5, 14, 0, tzinfo=dt.UTC)
ON_ROUTE = {"lat": 47.35, "lon": 36.82}  # the Rozivka waypoint
OFF_ROUTE = {"lat": 47.75, "lon": 36.6}  # ~45 km north of the route: coverage, not evidence


def incident(feed: str = "acled", source_id: str = "1", **fields: object) -> Incident:
    return incident_from_reports([report(feed, source_id, **fields)])  # type: ignore[arg-type]


def background(count: int = 3) -> list[Incident]:
    """Verified, corroborated reports in the area but off the route: the feeds were live."""
    return [
        incident("geojson", f"bg{n}", source_name="A; B", minutes=30 * n, **OFF_ROUTE) for n in range(count)
    ]


def verdict(incidents: list[Incident]):  # type: ignore[no-untyped-def]
    return judge_corridor("hc-1", ROUTE, START, END, incidents, buffer_m=10_000.0)


def test_no_reports_at_all_is_insufficient_evidence() -> None:
    result = verdict([])
    assert result.outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE
    assert result.confidence == 0.0
    assert result.violation_score == 0.0
    assert result.rule_version == RULE_VERSION


def test_reports_only_far_away_are_insufficient_evidence() -> None:
    kyiv = incident(lat=50.45, lon=30.52, source_name="A; B")
    assert verdict([kyiv]).outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE


def test_quiet_route_with_live_feeds_nearby_is_honoured() -> None:
    result = verdict(background(3))
    assert result.outcome is VerdictOutcome.HONOURED
    assert result.evidence == ()
    assert 0.3 < result.confidence < 0.5  # 1 - exp(-3/5)
    assert verdict(background(10)).confidence > result.confidence


def test_corroborated_shelling_on_the_route_is_violated_with_evidence() -> None:
    shelling = incident(source_name="Ukrinform; Suspilne Media", **ON_ROUTE)
    result = verdict([*background(), shelling])
    assert result.outcome is VerdictOutcome.VIOLATED
    (evidence,) = result.evidence
    assert evidence.incident_id == shelling.id
    assert evidence.sources == ("Ukrinform; Suspilne Media",)
    assert evidence.distance_to_route_m < 100.0
    assert evidence.observed_at == shelling.first_observed_at
    # two unverified media outlets: 1 - 0.6 ** 2 = 0.64; precise (5 km < 10 km buffer), in the window
    assert evidence.weight == pytest.approx(0.64)
    assert result.violation_score == pytest.approx(0.64)
    assert result.confidence == pytest.approx(0.64)


def test_verified_field_team_report_decides() -> None:
    team = incident(
        "geojson",
        "t1",
        source_type=SourceType.FIELD_TEAM,
        verification=Verification.VERIFIED,
        radius_m=500.0,
        **ON_ROUTE,
    )
    result = verdict([team])
    assert result.outcome is VerdictOutcome.VIOLATED
    assert result.confidence == pytest.approx(1.0)


@pytest.mark.parametrize(
    "source_type", [SourceType.SOCIAL, SourceType.MEDIA, SourceType.UN, SourceType.FIELD_TEAM]
)
def test_single_unverified_report_lowers_confidence_but_never_decides(source_type: SourceType) -> None:
    lone = incident(
        "cap", "u1", source_type=source_type, source_name="one outlet", radius_m=1_000.0, **ON_ROUTE
    )
    without = verdict(background())
    with_lone = verdict([*background(), lone])
    assert with_lone.outcome is without.outcome is VerdictOutcome.HONOURED
    assert with_lone.confidence < without.confidence
    assert with_lone.violation_score > 0.0
    assert [e.incident_id for e in with_lone.evidence] == [lone.id]
    # ...and on its own it does not even make the corridor judgeable
    assert verdict([lone]).outcome is VerdictOutcome.INSUFFICIENT_EVIDENCE


def test_two_uncorroborated_incidents_make_it_contested() -> None:
    one = incident("acled", "u1", source_name="Telegram", **ON_ROUTE)
    two = incident("acled", "u2", source_name="Segodnya", lat=47.57, lon=35.85, minutes=120)
    result = verdict([*background(), one, two])
    assert result.outcome is VerdictOutcome.CONTESTED
    assert len(result.evidence) == 2


def test_disputed_report_makes_it_contested_not_violated() -> None:
    disputed = incident(
        "acled",
        "d1",
        source_name="DPR Armed Forces Press Service; JFO HQ press centre",
        source_type=SourceType.OFFICIAL,
        verification=Verification.DISPUTED,
        **ON_ROUTE,
    )
    assert verdict([*background(), disputed]).outcome is VerdictOutcome.CONTESTED


def test_report_near_a_town_counts_by_the_share_of_its_circle_inside_the_buffer() -> None:
    near_town = incident(source_name="A; B", radius_m=25_000.0, **ON_ROUTE)
    result = verdict([*background(), near_town])
    assert result.outcome is VerdictOutcome.CONTESTED
    # 0.64 belief x (20 km of a 50 km wide uncertainty inside the buffer) = 0.256, decisive
    (evidence,) = result.evidence
    assert evidence.weight == pytest.approx(0.256, rel=1e-3)
    assert evidence.decisive


def test_incident_outside_the_window_is_no_evidence() -> None:
    day_before = incident(source_name="A; B", minutes=-24 * 60, **ON_ROUTE)
    result = verdict([*background(), day_before])
    assert result.evidence == ()
    assert result.outcome is VerdictOutcome.HONOURED


def test_air_raid_alert_is_coverage_not_evidence() -> None:
    alert = incident(
        "alerts",
        "Zaporizka oblast|x",
        kind=HazardKind.AIR_RAID_ALERT,
        source_type=SourceType.OFFICIAL,
        verification=Verification.VERIFIED,
        radius_m=104_000.0,
        lat=47.47,
        lon=35.37,
    )
    result = verdict([alert])
    assert result.outcome is VerdictOutcome.HONOURED
    assert result.evidence == ()


def test_belief_is_noisy_or_over_distinct_outlets() -> None:
    assert incident_belief(incident(source_name="A")) == pytest.approx(0.4)
    assert incident_belief(incident(source_name="A; B; a")) == pytest.approx(1 - 0.6**2)
    rejected = incident(source_name="A", verification=Verification.REJECTED)
    assert incident_belief(rejected) == 0.0


def test_index_is_reusable_across_corridors() -> None:
    incidents = [*background(), incident(source_name="A; B", **ON_ROUTE)]
    index = index_incidents(incidents)
    assert judge_corridor("hc-1", ROUTE, START, END, index) == verdict(incidents)


def test_bad_requests_are_input_errors() -> None:
    with pytest.raises(InputError, match="window ends"):
        judge_corridor("hc-1", ROUTE, END, START, [])
    with pytest.raises(InputError, match="no points"):
        judge_corridor("hc-1", (), START, END, [])
    with pytest.raises(InputError, match="time zone"):
        judge_corridor("hc-1", ROUTE, START.replace(tzinfo=None), END, [])


_decisive_incidents = st.lists(
    st.builds(
        lambda n, lat, lon, minutes, verified: incident(
            "geojson",
            f"d{n}",
            lat=lat,
            lon=lon,
            minutes=minutes,
            source_name="X" if verified else "X; Y",
            verification=Verification.VERIFIED if verified else Verification.UNVERIFIED,
        ),
        st.integers(0, 10**6),
        st.floats(46.9, 48.1),
        st.floats(34.9, 37.8),
        st.integers(-600, 600),
        st.booleans(),
    ),
    max_size=6,
    unique_by=lambda i: i.id,
)


@settings(max_examples=80, deadline=None)
@given(
    _decisive_incidents,
    st.floats(0.0, 1.0),
    st.integers(0, 400),
    st.sampled_from(list(SourceType)),
)
def test_one_unverified_report_on_the_route_never_changes_the_outcome(
    decisive: list[Incident], along: float, minutes: int, source_type: SourceType
) -> None:
    # A point on the route, inside the window, from one outlet, unverified.
    (lon0, lat0), (lon1, lat1) = ROUTE[1], ROUTE[2]
    lone = incident(
        "cap",
        "lone",
        lat=lat0 + along * (lat1 - lat0),
        lon=lon0 + along * (lon1 - lon0),
        minutes=minutes,
        radius_m=2_000.0,
        source_type=source_type,
        source_name="single outlet",
    )
    before, after = verdict(decisive), verdict([*decisive, lone])
    assert after.outcome is before.outcome
    assert after.violation_score >= before.violation_score
    if before.outcome is VerdictOutcome.HONOURED:
        assert after.confidence < before.confidence


@settings(max_examples=60, deadline=None)
@given(_decisive_incidents)
def test_scores_stay_in_unit_interval_and_evidence_is_sorted(decisive: list[Incident]) -> None:
    result = verdict(decisive)
    assert 0.0 <= result.violation_score <= 1.0
    assert 0.0 <= result.confidence <= 1.0
    weights = [e.weight for e in result.evidence]
    assert weights == sorted(weights, reverse=True)
    assert all(0.0 < w <= 1.0 for w in weights)


def test_worked_example_of_docs_verdicts_md() -> None:
    """docs/verdicts.md section 4, on corridor 1 as imported from the real PeaceRep file."""
    (corridor,) = [
        a
        for a in iter_corridor_announcements(shared_file(CORRIDORS))
        if isinstance(a, CorridorAnnouncement) and a.hc_id == 1
    ]
    start, end = announcement_window(corridor)
    assert (start, end) == (START, END)
    a = report(
        "acled", "UKR-A", lat=47.35, lon=36.82, minutes=120, time_uncertainty_s=43_200.0,
        source_name="Suspilne Media; Ukrinform",
    )  # fmt: skip
    b = report(
        "geojson", "tg-1", lat=47.48, lon=36.25, minutes=60, radius_m=1_000.0, source_name="Telegram channel",
        source_type=SourceType.SOCIAL,
    )  # fmt: skip
    c = report(
        "alerts", "Zaporizka oblast|1", kind=HazardKind.AIR_RAID_ALERT, lat=47.47, lon=35.37, minutes=10,
        radius_m=104_000.0, time_uncertainty_s=60.0, source_type=SourceType.OFFICIAL,
        verification=Verification.VERIFIED,
    )  # fmt: skip
    c = type(c)(**{**c.__dict__, "ended_at": c.observed_at + dt.timedelta(minutes=50)})
    ucdp = report(
        "ucdp", "U-9", kind=HazardKind.FIGHTING, lat=47.5, lon=36.0, minutes=120, radius_m=100_000.0,
        time_uncertainty_s=43_200.0, source_name="Ukrinform", source_type=SourceType.OFFICIAL,
    )  # fmt: skip

    def judge(*reports):  # type: ignore[no-untyped-def]
        return judge_corridor("hc-1", corridor.route_lonlat, start, end, merge_reports(reports))

    quiet = judge(a, b, c)
    assert quiet.outcome is VerdictOutcome.HONOURED
    assert quiet.violation_score == pytest.approx(0.306, abs=0.001)
    assert quiet.confidence == pytest.approx(0.126, abs=0.001)
    assert [round(e.weight, 3) for e in quiet.evidence] == [0.2, 0.133]
    assert judge(a, c).confidence == pytest.approx(0.157, abs=0.001)
    assert judge(c).confidence == pytest.approx(0.181, abs=0.001)
    violated = judge(a, b, c, ucdp)
    assert violated.outcome is VerdictOutcome.VIOLATED
    assert violated.confidence == pytest.approx(0.723, abs=0.001)
    assert [e.sources for e in violated.evidence] == [
        ("Telegram channel", "Ukrinform"),
        ("Suspilne Media; Ukrinform",),
    ]
    assert violated.evidence[1].distance_to_route_m == pytest.approx(7873, abs=1)
