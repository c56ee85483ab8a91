"""Building IncidentReports for tests (plain constructors of the real dataclass, no mocks)."""

from __future__ import annotations

import datetime as dt

from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

T0 = dt.datetime(2022, 3, 5, 8, 0, tzinfo=dt.UTC)


def report(
    feed: str = "acled",
    source_id: str = "1",
    *,
    kind: HazardKind = HazardKind.SHELLING,
    lat: float = 47.3,
    lon: float = 36.5,
    radius_m: float = 5_000.0,
    minutes: float = 0.0,
    time_uncertainty_s: float = 3_600.0,
    source_name: str = "Outlet",
    source_type: SourceType = SourceType.MEDIA,
    verification: Verification = Verification.UNVERIFIED,
    fatalities: int | None = None,
) -> IncidentReport:
    return IncidentReport(
        feed=feed,
        source_id=source_id,
        kind=kind,
        observed_at=T0 + dt.timedelta(minutes=minutes),
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        time_uncertainty_s=time_uncertainty_s,
        source_name=source_name,
        source_type=source_type,
        verification=verification,
        fatalities=fatalities,
    )
