"""Figures and audit use cases on a real SQLite store: claims kept side by side (never averaged),
the event log verified, anchored and read back."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from safepassage.errors import AuditError, InputError
from safepassage.monitor.records import CountMethod, FigureClaim, FigureKind
from safepassage.scenario.vocabulary import Verification
from safepassage.services import audit, figures
from safepassage.store import Store
from services._data import SEED_FIGURES


def test_imported_claims_stand_side_by_side_with_their_range(store: Store) -> None:
    imported = figures.import_figures(store, SEED_FIGURES, "analyst")
    assert imported.claims_read == imported.added.new > 0
    assert imported.problems == ()
    assert figures.import_figures(store, SEED_FIGURES, "analyst").added.new == 0
    killed = figures.figures_side_by_side(store, what=FigureKind.KILLED)
    assert killed.stored >= 2
    on_the_3rd = next(c for c in killed.comparisons if c.as_of == dt.date(2022, 3, 3))
    counts = sorted(c.count for c in on_the_3rd.claims)
    assert counts[0] == 249  # OHCHR confirmed only
    assert 2000 in counts  # "more than 2,000", State Emergency Service
    assert (on_the_3rd.low, on_the_3rd.high) == (counts[0], counts[-1])
    assert on_the_3rd.sources_disagree
    later = figures.figures_side_by_side(store, since=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert later.stored == imported.claims_read  # stored, but none that late
    assert later.comparisons == ()


def test_one_claim_added_twice_is_stored_once(store: Store) -> None:
    claim = FigureClaim(
        what=FigureKind.EVACUATED,
        count=4331,
        source="Deputy Prime Minister",
        method=CountMethod.ESTIMATE,
        as_of=dt.date(2022, 3, 9),
        verification=Verification.UNVERIFIED,
    )
    assert figures.add_figure(store, claim, "analyst").new == 1
    assert figures.add_figure(store, claim, "analyst").new == 0
    table = figures.figures_side_by_side(store, what=FigureKind.EVACUATED)
    assert [[c.count for c in cmp.claims] for cmp in table.comparisons] == [[4331]]


def test_verify_anchor_and_log(store: Store, tmp_path: Path) -> None:
    figures.import_figures(store, SEED_FIGURES, "analyst")
    summary = audit.verify_log(store)
    assert summary.events == summary.rows == summary.head_seq > 0
    assert summary.anchor_seq is None
    taken = audit.take_anchor(store, tmp_path / "anchor.json")
    assert taken.written_to == tmp_path / "anchor.json"
    assert json.loads(taken.document) == json.loads((tmp_path / "anchor.json").read_text(encoding="utf-8"))
    assert taken.summary.head_sha256 == summary.head_sha256
    checked = audit.verify_log(store, str(tmp_path / "anchor.json"))
    assert checked.anchor_seq == summary.head_seq
    assert audit.verify_log(store, summary.head_sha256).anchor_seq == summary.head_seq
    newest = audit.audit_log(store, 2)
    assert [e.seq for e in newest] == [summary.head_seq - 1, summary.head_seq]
    assert newest[-1].sha256 == summary.head_sha256
    assert {e.actor for e in newest} == {"analyst"}
    assert {e.table_name for e in audit.audit_log(store, 50, "figure_claims")} == {"figure_claims"}


def test_an_anchor_to_a_missing_folder_is_an_input_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write the anchor"):
        audit.take_anchor(store, tmp_path / "missing" / "anchor.json")


def test_an_edited_row_breaks_the_audit(store: Store, tmp_path: Path) -> None:
    figures.import_figures(store, SEED_FIGURES, "analyst")
    with closing(sqlite3.connect(tmp_path / "services.sqlite")) as raw, raw:  # behind the log's back
        raw.execute("UPDATE figure_claims SET count = 1 WHERE id = 1")
    with pytest.raises(AuditError, match="figure_claims"):
        audit.verify_log(store)
