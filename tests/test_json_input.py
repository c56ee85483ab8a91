"""The one safe JSON loader: size, nesting, encoding, duplicates and positions (issue 8 §1 Structure)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from safepassage.errors import FeedError, InputError, PlanFileError
from safepassage.json_input import iter_array_items, load_json, parse_json, read_text, utf8_problems


def test_two_thousand_nested_brackets_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"alerts":\n' + "[" * 2000 + "]" * 2000 + "}", encoding="utf-8")
    with pytest.raises(
        FeedError, match=r"deep\.json:2: JSON nested more than 64 levels deep; expected a feed"
    ):
        load_json(path, expected="a feed", error=FeedError)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"note": "' + "[" * 500 + '\\" {{{", "x": [[1]]}'
    document = parse_json(text, "s.json", expected="x")
    assert document.value["x"] == [[1]]


def test_nesting_at_the_limit_reads_and_one_more_level_does_not() -> None:
    assert parse_json("[" * 5 + "]" * 5, "ok.json", expected="x", max_depth=5).value == [[[[[]]]]]
    with pytest.raises(InputError, match="more than 5 levels"):
        parse_json("[" * 6 + "]" * 6, "no.json", expected="x", max_depth=5)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "1," * 600 + "1]", encoding="utf-8")
    with pytest.raises(
        PlanFileError, match=r"big\.json: the file is larger than 1,000 bytes; expected a plan"
    ):
        load_json(path, expected="a plan", error=PlanFileError, max_bytes=1000)


def test_invalid_utf8_names_the_real_line_and_byte_offset(tmp_path: Path) -> None:
    lines = [f'{{"n": {i}, "text": "{"x" * 500}"}},' for i in range(1200)]
    raw = ("[\n" + "\n".join(lines) + "\n]").encode("utf-8")
    bad_line = 1000  # the document's line 1000 is lines[998]
    offset = raw.index(b'"n": 998') + 2
    path = tmp_path / "bad.json"
    path.write_bytes(raw[:offset] + b"\xff" + raw[offset + 1 :])
    with pytest.raises(FeedError) as caught:
        load_json(path, expected="an alerts.in.ua document", error=FeedError)
    message = str(caught.value)
    assert message.startswith(f"{path}:{bad_line}: not UTF-8 text (invalid start byte at byte {offset:,})")
    assert offset > 400_000  # the real offset, not the offset inside a decoding chunk


def test_utf8_problems_lists_every_bad_sequence_with_its_line() -> None:
    raw = b"ok\n\xffa\nfine\nb\xc3\n"
    assert [(line, offset) for line, offset, _ in utf8_problems(raw)] == [(2, 3), (4, 12)]
    assert utf8_problems("добре\n".encode()) == []


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_text(path, expected="x") == '{"a": 1}'
    assert load_json(path, expected="x").value == {"a": 1}


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(
        FeedError, match=r"a\.json:3: not valid JSON \(Expecting property name .*\); expected an alerts doc"
    ):
        parse_json('{"alerts": [\n {"id": 1,\n}', "a.json", expected="an alerts doc", error=FeedError)


def test_a_duplicated_key_is_an_error_naming_its_line() -> None:
    with pytest.raises(InputError, match=r"d\.json:3: key 'features' appears twice in one object"):
        parse_json('{"features": [],\n "type": "x",\n "features": [1]}', "d.json", expected="GeoJSON")


def test_huge_numbers_are_read_as_values_the_bounds_refuse_not_as_crashes() -> None:
    value = parse_json(
        '{"a": 99999999999999999999, "b": 1e400, "c": NaN, "d": ' + "9" * 5000 + "}", "n", expected="x"
    )
    assert value.value["a"] == 99999999999999999999
    assert value.value["b"] == math.inf
    assert math.isnan(value.value["c"])
    assert value.value["d"] == math.inf  # more digits than Python converts: infinite, refused later


def test_items_of_the_top_level_key_not_a_nested_one_with_lines() -> None:
    text = '{"meta": {"alerts": []},\n "alerts": [\n  {"id": 1},\n\n  {"id": 2}\n ]\n}'
    document = parse_json(text, "a.json", expected="x")
    assert list(iter_array_items(document, "alerts")) == [(3, {"id": 1}), (5, {"id": 2})]


def test_items_of_a_top_level_array_and_of_a_missing_key() -> None:
    document = parse_json('[\n1,\n"two",\n[3]\n]', "l.json", expected="x")
    assert list(iter_array_items(document, None)) == [(2, 1), (3, "two"), (4, [3])]
    assert list(iter_array_items(document, "alerts")) == []
    keyed = parse_json('{"alerts": {"not": "a list"}}', "k.json", expected="x")
    assert list(iter_array_items(keyed, "alerts")) == []


def test_messages_never_repeat_a_huge_value() -> None:
    key = "k" * 100_000
    with pytest.raises(InputError) as caught:
        parse_json(f'{{"{key}": 1, "{key}": 2}}', "h.json", expected="x")
    assert len(str(caught.value)) < 200
