"""Alembic migrations of the Safe Passage store (run by :mod:`safepassage.store.migrate`)."""
