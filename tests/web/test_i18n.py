"""Ukrainian and English: both catalogues complete and alike, every key the page uses present, every
error code translated, no English hard-coded in the page's script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import safepassage.errors as errors
from safepassage.scenario.vocabulary import CorridorStatus, HazardKind, SourceType, Verification
from safepassage.store import ReviewState
from safepassage.web import LANGUAGES, catalogue, choose_language, translate_error
from safepassage.web.routes import static_dir

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
SCRIPT = (static_dir() / "app.js").read_text(encoding="utf-8")
PAGE = (static_dir() / "index.html").read_text(encoding="utf-8")


def _error_codes() -> set[str]:
    found = set()
    stack: list[type[errors.SafePassageError]] = [errors.SafePassageError]
    while stack:
        cls = stack.pop()
        found.add(cls.code)
        stack.extend(cls.__subclasses__())
    return found


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    en, uk = catalogue("en"), catalogue("uk")
    assert set(en) == set(uk)
    assert len(en) > 100
    for key in en:
        assert sorted(PLACEHOLDER.findall(en[key])) == sorted(PLACEHOLDER.findall(uk[key])), key
    # Ukrainian text is Ukrainian: Cyrillic in every entry but the pure formats
    latin_only = [k for k, text in uk.items() if not re.search("[а-яіїєґ]", text, re.IGNORECASE)]
    assert latin_only == ["incident.heading"]


def test_every_key_the_page_uses_is_in_the_catalogue() -> None:
    en = catalogue("en")
    used = set(re.findall(r'data-i18n(?:-aria)?="([a-z_.]+)"', PAGE))
    used |= set(re.findall(r'T\("([a-z_]+\.[a-z_.]+)"', SCRIPT))
    used |= set(re.findall(r'\["(report\.col_[a-z_]+)"', SCRIPT))
    assert used
    assert used <= set(en), sorted(used - set(en))
    for prefix, values in (
        ("kind.", [k.value for k in HazardKind]),
        ("source_type.", [s.value for s in SourceType]),
        ("status.", [s.value for s in CorridorStatus]),
        ("review.", [s.value for s in ReviewState] + [v.value for v in Verification]),
        ("role.", ["viewer", "reporter", "reviewer", "coordinator"]),
        ("outcome.", ["honoured", "violated", "contested", "insufficient_evidence"]),
    ):
        missing = [v for v in values if prefix + v not in en]
        assert not missing, (prefix, missing)
    from safepassage.network.road_classes import ROAD_CLASSES

    assert all(f"road_class.{c}" in en for c in ROAD_CLASSES)


def test_the_script_holds_no_english_text() -> None:
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', SCRIPT)
    code = {"use strict"}  # a directive; CSS class lists end in "-" or hold "sp-"
    words = [
        s
        for s in literals
        if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", s)
        and s not in code
        and not s.endswith("-")
        and "sp-" not in s
    ]
    assert words == []


def test_every_error_code_has_a_ukrainian_template() -> None:
    codes = _error_codes() | {"REQUEST_TOO_LARGE", "RATE_LIMITED", "METHOD_NOT_ALLOWED"}
    uk = catalogue("uk")
    assert not [c for c in codes if f"error.{c}" not in uk]
    message = "no origin with id 'x'; the scenario has: a, b"
    assert translate_error("UNKNOWN_ID", message, "uk") == f"Невідомий ідентифікатор: {message}"
    assert translate_error("UNKNOWN_ID", message, "en") == message
    assert translate_error("NOT_A_CODE", "boom", "uk") == "Неочікувана помилка: boom"
    assert translate_error("UNKNOWN_ID", "x", "fr") == "x"


@pytest.mark.parametrize(
    ("header", "asked", "expected"),
    [
        ("uk-UA,uk;q=0.9,en;q=0.8", None, "uk"),
        ("en-GB,en;q=0.9", None, "en"),
        ("de-DE,uk;q=0.5,en;q=0.7", None, "en"),
        ("de-DE,uk;q=0.8,en;q=0.7", None, "uk"),
        ("uk;q=0", None, "en"),
        (None, None, "en"),
        ("en", "uk", "uk"),
        ("uk", "xx", "uk"),
    ],
)
def test_the_language_follows_the_browser_or_the_switch(
    header: str | None, asked: str | None, expected: str
) -> None:
    assert choose_language(header, asked) == expected


def test_catalogues_are_package_data() -> None:
    for lang in LANGUAGES:
        po = static_dir().parent / "locale" / lang / "LC_MESSAGES" / "messages.po"
        assert po.is_file()
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"**/*.po"' in pyproject
