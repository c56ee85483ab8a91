"""The Safe Passage store: SQLite or PostgreSQL through SQLAlchemy 2, migrated with Alembic.

- :mod:`~safepassage.store.database`: which database (``SAFEPASSAGE_DB``), engine and SQLite pragmas.
- :mod:`~safepassage.store.schema`: the insert-only tables.
- :mod:`~safepassage.store.audit`: the hash-chained event log and its verification.
- :mod:`~safepassage.store.repository`: :class:`Store` and the one write API, :class:`Writer`.
- :mod:`~safepassage.store.queries`: reads (current states, listings, records for the monitor).
- :mod:`~safepassage.store.review_workflow`: the review workflow of reports and incidents.
- :mod:`~safepassage.store.migrate`: Alembic migrations shipped in ``migrations/``.
"""

from safepassage.store.audit import AuditSummary, verify_chain
from safepassage.store.database import database_url, make_engine
from safepassage.store.repository import Added, Store, Writer
from safepassage.store.review_workflow import ReviewState

__all__ = [
    "Added",
    "AuditSummary",
    "ReviewState",
    "Store",
    "Writer",
    "database_url",
    "make_engine",
    "verify_chain",
]
