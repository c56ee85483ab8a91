"""The items of a JSON array inside a document, each with the line it starts on.

``json.loads`` forgets positions, so a bad item could not be reported as ``file:line``. We decode
the document once (to reject invalid JSON as a whole), then walk the array with
:meth:`json.JSONDecoder.raw_decode`, which returns where each item ends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safepassage.errors import FeedError

__all__ = ["iter_json_array", "load_json_text"]

_WHITESPACE = re.compile(r"[\s,]*")


def load_json_text(path: Path, fmt: str) -> tuple[str, Any]:
    """The text and decoded value of a JSON file; FeedError when unreadable or not JSON."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise FeedError(f"{path}: cannot open the feed file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise FeedError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        return text, json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); expected a {fmt} document"
        ) from exc


def iter_json_array(text: str, key: str | None) -> Iterator[tuple[int, Any]]:
    """(line, item) for each item of the top-level array, or of the array under ``"key"``.

    The caller has already checked that the document is valid JSON and holds that array.
    """
    if key is None:
        start = text.index("[")
    else:
        match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
        if match is None:
            return
        start = match.end() - 1
    decoder = json.JSONDecoder()
    position = start + 1
    while True:
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
        if position >= len(text) or text[position] == "]":
            return
        item, end = decoder.raw_decode(text, position)
        yield text.count("\n", 0, position) + 1, item
        position = end
