"""The map's and the API's words in Ukrainian and English, from gettext catalogues read by Babel.

The catalogues are ``locale/{en,uk}/LC_MESSAGES/messages.po`` beside this module. Each ``msgid``
is a stable key (``layer.corridors``, ``error.INPUT_INVALID``), each ``msgstr`` the text in that
language, with ``{name}`` placeholders. The page's script receives the whole catalogue of its
language (``/api/i18n/{lang}``, or embedded in the offline file) and holds no text of its own.

:func:`translate_error` gives the API's error message in a language: the template of the error's
fixed code (``safepassage.errors``) with the original message as ``{message}`` (it names files,
fields and values, which are kept as written). Unknown languages fall back to English; unknown
codes to the generic ``error.ERROR`` template.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterable

from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "catalogue", "choose_language", "translate_error"]

LANGUAGES = ("en", "uk")
DEFAULT_LANGUAGE = "en"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Key -> text of language ``lang`` (one of :data:`LANGUAGES`; others give English).

    Raises ValueError when a catalogue has an entry without a translation (a bug in the catalogue,
    caught by tests/web/test_i18n.py).
    """
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    resource = importlib.resources.files("safepassage.web").joinpath(f"locale/{lang}/LC_MESSAGES/messages.po")
    with resource.open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    texts: dict[str, str] = {}
    for message in parsed:
        if not message.id:
            continue  # the header
        if not isinstance(message.id, str) or not isinstance(message.string, str) or not message.string:
            raise ValueError(f"catalogue {lang}: {message.id!r} has no translation")
        texts[message.id] = message.string
    return texts


def choose_language(accept_language: str | None, requested: str | None = None) -> str:
    """The language to answer in: ``requested`` when supported, else the first supported one of an
    ``Accept-Language`` header (``uk-UA,uk;q=0.9,en;q=0.8``), else English."""
    if requested in LANGUAGES:
        return requested
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > 0:
            ranked.append((-weight, position, tag.split("-")[0].lower()))
    return next((tag for _, _, tag in sorted(ranked) if tag in LANGUAGES), DEFAULT_LANGUAGE)


def translate_error(code: str, message: str, lang: str) -> str:
    """The error message in ``lang``: the template of ``code`` with ``message`` as its detail.

    ``translate_error("UNKNOWN_ID", "no origin with id 'x'", "uk")`` ->
    ``"Невідомий ідентифікатор: no origin with id 'x'"``. English returns ``message`` unchanged.
    """
    if lang not in LANGUAGES or lang == DEFAULT_LANGUAGE:
        return message
    texts = catalogue(lang)
    template = texts.get(f"error.{code}", texts["error.ERROR"])
    return template.replace("{message}", message)


def keys(lang: str, prefix: str = "") -> Iterable[str]:
    """The keys of a catalogue that start with ``prefix`` (for tests and tools)."""
    return (k for k in catalogue(lang) if k.startswith(prefix))
