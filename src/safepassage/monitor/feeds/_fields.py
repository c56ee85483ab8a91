"""Checked conversions of feed fields against :mod:`safepassage.bounds`.

Each raises ValueError with a message naming the field, the value (shortened) and what is expected,
so the reader turns it into a row error naming ``file:line``.
"""

from __future__ import annotations

from safepassage.bounds import COUNT, LATITUDE, LONGITUDE, MAX_TEXT_ID_CHARS, Quantity, show_value

__all__ = ["check_quantity", "parse_coordinate", "parse_count", "parse_source_id"]


def check_quantity(quantity: Quantity, value: object, name: str) -> float:
    """``value`` as a float within ``quantity``'s documented range; ValueError naming ``name``."""
    try:
        return quantity.check(value)
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def parse_coordinate(text: object, name: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) in degrees."""
    return check_quantity(LATITUDE if limit == 90.0 else LONGITUDE, text, name)


def parse_count(value: object, name: str, quantity: Quantity = COUNT) -> int | None:
    """A whole number within ``quantity`` (a count by default; :data:`~safepassage.bounds.FATALITIES`
    for claimed deaths), or None for an empty field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("+-").isdigit():
            raise ValueError(f"{name} {show_value(value)} is not a whole number")
    try:
        return quantity.check_int(value)
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def parse_source_id(value: object, name: str) -> str:
    """A feed's own id for a row: text (or a whole number) of 1 to 200 characters."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name} {show_value(value)} is not a text or whole-number id")
    text = str(value).strip() if isinstance(value, str) else str(value)
    if not text:
        raise ValueError(f"{name} is empty; expected the row's id in its source")
    if len(text) > MAX_TEXT_ID_CHARS:
        raise ValueError(f"{name} {show_value(text)} is longer than {MAX_TEXT_ID_CHARS} characters")
    return text
