"""One safe way to read a JSON file that comes from outside: size and nesting checked before parsing.

Feeds (alerts.in.ua, GeoJSON) and plan files come from the field, partners and scrapers. Python's
``json`` module recurses once per nesting level (2,000 nested ``[`` raise ``RecursionError``), reads
any size, and forgets where each value was. This module:

- refuses a file larger than ``max_bytes`` (default :data:`DEFAULT_MAX_BYTES`) before reading it;
- refuses text that is not UTF-8, naming the line and the byte offset of the first bad byte;
- refuses nesting deeper than ``max_depth`` (default :data:`DEFAULT_MAX_DEPTH`) before parsing, with
  a scan that skips strings and never recurses;
- refuses invalid JSON naming the line, and a duplicated key in one object (``json`` silently keeps
  the last one);
- never puts a huge value in a message.

Errors are raised as the caller's error class (any :class:`~safepassage.errors.InputError`, such as
:class:`~safepassage.errors.FeedError` or :class:`~safepassage.errors.PlanFileError`), with the
file name first: ``alerts.json:3: not valid JSON (Expecting value); expected an alerts.in.ua document``.

``NaN``, ``Infinity``, numbers too large for a float and integers of more than 4,000 digits are read
(as ``nan`` or ``inf``): the readers check every number against :mod:`safepassage.bounds`, and a bad
number is an error of one row, not of the whole file.

:func:`iter_array_items` then walks one array of the document (the top-level array, or the array
under a **top-level** key, never a same-named key nested deeper) and gives each item with the line
it starts on, so a reader can report ``file:line`` for a bad item.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safepassage.errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "JsonDocument",
    "iter_array_items",
    "load_json",
    "parse_json",
    "read_text",
    "utf8_problems",
]

#: Largest JSON file read (bytes): a year of alerts.in.ua history is well under this.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: Deepest nesting of arrays and objects: GeoJSON needs 8, a plan file fewer than 10.
DEFAULT_MAX_DEPTH = 64

_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_OPENERS = frozenset("[{")
_MAX_INT_DIGITS = 4000


@dataclass(frozen=True)
class JsonDocument:
    """A parsed JSON document: where it came from, its text (for positions) and its value."""

    source: str  # the file name used in messages
    text: str
    value: Any

    def line_at(self, offset: int) -> int:
        """The 1-based line of character ``offset`` of :attr:`text`."""
        return self.text.count("\n", 0, offset) + 1


def utf8_problems(raw: bytes, limit: int = 1000) -> list[tuple[int, int, str]]:
    """(line, byte offset, reason) of each invalid UTF-8 sequence in ``raw``, at most ``limit``.

    Lines are 1-based and counted by ``\\n``; offsets are 0-based from the start of ``raw``.
    """
    problems: list[tuple[int, int, str]] = []
    view = memoryview(raw)
    start = 0
    line = 1
    counted_to = 0
    while start < len(raw) and len(problems) < limit:
        try:
            codecs.utf_8_decode(view[start:], "strict", True)
            break
        except UnicodeDecodeError as exc:
            offset = start + exc.start
            line += raw.count(b"\n", counted_to, offset)
            counted_to = offset
            problems.append((line, offset, str(exc.reason)))
            start = start + max(exc.end, exc.start + 1)
    return problems


def read_text(
    path: Path, *, expected: str, error: type[InputError] = InputError, max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """The UTF-8 text of ``path`` (a leading byte-order mark dropped).

    Raises ``error`` when the file cannot be opened, is larger than ``max_bytes`` (checked before
    reading), or is not UTF-8 (naming the line and byte offset of the first bad byte).
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{path}: cannot open the file ({exc.strerror or exc}); expected {expected}") from exc
    if len(raw) > max_bytes:
        raise error(
            f"{path}: the file is larger than {max_bytes:,} bytes; expected {expected} of at most that size"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        line, offset, reason = utf8_problems(raw, limit=1)[0]
        raise error(
            f"{path}:{line}: not UTF-8 text ({reason} at byte {offset:,}); expected {expected} saved as UTF-8"
        ) from None


def load_json(
    path: Path,
    *,
    expected: str,
    error: type[InputError] = InputError,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> JsonDocument:
    """Read and parse the JSON file ``path`` safely (see the module docstring).

    ``expected`` says what the file should be ("an alerts.in.ua document"); it ends every message.
    Raises ``error`` for any of the refusals listed in the module docstring.
    """
    text = read_text(path, expected=expected, error=error, max_bytes=max_bytes)
    return parse_json(text, str(path), expected=expected, error=error, max_depth=max_depth)


def parse_json(
    text: str,
    source: str,
    *,
    expected: str,
    error: type[InputError] = InputError,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> JsonDocument:
    """Parse JSON ``text`` read from ``source`` (a file name for messages); nesting checked first."""
    _check_depth(text, source, expected, error, max_depth)
    try:
        value = json.loads(text, object_pairs_hook=_object_without_duplicates, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise error(f"{source}:{exc.lineno}: not valid JSON ({exc.msg}); expected {expected}") from None
    except _DuplicateKeyError as exc:
        line = _line_of_key(text, exc.key)
        where = f"{source}:{line}" if line else source
        raise error(
            f"{where}: key {_short(exc.key)} appears twice in one object; expected {expected}"
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise error(f"{source}: unreadable JSON number ({_short(str(exc))}); expected {expected}") from None
    except RecursionError:  # the depth check should make this unreachable
        raise error(f"{source}: JSON nested too deeply; expected {expected}") from None
    return JsonDocument(source, text, value)


def iter_array_items(document: JsonDocument, key: str | None) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of the top-level array (``key`` None) or of the array under the
    top-level ``key`` (the last one, as for the parsed value). Nothing when there is no such array.

    ``document`` must come from :func:`parse_json` or :func:`load_json` (the text is valid JSON).
    """
    text = document.text
    start = _top_level_array_start(text, key)
    if start is None:
        return
    decoder = _decoder()
    position = start + 1
    line, counted_to = 1, 0
    while True:
        position = _skip(text, position)
        if position >= len(text) or text[position] == "]":
            return
        if text[position] == ",":
            position = _skip(text, position + 1)
        item, end = decoder.raw_decode(text, position)
        line += text.count("\n", counted_to, position)
        counted_to = position
        yield line, item
        position = end


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(object_pairs_hook=_object_without_duplicates, parse_int=_parse_int)


def _parse_int(text: str) -> int | float:
    """An integer; one too long for Python's int conversion (4,300 digits) is infinite."""
    if len(text) > _MAX_INT_DIGITS:
        return float("-inf") if text.startswith("-") else float("inf")
    return int(text)


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise _DuplicateKeyError(name)
        result[name] = value
    return result


def _check_depth(text: str, source: str, expected: str, error: type[InputError], max_depth: int) -> None:
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        if token in _OPENERS:
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, match.start()) + 1
                raise error(
                    f"{source}:{line}: JSON nested more than {max_depth} levels deep; expected {expected}"
                )
        else:
            depth -= 1


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _top_level_array_start(text: str, key: str | None) -> int | None:
    """Offset of the ``[`` of the wanted top-level array, or None."""
    position = _skip(text, 0)
    if key is None:
        return position if text.startswith("[", position) else None
    if not text.startswith("{", position):
        return None
    decoder = _decoder()
    found: int | None = None
    position = _skip(text, position + 1)
    while position < len(text) and text[position] != "}":
        name, position = decoder.raw_decode(text, position)
        position = _skip(text, _skip(text, position) + 1)  # the colon
        if name == key:
            found = position if text.startswith("[", position) else None
        _, position = decoder.raw_decode(text, position)
        position = _skip(text, position)
        if text.startswith(",", position):
            position = _skip(text, position + 1)
    return found


def _line_of_key(text: str, key: str) -> int:
    """The line of the second ``"key":`` in the text (the duplicate), or 0 when not found."""
    pattern = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:")
    matches = pattern.finditer(text)
    next(matches, None)
    second = next(matches, None)
    return text.count("\n", 0, second.start()) + 1 if second else 0


def _short(text: str, limit: int = 60) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
