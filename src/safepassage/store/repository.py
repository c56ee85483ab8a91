"""The one way anything is written to the store: a :class:`Writer` inside :meth:`Store.writing`.

Every write method funnels through :meth:`Writer._insert`, which inserts the rows and appends one
hash-chained event per row (see :mod:`safepassage.store.audit`) in the same transaction: either the
rows and their events are committed together, or neither is. A write transaction starts by locking
the chain head, so writers are serialised (PostgreSQL: row lock; SQLite: the write lock, waited
for up to the busy timeout) and the duplicate checks below cannot race.

Nothing is updated in place: a corridor status change, a review decision, a revised figure are new
rows. Reads go through :mod:`safepassage.store.queries`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from safepassage.errors import InputError, StoreError, UnknownIdError
from safepassage.monitor.lifecycle import check_transition, outcome_history
from safepassage.monitor.records import CorridorAnnouncement, FigureClaim, Incident, Verdict
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario.model import Scenario as ScenarioModel
from safepassage.scenario.vocabulary import CorridorStatus
from safepassage.store import queries
from safepassage.store.audit import append_events, canonical_json, canonical_row, lock_chain_head, table_of
from safepassage.store.database import make_engine
from safepassage.store.migrate import upgrade
from safepassage.store.report_checks import checked_report
from safepassage.store.review_workflow import ReviewState, check_review_step
from safepassage.store.schema import (
    ApiUser,
    ApiUserRevocation,
    Base,
    Corridor,
    CorridorStatusChange,
    Event,
    FigureClaimRow,
    IncidentReportLink,
    Notification,
    Plan,
    Report,
    Review,
    Scenario,
    ScheduleRow,
    Source,
    VerdictRow,
)
from safepassage.store.schema import Incident as IncidentRow

__all__ = ["Added", "Store", "Writer", "unstorable"]


@dataclass(frozen=True)
class Added:
    """Outcome of an idempotent batch write: ids of the new rows, how many were already there, and the
    rows set aside because the store cannot hold them (each with its file:line and why)."""

    new_ids: tuple[int, ...]
    duplicates: int
    rejected: tuple[RowError, ...] = ()
    #: For reports, the ``(feed, source_id)`` of each new row, in the order of ``new_ids``.
    new_keys: tuple[tuple[str, str], ...] = ()

    @property
    def new(self) -> int:
        """Number of rows written."""
        return len(self.new_ids)


def unstorable(problems: Sequence[tuple[IncidentReport, str]], file_name: str = "") -> InputError:
    """The error refusing reports the store cannot hold: each ``(report, why)`` with its file:line."""
    listed = "; ".join(
        f"{file_name or 'report'}{f':{r.line}' if r.line else ''}: {why}" for r, why in problems[:5]
    )
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return InputError(f"cannot store {len(problems)} report(s): {listed}{more}")


class Writer:
    """Writes inside one transaction; every row written gets its event. Obtain via :meth:`Store.writing`."""

    def __init__(self, session: Session, actor: str, head: tuple[int, str]) -> None:
        self.session = session
        self.actor = actor
        self.now = dt.datetime.now(dt.UTC)
        self._head = head

    def _insert(
        self, table: type[Base], rows: Sequence[dict[str, Any]], actors: Sequence[str] | None = None
    ) -> list[int]:
        """Insert ``rows`` and append their events: the single funnel of every write.

        Row ids are allocated here, after the last id the table or the event log has ever seen (so an
        id freed by deleting a row behind the log's back is never reused, which would hide the
        deletion): the transaction holds the chain head lock, so no other writer can take the same
        ids, and a plain multi-row INSERT (no RETURNING) is several times faster than one per row.
        ``actors`` (one per row) names each row's actor in its event instead of the writer's. Each
        row dict (built by the caller for this write) gets its ``id`` key set here.
        """
        if not rows:
            return []
        core_table = table_of(table)
        in_table = self.session.scalar(select(func.coalesce(func.max(core_table.c.id), 0)))
        in_log = self.session.scalar(
            select(func.coalesce(func.max(Event.row_id), 0)).where(Event.table_name == table.__tablename__)
        )
        last_id = max(int(in_table or 0), int(in_log or 0))
        ids = list(range(last_id + 1, last_id + 1 + len(rows)))
        for row_id, row in zip(ids, rows, strict=True):
            row["id"] = row_id
        self.session.execute(insert(core_table), rows)
        payloads = [(row["id"], canonical_row(table, row)) for row in rows]
        self._head = append_events(self.session, self._head, self.actor, self.now, table, payloads, actors)
        return ids

    # -- reports -------------------------------------------------------------------------------

    def _source_ids(
        self, reports: Sequence[IncidentReport], actors: Sequence[str] | None = None
    ) -> dict[tuple[str, str], int]:
        """Ids of the reports' sources; a source not stored yet is written, by the actor of the first
        report naming it when ``actors`` (one per report) is given."""
        wanted = {(r.source_name, r.source_type.value) for r in reports}
        known: dict[tuple[str, str], int] = {}
        names = sorted({name for name, _ in wanted})
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            for row in self.session.execute(
                select(Source.id, Source.name, Source.source_type).where(Source.name.in_(chunk))
            ):
                known[(row.name, row.source_type)] = row.id
        missing = sorted(wanted - set(known))
        missing_actors = None
        if actors is not None:
            first_by: dict[tuple[str, str], str] = {}
            for r, who in zip(reports, actors, strict=True):
                first_by.setdefault((r.source_name, r.source_type.value), who)
            missing_actors = [first_by[m] for m in missing]
        ids = self._insert(Source, [{"name": n, "source_type": t} for n, t in missing], missing_actors)
        known.update(zip(missing, ids, strict=True))
        return known

    def add_reports(
        self,
        reports: Sequence[IncidentReport],
        file_name: str = "",
        *,
        skip_invalid: bool = False,
        actors: Sequence[str] | None = None,
    ) -> Added:
        """Store reports not stored yet (identity ``(feed, source_id)``); count the rest as duplicates.

        Each report is checked first (:func:`~safepassage.store.report_checks.report_problem`): one the
        database could not hold is set aside as :attr:`Added.rejected` when ``skip_invalid``, and the
        others are stored; without ``skip_invalid`` it raises :class:`InputError` naming it and
        nothing is written. ``actors`` (one per report) records each report's own actor in its event
        (several users' posts committed together); a report given twice is stored once, by the
        first one's actor.
        """
        if actors is not None and len(actors) != len(reports):
            raise StoreError(f"{len(actors)} actors for {len(reports)} reports")
        fresh: dict[tuple[str, str], IncidentReport] = {}
        raw_json: dict[tuple[str, str], str] = {}
        actor_of: dict[tuple[str, str], str] = {}
        problems: list[tuple[IncidentReport, str]] = []
        for k, report in enumerate(reports):
            problem, raw = checked_report(report)
            if problem is not None:
                problems.append((report, problem))
            elif report.key not in fresh:
                fresh[report.key] = report
                raw_json[report.key] = raw
                actor_of[report.key] = actors[k] if actors is not None else self.actor
        if problems and not skip_invalid:
            raise unstorable(problems, file_name)
        rejected = [RowError(file_name, r.line, f"not stored: {why}") for r, why in problems]
        by_feed: dict[str, list[str]] = {}
        for feed, source_id in fresh:
            by_feed.setdefault(feed, []).append(source_id)
        for feed, source_ids in by_feed.items():
            for start in range(0, len(source_ids), 500):
                chunk = source_ids[start : start + 500]
                existing = self.session.scalars(
                    select(Report.source_id).where(Report.feed == feed, Report.source_id.in_(chunk))
                )
                for source_id in existing:
                    del fresh[(feed, source_id)]
        new_reports = list(fresh.values())
        new_actors = [actor_of[r.key] for r in new_reports] if actors is not None else None
        sources = self._source_ids(new_reports, new_actors)
        rows = [
            {
                "feed": r.feed,
                "source_id": r.source_id,
                "reported_by_id": sources[(r.source_name, r.source_type.value)],
                "kind": r.kind.value,
                "observed_at": r.observed_at,
                "ended_at": r.ended_at,
                "lat": r.lat,
                "lon": r.lon,
                "radius_m": float(r.radius_m),
                "time_uncertainty_s": float(r.time_uncertainty_s),
                "verification": r.verification.value,
                "fatalities": r.fatalities,
                "location_name": r.location_name,
                "description": r.description,
                "file_name": file_name,
                "line": r.line,
                "raw_json": raw_json[r.key],
                "ingested_at": self.now,
            }
            for r in new_reports
        ]
        ids = self._insert(Report, rows, new_actors)
        return Added(
            tuple(ids),
            len(reports) - len(ids) - len(rejected),
            tuple(rejected),
            tuple(r.key for r in new_reports),
        )

    # -- incidents and reviews -----------------------------------------------------------------

    def add_incidents(self, incidents: Sequence[Incident]) -> Added:
        """Store merged incidents not stored yet (by the monitor's stable incident id) and their links."""
        keys = [i.id for i in incidents]
        known: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            known.update(self.session.scalars(select(IncidentRow.key).where(IncidentRow.key.in_(chunk))))
        fresh = [i for i in incidents if i.id not in known]
        report_ids = queries.report_ids_by_key(self.session, [k for i in fresh for k in i.report_keys])
        rows = [
            {
                "key": i.id,
                "kind": i.kind.value,
                "first_observed_at": i.first_observed_at,
                "last_observed_at": i.last_observed_at,
                "ended_at": i.ended_at,
                "lat": i.lat,
                "lon": i.lon,
                "radius_m": float(i.radius_m),
                "time_uncertainty_s": float(i.time_uncertainty_s),
                "corroboration": i.corroboration,
                "location_name": i.location_name,
                "fatalities_claims": [[name, deaths] for name, deaths in i.fatalities_claims],
                "merged_at": self.now,
            }
            for i in fresh
        ]
        ids = self._insert(IncidentRow, rows)
        links = []
        for incident_id, incident in zip(ids, fresh, strict=True):
            for key in incident.report_keys:
                if key not in report_ids:
                    raise UnknownIdError(
                        f"incident {incident.id}: report {key[0]}:{key[1]} is not in the store"
                    )
                links.append({"incident_id": incident_id, "report_id": report_ids[key]})
        self._insert(IncidentReportLink, links)
        return Added(tuple(ids), len(incidents) - len(ids))

    def review(
        self,
        *,
        report_id: int | None = None,
        incident_id: int | None = None,
        state: ReviewState,
        reviewer: str,
        reason: str,
        published: bool | None = None,
        claim: str = "",
    ) -> int:
        """Record a review decision on a report or an incident (exactly one of the two ids).

        ``published=None`` keeps the current publication flag. Raises :class:`InputError` for a step
        the review workflow does not allow and :class:`UnknownIdError` for an unknown subject.
        """
        if (report_id is None) == (incident_id is None):
            raise StoreError("a review is about exactly one report or one incident")
        if not reviewer.strip() or not reason.strip():
            raise StoreError("a review needs who decided (--by) and why (--why)")
        subject = f"report {report_id}" if report_id is not None else f"incident {incident_id}"
        if report_id is not None and self.session.get(Report, report_id) is None:
            raise UnknownIdError(f"no report with id {report_id}")
        if incident_id is not None and self.session.get(IncidentRow, incident_id) is None:
            raise UnknownIdError(f"no incident with id {incident_id}")
        current = queries.current_review(self.session, report_id=report_id, incident_id=incident_id)
        current_state = ReviewState(current.state) if current else ReviewState.DRAFT
        check_review_step(subject, current_state, state)
        keep_published = current.published if current else False
        row = {
            "report_id": report_id,
            "incident_id": incident_id,
            "state": state.value,
            "published": keep_published if published is None else published,
            "claim": claim,
            "reviewer": reviewer,
            "reason": reason,
            "reviewed_at": self.now,
        }
        return self._insert(Review, [row])[0]

    # -- figures -------------------------------------------------------------------------------

    def add_figure_claims(self, claims: Sequence[FigureClaim]) -> Added:
        """Store claims not stored yet; the same claim imported twice is one row."""
        rows: dict[str, dict[str, Any]] = {}
        for c in claims:
            content = {
                "what": c.what.value,
                "count": c.count,
                "lower_bound": c.lower_bound,
                "daily": c.daily,
                "scope": c.scope,
                "as_of": c.as_of.isoformat(),
                "source": c.source,
                "method": c.method.value,
                "verification": c.verification.value,
                "note": c.note,
            }
            key = hashlib.sha256(canonical_json(content).encode()).hexdigest()
            rows.setdefault(key, {**content, "as_of": c.as_of, "claim_key": key, "recorded_at": self.now})
        keys = list(rows)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for known in self.session.scalars(
                select(FigureClaimRow.claim_key).where(FigureClaimRow.claim_key.in_(chunk))
            ):
                del rows[known]
        ids = self._insert(FigureClaimRow, list(rows.values()))
        return Added(tuple(ids), len(claims) - len(ids))

    # -- corridors -----------------------------------------------------------------------------

    def add_corridors(self, announcements: Sequence[CorridorAnnouncement], file_name: str = "") -> Added:
        """Store announced corridors not stored yet (key ``peacerep:<HC_ID>``) with the status history
        their recorded proposer and outcome imply (:func:`safepassage.monitor.lifecycle.outcome_history`).
        """
        by_key = {f"peacerep:{a.hc_id}": a for a in announcements}
        known = set(self.session.scalars(select(Corridor.key).where(Corridor.key.in_(list(by_key)))))
        fresh = [(k, a) for k, a in by_key.items() if k not in known]
        rows = [
            {
                "key": key,
                "from_name": a.from_name,
                "from_lat": a.from_lat,
                "from_lon": a.from_lon,
                "to_name": a.to_name,
                "to_lat": a.to_lat,
                "to_lon": a.to_lon,
                "waypoints": [
                    {
                        "name": w.name,
                        "lat": w.lat,
                        "lon": w.lon,
                        "gazetteer_name": w.gazetteer_name,
                        "geonameid": w.geonameid,
                    }
                    for w in a.waypoints
                ],
                "waypoints_unplaced": list(a.waypoints_unplaced),
                "announced_on": a.announced_on,
                "window_start": a.ceasefire_start,
                "window_end": a.ceasefire_end,
                "proposed_by": a.proposed_by.value,
                "recorded_outcome": a.outcome.value,
                "outcome_raw": a.outcome_raw,
                "text": a.text,
                "links": list(a.links),
                "file_name": file_name,
                "line": a.line,
                "recorded_at": self.now,
            }
            for key, a in fresh
        ]
        ids = self._insert(Corridor, rows)
        steps = [
            {
                "corridor_id": corridor_id,
                "status": status.value,
                "reason": f"{reason} ({Path(file_name).name or 'import'} line {a.line})",
                "changed_by": self.actor,
                "changed_at": self.now,
            }
            for corridor_id, (_, a) in zip(ids, fresh, strict=True)
            for status, reason in outcome_history(a)
        ]
        self._insert(CorridorStatusChange, steps)
        return Added(tuple(ids), len(announcements) - len(ids))

    def add_scenario_corridors(self, scenario: ScenarioModel, file_name: str = "") -> dict[str, str]:
        """Store the corridors a scenario file defines, keyed ``scenario:<sha12>:<id>``, with the
        status the scenario gives them; returns scenario corridor id -> store key.

        The same scenario stored twice adds nothing (the keys are stable).
        """
        digest = scenario.content_sha256[:12] or "inline"
        keys = {c.id: f"scenario:{digest}:{c.id}" for c in scenario.corridors}
        known = set(self.session.scalars(select(Corridor.key).where(Corridor.key.in_(list(keys.values())))))
        fresh = [c for c in scenario.corridors if keys[c.id] not in known]
        rows = []
        for c in fresh:
            window = min(c.ceasefire_windows, key=lambda w: w.start) if c.ceasefire_windows else None
            rows.append(
                {
                    "key": keys[c.id],
                    "from_name": c.route[0].name or c.name,
                    "from_lat": c.route[0].lat,
                    "from_lon": c.route[0].lon,
                    "to_name": c.route[-1].name or c.name,
                    "to_lat": c.route[-1].lat,
                    "to_lon": c.route[-1].lon,
                    "waypoints": [{"name": w.name, "lat": w.lat, "lon": w.lon} for w in c.route],
                    "waypoints_unplaced": [],
                    "announced_on": scenario.start.date(),
                    "window_start": window.start if window else None,
                    "window_end": window.end if window else None,
                    "proposed_by": "scenario",
                    "recorded_outcome": "unknown",
                    "outcome_raw": "",
                    "text": c.name,
                    "links": [],
                    "file_name": file_name,
                    "line": 0,
                    "recorded_at": self.now,
                }
            )
        ids = self._insert(Corridor, rows)
        self._insert(
            CorridorStatusChange,
            [
                {
                    "corridor_id": corridor_id,
                    "status": c.status.value,
                    "reason": f"as given in scenario {scenario.name!r} ({Path(file_name).name or 'inline'})",
                    "changed_by": self.actor,
                    "changed_at": self.now,
                }
                for corridor_id, c in zip(ids, fresh, strict=True)
            ],
        )
        return keys

    def set_corridor_status(self, corridor_id: int, status: CorridorStatus, reason: str) -> int:
        """Append a lifecycle step (checked by :func:`safepassage.monitor.lifecycle.check_transition`)."""
        corridor = self.session.get(Corridor, corridor_id)
        if corridor is None:
            raise UnknownIdError(f"no corridor with id {corridor_id}")
        current = queries.current_corridor_status(self.session, corridor_id)
        try:
            check_transition(current, status, reason)
        except InputError as exc:
            raise InputError(
                f"corridor {corridor_id} ({corridor.from_name} -> {corridor.to_name}): {exc}"
            ) from None
        row = {
            "corridor_id": corridor_id,
            "status": status.value,
            "reason": reason,
            "changed_by": self.actor,
            "changed_at": self.now,
        }
        return self._insert(CorridorStatusChange, [row])[0]

    # -- verdicts, plans, scenarios, notifications ---------------------------------------------

    def add_verdicts(self, verdicts: Sequence[Verdict]) -> list[int]:
        """Store verdicts; ``Verdict.corridor_id`` is the corridor key (e.g. ``peacerep:12``) or id."""
        corridor_ids = queries.corridor_ids_by_key(self.session, [v.corridor_id for v in verdicts])
        rows = []
        for v in verdicts:
            if v.corridor_id not in corridor_ids:
                raise UnknownIdError(f"verdict for unknown corridor {v.corridor_id!r}")
            rows.append(
                {
                    "corridor_id": corridor_ids[v.corridor_id],
                    "window_start": v.window_start,
                    "window_end": v.window_end,
                    "outcome": v.outcome.value,
                    "violation_score": float(v.violation_score),
                    "confidence": float(v.confidence),
                    "evidence": [
                        {
                            "incident_id": e.incident_id,
                            "sources": list(e.sources),
                            "distance_to_route_m": float(e.distance_to_route_m),
                            "observed_at": e.observed_at.astimezone(dt.UTC).isoformat(),
                            "weight": float(e.weight),
                            "kind": e.kind.value,
                            "decisive": e.decisive,
                            **{f: getattr(e, f) for f in ("what", "where", "when", "who", "how_sure")},
                        }
                        for e in v.evidence
                    ],
                    "rule_version": v.rule_version,
                    "reason": v.reason,
                    "judged_at": self.now,
                }
            )
        return self._insert(VerdictRow, rows)

    def add_scenario(self, name: str, document: Mapping[str, Any]) -> int:
        """Store a scenario document (JSON-able); the same content stored twice is one row."""
        digest = hashlib.sha256(canonical_json(document).encode()).hexdigest()
        existing = self.session.scalar(select(Scenario.id).where(Scenario.content_sha256 == digest))
        if existing is not None:
            return int(existing)
        row = {
            "name": name,
            "content_sha256": digest,
            "document": dict(document),
            "recorded_by": self.actor,
            "recorded_at": self.now,
        }
        return self._insert(Scenario, [row])[0]

    def add_plan(
        self,
        document: Mapping[str, Any],
        reason: str,
        scenario_id: int | None = None,
        replaces_plan_id: int | None = None,
    ) -> int:
        """Store a plan document and why it was made (a re-plan names the plan it replaces)."""
        row = {
            "scenario_id": scenario_id,
            "replaces_plan_id": replaces_plan_id,
            "reason": reason,
            "document": dict(document),
            "created_at": self.now,
        }
        return self._insert(Plan, [row])[0]

    def add_schedule(self, document: Mapping[str, Any], reason: str, scenario_id: int | None = None) -> int:
        """Store a vehicle schedule document (``safepassage-schedule/1``) and why it was made."""
        row = {
            "scenario_id": scenario_id,
            "reason": reason,
            "document": dict(document),
            "created_at": self.now,
        }
        return self._insert(ScheduleRow, [row])[0]

    def add_notification(self, topic: str, recipient: str, message: str) -> int:
        """Record a notification owed to ``recipient``."""
        row = {"topic": topic, "recipient": recipient, "message": message, "created_at": self.now}
        return self._insert(Notification, [row])[0]

    # -- API users -----------------------------------------------------------------------------

    def add_api_user(self, name: str, role: str, token_sha256: str) -> int:
        """Record an API user with the SHA-256 of their token (never the token)."""
        row = {"name": name, "role": role, "token_sha256": token_sha256, "created_at": self.now}
        return self._insert(ApiUser, [row])[0]

    def revoke_api_user(self, user_id: int, reason: str) -> int:
        """Record that a user's token no longer works; raises :class:`UnknownIdError` for an unknown id."""
        if self.session.get(ApiUser, user_id) is None:
            raise UnknownIdError(f"no API user with id {user_id}")
        row = {"user_id": user_id, "reason": reason, "revoked_at": self.now}
        return self._insert(ApiUserRevocation, [row])[0]


class Store:
    """A migrated database: :meth:`writing` for writes (with events), :meth:`reading` for reads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        """Open the database at ``url`` (default: ``$SAFEPASSAGE_DB`` or ``./safepassage.sqlite``)."""
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self, actor: str) -> Iterator[Writer]:
        """One write transaction by ``actor``: committed on normal exit, rolled back on error."""
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield Writer(session, actor, lock_chain_head(session))
        except SQLAlchemyError as exc:
            raise StoreError(f"the database refused the write ({self.engine.url!r}): {exc}") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading one consistent state of the database (a snapshot).

        Every query in the session sees the database as it was at the first one, whatever other
        processes commit meanwhile: SQLite runs them in one read transaction (WAL mode keeps the
        snapshot while writers go on), PostgreSQL in one ``REPEATABLE READ`` transaction. So a reader
        (``audit verify``, a merge) never sees half of a batch written during its reads. Objects
        loaded through it stay readable after it is closed.
        """
        try:
            with self.engine.connect() as connection:
                if connection.dialect.name == "sqlite":
                    # pysqlite begins transactions only before writes; begin the read one by hand
                    connection.exec_driver_sql("BEGIN")
                else:
                    connection.execution_options(isolation_level="REPEATABLE READ")
                with Session(bind=connection, expire_on_commit=False) as session:
                    yield session
                connection.rollback()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read the database ({self.engine.url!r}): {exc}") from exc
