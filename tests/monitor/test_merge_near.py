"""reports_near finds exactly the stored reports that agree with a new one (brute force, hypothesis)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from safepassage.monitor.merge import reports_agree, reports_near
from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind

from ._factories import report

KINDS = [
    HazardKind.SHELLING,
    HazardKind.FIGHTING,
    HazardKind.AIR_RAID_ALERT,
    HazardKind.MINES,
    HazardKind.OTHER,
]
_reports = st.lists(
    st.builds(
        lambda feed, kind, dlat, dlon, radius, minutes, u: (feed, kind, dlat, dlon, radius, minutes, u),
        st.sampled_from(["acled", "ucdp", "alerts", "geojson"]),
        st.sampled_from(KINDS),
        st.floats(-0.5, 0.5),
        st.floats(-0.5, 0.5),
        st.sampled_from([1_000.0, 5_000.0, 25_000.0, 100_000.0, 200_000.0]),
        st.integers(-3_000, 3_000),
        st.sampled_from([60.0, 3_600.0, 43_200.0, 302_400.0]),
    ),
    min_size=1,
    max_size=30,
)


def _distance_m(a: IncidentReport, b: IncidentReport) -> float:
    """Great-circle distance (the merge's projection agrees to well under its radii here)."""
    assert None not in (a.lat, a.lon, b.lat, b.lon)
    assert a.lat is not None
    assert a.lon is not None
    assert b.lat is not None
    assert b.lon is not None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


@settings(max_examples=50, deadline=None)
@given(_reports, _reports)
def test_reports_near_is_the_brute_force_set(new_specs: list[tuple], stored_specs: list[tuple]) -> None:  # type: ignore[type-arg]
    def build(prefix: str, specs: list[tuple]) -> list[IncidentReport]:  # type: ignore[type-arg]
        return [
            report(
                feed,
                f"{prefix}{n}",
                kind=kind,
                lat=47.3 + dlat,
                lon=36.5 + dlon,
                radius_m=radius,
                minutes=minutes,
                time_uncertainty_s=u,
            )
            for n, (feed, kind, dlat, dlon, radius, minutes, u) in enumerate(specs)
        ]

    new, stored = build("n", new_specs), build("s", stored_specs)
    expected = set()
    for i, s in enumerate(stored):
        for n in new:
            d = _distance_m(n, s)
            # Away from the boundary only: projection and sphere differ by a few metres.
            if abs(d - (n.radius_m + s.radius_m)) < 50.0:
                expected.add(-1 - i)
            elif reports_agree(n, s, d):
                expected.add(i)
    found = set(reports_near(new, stored))
    unsure = {-1 - i for i in expected if i < 0}
    assert {i for i in expected if i >= 0} <= found
    assert found - {i for i in expected if i >= 0} <= unsure
