"""Small checked conversions of feed fields; each raises ValueError with a message naming the field."""

from __future__ import annotations

__all__ = ["parse_coordinate", "parse_count"]


def parse_coordinate(text: str, name: str, limit: float) -> float:
    """A latitude (limit 90) or longitude (limit 180) in degrees."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {text!r} is not a number") from None
    if not -limit <= value <= limit:
        raise ValueError(f"{name} {value} is outside -{limit:g}..{limit:g}")
    return value


def parse_count(text: str, name: str) -> int | None:
    """A non-negative whole number, or None for an empty field."""
    stripped = text.strip()
    if not stripped:
        return None
    if not stripped.isdigit():
        raise ValueError(f"{name} {stripped!r} is not a whole number")
    return int(stripped)
