"""The incremental merge looks only at the pending reports and their neighbours in space and time,
and ends with the same current incidents as merging every stored report at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select

from safepassage.monitor.merge import merge_reports
from safepassage.monitor.report import IncidentReport
from safepassage.store import Store, queries
from safepassage.store.merging import merge_pending
from safepassage.store.schema import Incident, IncidentReportLink

Make = Callable[..., IncidentReport]


def current_incident_keys(store: Store) -> set[str]:
    """The newest incident of every report (what the store calls a report's current incident)."""
    with store.reading() as session:
        newest = select(IncidentReportLink.report_id, func.max(IncidentReportLink.incident_id).label("inc"))
        newest_ids = {row.inc for row in session.execute(newest.group_by(IncidentReportLink.report_id))}
        return set(session.scalars(select(Incident.key).where(Incident.id.in_(newest_ids))))


def test_a_later_report_joins_its_neighbour_and_the_far_ones_are_not_read(
    store: Store, make_report: Make
) -> None:
    far = [
        make_report(f"far{i}", feed="acled", lat=50.0 + i * 0.2, lon=30.0, location_name=f"far {i}")
        for i in range(30)
    ]
    near = make_report("near", feed="acled")
    with store.writing("alice") as writer:
        writer.add_reports([*far, near], "first.csv")
    first = merge_pending(store, "alice")
    assert first is not None
    assert (first.reports, first.incidents) == (31, 31)

    partner = make_report("partner", feed="ucdp", lat=47.10, lon=37.55, source_name="Ukrinform")
    with store.writing("alice") as writer:
        writer.add_reports([partner], "second.csv")
    second = merge_pending(store, "alice")
    assert second is not None
    # Read: the new report and the one stored report it agrees with, not the 30 far ones.
    assert (second.reports, second.incidents, second.several_feeds, second.new_incidents) == (2, 1, 1, 1)

    with store.reading() as session:
        everything = queries.incident_reports(session)
    assert current_incident_keys(store) == {i.id for i in merge_reports(everything)}


def test_merging_in_four_ingests_equals_merging_once(store: Store, make_report: Make) -> None:
    base = dt.datetime(2022, 3, 5, 6, tzinfo=dt.UTC)
    reports = [
        make_report(
            f"{feed}-{i}",
            feed=feed,
            lat=47.0 + (i % 7) * 0.03,
            lon=37.5 + (i % 5) * 0.04,
            observed_at=base + dt.timedelta(hours=(i * 5) % 17),
            source_name=f"outlet {i % 3}",
        )
        for i in range(40)
        for feed in ("acled", "ucdp", "geojson")
    ]
    reports = [dataclasses.replace(r, radius_m=3_000.0) for r in reports]
    for part in range(4):
        with store.writing("alice") as writer:
            writer.add_reports(reports[part::4], f"part{part}.csv")
        merge_pending(store, "alice")
    assert current_incident_keys(store) == {i.id for i in merge_reports(reports)}
