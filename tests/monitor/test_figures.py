"""The figures ledger: the seed article's claims, the UNHCR series, side by side without averaging.

``fixtures/seed_figures.csv`` holds the claims of the seed article (ITV News, Thursday 3 March 2022):
"the UN human rights office said 249 civilians have been killed and 553 injured ... a vast undercount
- the UN ... counts only confirmed casualties"; "the state emergency service said more than 2,000
civilians have died ... not independently verified"; "around one million refugees have fled Ukraine,
the UN said".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safepassage.errors import FeedError
from safepassage.monitor.figures import iter_figures, side_by_side
from safepassage.monitor.records import CountMethod, FigureClaim, FigureKind
from safepassage.monitor.report import RowError
from safepassage.scenario.vocabulary import Verification

from ._shared import FIXTURES, UNHCR_POLAND, UNHCR_TOTAL, shared_file

MARCH_3 = dt.date(2022, 3, 3)


def _claims(path: Path) -> list[FigureClaim]:
    items = list(iter_figures(path))
    assert not [i for i in items if isinstance(i, RowError)]
    return [i for i in items if isinstance(i, FigureClaim)]


def test_seed_claims_sit_side_by_side_and_are_never_averaged() -> None:
    seed = _claims(FIXTURES / "seed_figures.csv")
    (killed,) = [c for c in side_by_side(seed) if c.what is FigureKind.KILLED]
    assert killed.as_of == MARCH_3
    assert [(c.source, c.count) for c in killed.claims] == [
        ("State Emergency Service of Ukraine", 2000),
        ("UN human rights office (OHCHR)", 249),
    ]
    assert (killed.low, killed.high) == (249, 2000)
    assert killed.sources_disagree
    ses, un = killed.claims
    assert un.method is CountMethod.CONFIRMED_ONLY
    assert un.verification is Verification.VERIFIED
    assert "undercount" in un.note
    assert ses.lower_bound
    assert ses.verification is Verification.UNVERIFIED


def test_unhcr_series_import_daily_and_cumulative() -> None:
    total = _claims(shared_file(UNHCR_TOTAL))
    poland = _claims(shared_file(UNHCR_POLAND))
    assert len(total) == 2 * 82
    assert len(poland) == 2 * 95
    march_3 = [c for c in total if c.as_of == MARCH_3 and not c.daily]
    assert [c.count for c in march_3] == [1_173_321]
    assert march_3[0].method is CountMethod.ESTIMATE


def test_seed_refugee_claim_beside_unhcr_series_on_the_same_day() -> None:
    claims = _claims(FIXTURES / "seed_figures.csv") + _claims(shared_file(UNHCR_TOTAL))
    claims += _claims(shared_file(UNHCR_POLAND))
    (refugees,) = [c for c in side_by_side(claims) if c.what is FigureKind.REFUGEES and c.as_of == MARCH_3]
    cumulative = [(c.source, c.scope, c.count) for c in refugees.claims if not c.daily]
    assert ("UNHCR", "crossed from Ukraine into Poland", 643_773) in cumulative
    assert ("UNHCR", "refugees from Ukraine (all neighbouring countries)", 1_173_321) in cumulative
    assert (
        "UN (as quoted by ITV News)",
        "refugees from Ukraine (all neighbouring countries)",
        1_000_000,
    ) in (cumulative)
    assert refugees.sources_disagree


def test_bad_claim_rows_are_reported_with_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "what,count,source,method,as_of,verification\n"
        "killed,12,OHCHR,confirmed_only,2022-03-04,verified\n"
        "killed,many,SES,estimate,2022-03-04,unverified\n"
        "wounded,3,SES,estimate,2022-03-04,unverified\n",
        encoding="utf-8",
    )
    items = list(iter_figures(path))
    errors = [i for i in items if isinstance(i, RowError)]
    assert [(e.line, e.reason) for e in errors] == [
        (3, "count 'many' is not a whole number"),
        (4, "what 'wounded' is not one of: killed, injured, evacuated, refugees"),
    ]


def test_unknown_figures_file_is_a_feed_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FeedError, match="not a figures file"):
        iter_figures(path)
