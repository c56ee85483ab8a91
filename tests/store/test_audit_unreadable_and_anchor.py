"""The audit never lies: unreadable rows are tampering (exit 8, named), and an anchor kept elsewhere
reveals a log cut back to an earlier head - which the chain alone cannot."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.errors import AuditError, InputError
from safepassage.monitor.report import IncidentReport
from safepassage.store import Store, verify_chain
from safepassage.store.anchor import parse_anchor
from safepassage.store.audit import Anchor, AuditSummary

Make = Callable[..., IncidentReport]
runner = CliRunner()


def _fill(store: Store, make_report: Make) -> AuditSummary:
    """Events: seq 1 the source, 2-6 reports r0-r4 (ids 1-5), 7 a notification."""
    with store.writing("alice") as writer:
        writer.add_reports([make_report(f"r{i}", fatalities=i) for i in range(5)], "feed.csv")
    with store.writing("bob") as writer:
        writer.add_notification("violation", "coordinators", "shelling on the Mariupol route")
    return _passes(store)


def _passes(store: Store, anchor: Anchor | None = None) -> AuditSummary:
    with store.reading() as session:
        return verify_chain(session, anchor)


def _fails(store: Store, anchor: Anchor | None = None) -> str:
    with store.reading() as session, pytest.raises(AuditError) as info:
        verify_chain(session, anchor)
    assert info.value.exit_code == 8
    return info.value.message


def _sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


# -- unreadable rows ------------------------------------------------------------------------------


def _tamper_unreadably(store: Store, column: str, source_id: str) -> str:
    """Put a value the column cannot be read as; return how the audit shows it."""
    sqlite = store.engine.dialect.name == "sqlite"
    value = {
        "lat": ("'abc'", "'abc'") if sqlite else ("'NaN'", "nan"),
        "observed_at": ("'garbage'", "'garbage'") if sqlite else ("'infinity'", "'infinity'"),
        "fatalities": ("'many'", "'many'") if sqlite else ("NULL", "NULL"),  # PG enforces the type
        "radius_m": ("x'00ff'", "b'\\x00\\xff'") if sqlite else ("'-Infinity'", "-inf"),
    }[column]
    _sql(store, f"UPDATE reports SET {column} = {value[0]} WHERE source_id = '{source_id}'")
    return value[1]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("lat", "a finite number"),
        ("observed_at", "a time"),
        ("fatalities", "a whole number"),
        ("radius_m", "a finite number"),
    ],
)
def test_an_unreadable_row_is_named_as_tampering(
    store: Store, make_report: Make, column: str, expected: str
) -> None:
    _fill(store, make_report)
    shown = _tamper_unreadably(store, column, "r2")
    message = _fails(store)
    if shown == "NULL":  # PostgreSQL keeps integers integers: the edit shows as a changed value
        assert "reports row 3: edited after it was written (event seq 4): fatalities is null" in message
        return
    assert (
        f"reports row 3: unreadable, edited behind Safe Passage's back (written by event seq 4): "
        f"{column} holds {shown}, expected {expected}"
    ) in message
    assert message.count("\n- ") == 1  # only that row; the rest of the table was still checked


def test_unreadable_rows_in_several_tables_and_the_log_are_all_named(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _tamper_unreadably(store, "observed_at", "r0")
    _tamper_unreadably(store, "lat", "r4")
    garbage = "'garbage'" if store.engine.dialect.name == "sqlite" else "'infinity'"
    _sql(store, f"UPDATE events SET at = {garbage} WHERE seq = 3")
    message = _fails(store)
    assert "reports row 1: unreadable" in message
    assert "reports row 5: unreadable" in message
    assert f"events row seq 3: unreadable, edited behind Safe Passage's back: at holds {garbage}" in message


def test_an_event_payload_that_is_not_json_does_not_stop_the_audit(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(
        store,
        "UPDATE events SET payload = 'not json' WHERE seq = 5",
        "UPDATE reports SET description = 'edited' WHERE source_id = 'r3'",
    )
    message = _fails(store)
    assert "events row seq 5: payload edited" in message
    assert "reports row 4: edited after it was written (event seq 5): content differs from the log" in message


def test_cli_audit_verify_exits_8_on_an_unreadable_row(
    db_url: str, make_report: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(db_url) as store:
        _fill(store, make_report)
        _tamper_unreadably(store, "observed_at", "r1")
    monkeypatch.setenv("SAFEPASSAGE_DB", db_url)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 8, result.output
    assert "reports row 2: unreadable" in " ".join(result.stderr.split())


# -- truncation and anchors -----------------------------------------------------------------------


def _write_three_more(store: Store, make_report: Make, prefix: str = "late") -> None:
    with store.writing("alice") as writer:
        writer.add_reports([make_report(f"{prefix}{i}") for i in range(3)], "late.csv")


def _truncate_to(store: Store, seq: int, last_report_id: int) -> None:
    """Delete the newest rows and their events and move the head back: a consistent shorter log."""
    _sql(
        store,
        f"DELETE FROM reports WHERE id > {last_report_id}",
        f"DELETE FROM events WHERE seq > {seq}",
        f"UPDATE chain_head SET seq = {seq}, sha256 = (SELECT sha256 FROM events WHERE seq = {seq})",
    )


def test_a_truncated_log_passes_alone_and_fails_against_an_anchor(store: Store, make_report: Make) -> None:
    early = _fill(store, make_report)
    _write_three_more(store, make_report)
    late = _passes(store)
    assert (early.head_seq, late.head_seq) == (7, 10)

    _truncate_to(store, 7, 5)
    assert _passes(store).head_seq == 7  # what a hash chain alone cannot see
    message = _fails(store, Anchor(late.head_seq, late.head_sha256))
    assert "anchor (seq 10, sha256 " in message
    assert "the log ends at seq 7: entries seq 8-10 (and the rows they wrote) were removed" in message
    message = _fails(store, Anchor(None, late.head_sha256))
    assert "no entry of the log has that hash (the log ends at seq 7)" in message
    # nothing before the earlier anchor was removed
    assert _passes(store, Anchor(early.head_seq, early.head_sha256)).anchor_seq == 7
    assert _passes(store, Anchor(None, early.head_sha256)).anchor_seq == 7


def test_a_log_cut_back_and_written_again_fails_against_an_anchor(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _write_three_more(store, make_report)
    late = _passes(store)
    _truncate_to(store, 7, 5)
    _write_three_more(store, make_report, prefix="other")  # seq 8-10 again, other content
    again = _passes(store)
    assert again.head_seq == 10
    assert again.head_sha256 != late.head_sha256
    message = _fails(store, Anchor(10, late.head_sha256))
    assert "entry seq 10 no longer has the anchored hash" in message


def test_an_anchor_of_the_empty_log_always_holds(store: Store, make_report: Make) -> None:
    empty = _passes(store)
    _fill(store, make_report)
    assert _passes(store, Anchor(empty.head_seq, empty.head_sha256)).events == 7


def test_cli_anchor_then_truncation_exits_8_naming_what_is_missing(
    db_url: str, make_report: Make, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAFEPASSAGE_DB", db_url)
    with Store.open(db_url) as store:
        _fill(store, make_report)
        _write_three_more(store, make_report)
    anchor_file = tmp_path / "anchor.json"
    taken = runner.invoke(app, ["audit", "anchor", "-o", str(anchor_file)])
    assert taken.exit_code == 0, taken.output
    document = json.loads(anchor_file.read_text(encoding="utf-8"))
    assert document["format"] == "safepassage-audit-anchor/1"
    assert (document["head_seq"], document["events"]) == (10, 10)
    assert f"anchor: head seq 10 sha256 {document['head_sha256']} (10 events)" in taken.output

    holds = runner.invoke(app, ["audit", "verify", "--anchor", str(anchor_file)])
    assert holds.exit_code == 0, holds.output
    assert "every entry up to the anchor (seq 10)" in holds.output

    with Store.open(db_url) as store:
        _truncate_to(store, 7, 5)
    plain = runner.invoke(app, ["audit", "verify"])
    assert plain.exit_code == 0, plain.output
    for anchor in (str(anchor_file), document["head_sha256"]):
        result = runner.invoke(app, ["audit", "verify", "--anchor", anchor])
        assert result.exit_code == 8, result.output
        assert "audit failed" in result.stderr
    result = runner.invoke(app, ["audit", "verify", "--anchor", str(anchor_file)])
    assert "entries seq 8-10 (and the rows they wrote) were removed" in " ".join(result.stderr.split())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json {", "not JSON"),
        ('{"format": "other/1"}', "field 'format' is not 'safepassage-audit-anchor/1'"),
        ('{"format": "safepassage-audit-anchor/1", "head_seq": true, "head_sha256": "' + "a" * 64 + '"}',
         "field 'head_seq' must be a whole number from 0, got True"),
        ('{"format": "safepassage-audit-anchor/1", "head_seq": 3, "head_sha256": "xyz"}',
         "field 'head_sha256' must be 64 lowercase hex digits"),
    ],
)  # fmt: skip
def test_a_bad_anchor_file_is_bad_input_naming_file_and_field(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "anchor.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=r"anchor file .*anchor\.json: ") as info:
        parse_anchor(str(path))
    assert expected in info.value.message
    assert info.value.exit_code == 2


def test_an_anchor_argument_that_is_neither_file_nor_hash_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEPASSAGE_DB", f"sqlite:///{tmp_path / 'store.sqlite'}")
    result = runner.invoke(app, ["audit", "verify", "--anchor", "deadbeef"])
    assert result.exit_code == 2, result.output
    assert "--anchor 'deadbeef': no such file, and not a head hash" in " ".join(result.stderr.split())
    assert parse_anchor("A" * 64) == Anchor(None, "a" * 64)


def test_an_unreadable_head_is_named_and_refuses_writes(tmp_path: Path, make_report: Make) -> None:
    # SQLite only: PostgreSQL keeps chain_head.seq an integer, so only SQLite can hold text there.
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        _check_unreadable_head(store, make_report)


def _check_unreadable_head(store: Store, make_report: Make) -> None:
    _fill(store, make_report)
    _sql(store, "UPDATE chain_head SET seq = 'abc'")
    message = _fails(store)
    assert "chain_head: unreadable, edited behind Safe Passage's back: seq holds 'abc'" in message
    expected = r"chain_head: unreadable \(seq 'abc'"
    with pytest.raises(AuditError, match=expected) as info, store.writing("alice") as writer:
        writer.add_notification("x", "y", "z")
    assert info.value.exit_code == 8
