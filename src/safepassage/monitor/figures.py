"""The figures ledger: claimed counts by source, laid side by side, never averaged.

Casualty and displacement figures disagree by design: the UN human rights office counts only
casualties it has confirmed one by one (an undercount it says so itself), a state emergency service
reports what its crews saw or were told (unverified, often higher). Averaging the two would produce
a number nobody claimed. So the ledger keeps every claim with its method, date, verification and
scope, and :func:`side_by_side` lines them up per (what, date) with the range of the claims - the
disagreement stays visible.

Inputs:

- **UNHCR series** (``../shared/data/figures/``): ``data_date`` ("March 3, 2022") with
  ``cumulative_individuals``/``daily_individuals`` (refugees from Ukraine) or
  ``cumulative_refugees``/``daily_refugees`` (crossings into Poland). Each row gives a cumulative
  and a daily claim. Method ``estimate``: UNHCR tallies border crossings reported by national
  authorities (people who cross twice or return are not netted out), not unique persons;
  verification ``verified`` (an official UN series compiled from registered crossings).
- **Claims CSV** (a coordinator's own ledger, as in ``tests/monitor/fixtures/seed_figures.csv``):
  columns ``what`` (killed, injured, evacuated, refugees), ``count``, ``source``, ``method``
  (confirmed_only, estimate), ``as_of`` (ISO date), ``verification`` (unverified, verified,
  disputed, rejected), and optional ``note``, ``scope``, ``lower_bound`` (true for "more than N"),
  ``daily`` (true for a per-day count).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from safepassage.errors import FeedError
from safepassage.monitor.feeds._csvrows import CsvRow, iter_csv_rows
from safepassage.monitor.feeds._fields import parse_count
from safepassage.monitor.records import CountMethod, FigureClaim, FigureKind
from safepassage.monitor.report import RowError
from safepassage.scenario.vocabulary import Verification

__all__ = ["FigureComparison", "iter_claims_csv", "iter_figures", "iter_unhcr_series", "side_by_side"]

UNHCR_SOURCE = "UNHCR"
_UNHCR_SERIES = {
    # cumulative column, daily column, scope
    frozenset({"data_date", "cumulative_individuals", "daily_individuals"}): (
        "cumulative_individuals",
        "daily_individuals",
        "refugees from Ukraine (all neighbouring countries)",
    ),
    frozenset({"data_date", "cumulative_refugees", "daily_refugees"}): (
        "cumulative_refugees",
        "daily_refugees",
        "crossed from Ukraine into Poland",
    ),
}
_UNHCR_NOTE = "border crossings reported by national authorities; not unique persons, returns not netted out"
_CLAIM_COLUMNS = frozenset({"what", "count", "source", "method", "as_of", "verification"})


@dataclass(frozen=True)
class FigureComparison:
    """All claims about one count on one date, side by side, with their range (never a mean)."""

    what: FigureKind
    as_of: dt.date
    claims: tuple[FigureClaim, ...]  # sorted by scope, source, cumulative before daily
    low: int
    high: int

    @property
    def sources_disagree(self) -> bool:
        """True when claims of the same scope and kind of count differ."""
        seen: dict[tuple[str, bool], set[int]] = defaultdict(set)
        for claim in self.claims:
            seen[(claim.scope, claim.daily)].add(claim.count)
        return any(len(counts) > 1 for counts in seen.values())


def side_by_side(claims: Iterable[FigureClaim]) -> list[FigureComparison]:
    """Claims grouped per (what, as_of), sorted by date then kind; each group keeps every claim."""
    groups: dict[tuple[FigureKind, dt.date], list[FigureClaim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.what, claim.as_of)].append(claim)
    comparisons = []
    for (what, as_of), members in groups.items():
        members.sort(key=lambda c: (c.scope, c.source, c.daily, c.count))
        counts = [c.count for c in members]
        comparisons.append(FigureComparison(what, as_of, tuple(members), min(counts), max(counts)))
    comparisons.sort(key=lambda c: (c.as_of, c.what.value))
    return comparisons


def iter_figures(path: Path) -> Iterator[FigureClaim | RowError]:
    """Claims from a UNHCR series or a claims CSV, told apart by the header."""
    columns = _header_columns(path)
    if any(signature <= columns for signature in _UNHCR_SERIES):
        return iter_unhcr_series(path)
    if columns >= _CLAIM_COLUMNS:
        return iter_claims_csv(path)
    raise FeedError(
        f"{path}: not a figures file; expected a UNHCR series (data_date, cumulative_..., daily_...) "
        f"or a claims CSV ({', '.join(sorted(_CLAIM_COLUMNS))})"
    )


def iter_unhcr_series(path: Path) -> Iterator[FigureClaim | RowError]:
    """A cumulative and a daily refugees claim per row of a UNHCR series CSV."""
    columns = _header_columns(path)
    series = next((value for key, value in _UNHCR_SERIES.items() if key <= columns), None)
    if series is None:
        raise FeedError(f"{path}: not a UNHCR series; expected data_date with cumulative_/daily_ columns")
    cumulative_column, daily_column, scope = series
    for item in iter_csv_rows(
        path, frozenset({"data_date", cumulative_column, daily_column}), "UNHCR series"
    ):
        if isinstance(item, RowError):
            yield item
            continue
        try:
            yield from _unhcr_claims(item, cumulative_column, daily_column, scope)
        except ValueError as exc:
            yield RowError(str(path), item.line, str(exc))


def _unhcr_claims(row: CsvRow, cumulative_column: str, daily_column: str, scope: str) -> list[FigureClaim]:
    text = row.fields["data_date"].strip()
    try:
        as_of = dt.datetime.strptime(text, "%B %d, %Y").date()
    except ValueError:
        raise ValueError(f"data_date {text!r} is not a date like 'March 3, 2022'") from None
    claims = []
    for column, daily in ((cumulative_column, False), (daily_column, True)):
        count = parse_count(row.fields[column], column)
        if count is None:
            continue
        claims.append(
            FigureClaim(
                what=FigureKind.REFUGEES,
                count=count,
                source=UNHCR_SOURCE,
                method=CountMethod.ESTIMATE,
                as_of=as_of,
                verification=Verification.VERIFIED,
                note=_UNHCR_NOTE,
                scope=scope,
                daily=daily,
            )
        )
    return claims


def iter_claims_csv(path: Path) -> Iterator[FigureClaim | RowError]:
    """Claims from a ledger CSV with the columns in the module docstring."""
    for item in iter_csv_rows(path, _CLAIM_COLUMNS, "figures claims"):
        if isinstance(item, RowError):
            yield item
            continue
        try:
            yield _claim(item)
        except ValueError as exc:
            yield RowError(str(path), item.line, str(exc))


def _claim(row: CsvRow) -> FigureClaim:
    f = row.fields
    count = parse_count(f["count"], "count")
    if count is None:
        raise ValueError("count is empty")
    if not f["source"].strip():
        raise ValueError("source is empty; every claim needs who made it")
    try:
        as_of = dt.date.fromisoformat(f["as_of"].strip())
    except ValueError:
        raise ValueError(f"as_of {f['as_of']!r} is not an ISO date such as 2022-03-03") from None
    return FigureClaim(
        what=_choice(FigureKind, f["what"], "what"),
        count=count,
        source=f["source"].strip(),
        method=_choice(CountMethod, f["method"], "method"),
        as_of=as_of,
        verification=_choice(Verification, f["verification"], "verification"),
        note=f.get("note", "").strip(),
        scope=f.get("scope", "").strip() or "Ukraine",
        lower_bound=_flag(f.get("lower_bound", ""), "lower_bound"),
        daily=_flag(f.get("daily", ""), "daily"),
    )


_E = TypeVar("_E", FigureKind, CountMethod, Verification)


def _choice(enum: type[_E], text: str, name: str) -> _E:
    try:
        return enum(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not one of: {', '.join(m.value for m in enum)}") from None


def _flag(text: str, name: str) -> bool:
    value = text.strip().casefold()
    if value in ("", "false", "no", "0"):
        return False
    if value in ("true", "yes", "1"):
        return True
    raise ValueError(f"{name} {text!r} is not true or false")


def _header_columns(path: Path) -> frozenset[str]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            first = handle.readline()
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the figures file ({exc.strerror or exc})") from exc
    return frozenset(name.strip().strip('"') for name in first.strip().split(","))
