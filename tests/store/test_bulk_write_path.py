"""The bulk write path equals the per-row one: one add_reports with per-report actors writes the
same rows and events as one transaction per report; event hashes spelled from parts equal
json.dumps of the envelope (what verification recomputes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from safepassage.monitor.report import IncidentReport
from safepassage.scenario.vocabulary import HazardKind, SourceType
from safepassage.store import Store, verify_chain
from safepassage.store.audit import _Envelope, _envelope_middle, envelope_text
from safepassage.store.schema import Event, Report, Source

ACTORS = ("olena", "taras", "Ірина «радіо»", 'quote " and \\ back')


def _report(source_id: str, source: str) -> IncidentReport:
    return IncidentReport(
        feed="cli",
        source_id=source_id,
        kind=HazardKind.SHELLING,
        observed_at=dt.datetime(2022, 3, 5, 9, 30, tzinfo=dt.UTC),
        lat=47.1,
        lon=37.5,
        radius_m=2000.0,
        time_uncertainty_s=3600.0,
        source_name=source,
        source_type=SourceType.FIELD_TEAM,
        raw={"entered_by": source, "n": [1, 2.5, None]},
    )


def _contents(store: Store) -> tuple[list[Any], list[Any], list[Any]]:
    """Reports, sources and events as stored, without the write times (which differ per run)."""
    with store.reading() as session:
        verify_chain(session)
        sources = session.execute(select(Source.id, Source.name).order_by(Source.id)).all()
        name = dict(sources)  # source ids follow the order sources are first written: compare names
        reports = [
            (r.id, r.feed, r.source_id, name[r.reported_by_id], r.raw_json)
            for r in session.scalars(select(Report).order_by(Report.id))
        ]
        events = []
        for e in session.scalars(select(Event).order_by(Event.seq)):
            payload = json.loads(e.payload)
            payload.pop("ingested_at", None)
            if e.table_name == "reports":
                payload["reported_by_id"] = name[payload["reported_by_id"]]
            events.append((e.seq, e.actor, e.table_name, e.row_id, payload))
    return reports, [tuple(s) for s in sources], events


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ACTORS), st.integers(0, 5), st.sampled_from(("team a", "team b"))),
        min_size=1,
        max_size=12,
    )
)
def test_one_bulk_write_with_actors_equals_one_transaction_per_report(
    posts: list[tuple[str, int, str]],
) -> None:
    reports = [(actor, _report(f"r{n}", source)) for actor, n, source in posts]
    with tempfile.TemporaryDirectory() as folder:
        with Store.open(f"sqlite:///{Path(folder) / 'bulk.sqlite'}") as bulk:
            with bulk.writing("someone else") as writer:
                writer.add_reports([r for _, r in reports], "api", actors=[a for a, _ in reports])
            bulk_contents = _contents(bulk)
        with Store.open(f"sqlite:///{Path(folder) / 'rows.sqlite'}") as rows:
            for actor, report in reports:
                with rows.writing(actor) as writer:
                    writer.add_reports([report], "api")
            row_contents = _contents(rows)
    bulk_reports, bulk_sources, bulk_events = bulk_contents
    row_reports, row_sources, row_events = row_contents
    assert bulk_reports == row_reports
    assert sorted(name for _, name in bulk_sources) == sorted(name for _, name in row_sources)
    # the same report events, each by the actor who first posted that report
    assert [e[1:] for e in bulk_events if e[2] == "reports"] == [
        e[1:] for e in row_events if e[2] == "reports"
    ]


@settings(max_examples=50, deadline=None)
@given(
    seq=st.integers(1, 2**62),
    row_id=st.integers(1, 2**31 - 1),
    actor=st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    table=st.sampled_from(("reports", "incidents", "corridor_status")),
    payload_sha=st.text("0123456789abcdef", min_size=64, max_size=64),
    prev=st.text("0123456789abcdef", min_size=64, max_size=64),
    at=st.datetimes(timezones=st.just(dt.UTC)),
)
def test_event_hash_text_is_the_envelope_json(
    seq: int, row_id: int, actor: str, table: str, payload_sha: str, prev: str, at: dt.datetime
) -> None:
    envelope = _Envelope(seq, at, actor, "insert", table, row_id, payload_sha, prev)
    fields = [seq, at.isoformat(), actor, "insert", table, row_id, payload_sha, prev]
    expected = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    assert (
        envelope_text(seq, _envelope_middle(at, actor, "insert", table), row_id, payload_sha, prev)
        == expected
    )
    assert envelope.sha256() == hashlib.sha256(expected.encode()).hexdigest()
