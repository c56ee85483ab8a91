"""Figures use cases: import claimed counts, add one, compare them side by side (never averaged)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from safepassage.monitor.figures import iter_figures, side_by_side
from safepassage.monitor.records import FigureClaim, FigureKind
from safepassage.monitor.report import RowError
from safepassage.services.records import FigureImport, FigureTable
from safepassage.store import Added, Store, queries

__all__ = ["add_figure", "figures_side_by_side", "import_figures"]


def import_figures(store: Store, path: Path, actor: str) -> FigureImport:
    """Import a UNHCR series or a claims CSV (what,count,source,...); idempotent.

    Malformed rows are returned, not stored; :class:`~safepassage.errors.InputError` for an
    unreadable file.
    """
    claims: list[FigureClaim] = []
    problems: list[RowError] = []
    for item in iter_figures(path):
        if isinstance(item, RowError):
            problems.append(item)
        else:
            claims.append(item)
    with store.writing(actor) as writer:
        added = writer.add_figure_claims(claims)
    return FigureImport(len(claims), added, tuple(problems))


def add_figure(store: Store, claim: FigureClaim, actor: str) -> Added:
    """Record one claimed count (e.g. the UN's confirmed-only toll beside an official estimate);
    the same claim twice is stored once (``Added.new`` 0)."""
    with store.writing(actor) as writer:
        return writer.add_figure_claims([claim])


def figures_side_by_side(
    store: Store, *, what: FigureKind | None = None, since: dt.datetime | None = None
) -> FigureTable:
    """Stored claims (of kind ``what``; as of ``since``'s day or later) grouped by what, day and
    scope, every claim beside the others with their range."""
    with store.reading() as session:
        claims = queries.figure_claim_records(session, what)
    stored = len(claims)
    if since is not None:
        claims = [c for c in claims if c.as_of >= since.date()]
    return FigureTable(stored, tuple(side_by_side(claims)) if claims else ())
