"""The Safe Passage store: SQLite or PostgreSQL through SQLAlchemy 2, migrated with Alembic.

Which database: ``SAFEPASSAGE_DB`` (``sqlite:///PATH`` or ``postgresql+psycopg://USER@HOST/DB``;
``postgresql://`` is accepted), else ``./safepassage.sqlite``. Opening migrates to the current
schema. Every write goes through one transaction-scoped API and lands in a hash-chained event log::

    with Store.open() as store:
        with store.writing("olena") as writer:          # one transaction, one actor
            added = writer.add_reports(reports, "acled.csv")   # idempotent on (feed, source_id)
        merge_pending(store, "olena")                   # merge reports no incident links yet
        with store.reading() as session:                # one consistent snapshot
            summary = verify_chain(session)             # raises AuditError naming what was tampered

- :mod:`~safepassage.store.database`: which database (``SAFEPASSAGE_DB``), engine and SQLite pragmas.
- :mod:`~safepassage.store.schema`: the insert-only tables.
- :mod:`~safepassage.store.audit`: the hash-chained event log and its verification.
- :mod:`~safepassage.store.anchor`: anchors of the log (its head, kept elsewhere) to check it against.
- :mod:`~safepassage.store.stored_rows`: reading rows as stored, even ones their columns cannot hold.
- :mod:`~safepassage.store.repository`: :class:`Store` and the one write API, :class:`Writer`.
- :mod:`~safepassage.store.report_checks`: what a report must satisfy before it is written.
- :mod:`~safepassage.store.ingest`: one feed file into the store, batch by batch.
- :mod:`~safepassage.store.merging`: merging reports into incidents, and which still wait for it.
- :mod:`~safepassage.store.queries`: reads (current states, listings, records for the monitor).
- :mod:`~safepassage.store.documents`: reads of scenarios, plans, verdicts and notifications as records.
- :mod:`~safepassage.store.review_workflow`: the review workflow of reports and incidents.
- :mod:`~safepassage.store.migrate`: Alembic migrations shipped in ``migrations/``.
"""

from safepassage.store.audit import Anchor, AuditSummary, verify_chain
from safepassage.store.database import database_url, make_engine
from safepassage.store.documents import NotificationRecord, StoredPlan, StoredScenario, StoredVerdict
from safepassage.store.ingest import CommittedBatch, FeedTally, ingest_feed
from safepassage.store.merging import MergeOutcome, merge_pending, pending_merge
from safepassage.store.repository import Added, Store, Writer
from safepassage.store.review_workflow import ReviewState

__all__ = [
    "Added",
    "Anchor",
    "AuditSummary",
    "CommittedBatch",
    "FeedTally",
    "MergeOutcome",
    "NotificationRecord",
    "ReviewState",
    "Store",
    "StoredPlan",
    "StoredScenario",
    "StoredVerdict",
    "Writer",
    "database_url",
    "ingest_feed",
    "make_engine",
    "merge_pending",
    "pending_merge",
    "verify_chain",
]
