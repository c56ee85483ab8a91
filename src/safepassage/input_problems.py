"""Turn pydantic validation errors into problems a coordinator can act on.

Shared by every file reader (scenario YAML, plan JSON): each error names the file, the field path
(``origins[3].people``), the value and what was expected, e.g.
``scenario.yaml: origins[3].people: -5 is out of range; expected a whole number from 0 to
10,000,000``. A rule that spans a whole object (``a circle needs all of lat, lon and radius_m``)
is reported on that object without dumping its content.

It also gives the readers their strict, bounded field validators (used in ``Annotated`` types):
:func:`number_in` / :func:`whole_number_in` take a :class:`~safepassage.bounds.Quantity` and refuse
booleans (YAML ``true`` is not 1), text (``"750"`` in quotes) and anything outside the quantity's
documented range; :func:`instant_in_range` keeps instants within 1900-2100. Their messages come
straight from :mod:`safepassage.bounds` and are shown as they are.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from safepassage.bounds import Quantity, check_instant, show_value
from safepassage.errors import Problem

__all__ = [
    "BOUNDS_ERROR",
    "bounds_error",
    "field_path",
    "instant_in_range",
    "instant_text",
    "number_in",
    "problems_from_validation",
    "whole_number_in",
]

#: The pydantic error type of a value outside its documented range (its message is shown as is).
BOUNDS_ERROR = "out_of_bounds"


def bounds_error(message: str) -> PydanticCustomError:
    """A pydantic error whose ``message`` (value and what is expected) is shown unchanged."""
    return PydanticCustomError(BOUNDS_ERROR, message)


def _plain_number(value: object, quantity: Quantity) -> int | float:
    """``value`` as a Python number, refusing booleans, text and containers (strict input)."""
    if isinstance(value, bool):
        shown = "true" if value else "false"
        raise bounds_error(f"{shown} is a yes/no value, not a number; expected {quantity.expected()}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        hint = ", written without quotes" if _looks_numeric(value) else ""
        raise bounds_error(f"{show_value(value)} is text, not a number; expected {quantity.expected()}{hint}")
    raise bounds_error(f"a {_kind(value)} is not a number; expected {quantity.expected()}")


def _looks_numeric(text: str) -> bool:
    """Whether quoting alone made ``text`` text (``"750"``), not ``"inf"`` or words."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def number_in(quantity: Quantity) -> Callable[[object], float]:
    """A before-validator: a finite number within ``quantity``'s range (strict: no bool, no text)."""

    def check(value: object) -> float:
        try:
            return quantity.check(_plain_number(value, quantity))
        except ValueError as exc:
            raise bounds_error(str(exc)) from None

    return check


def whole_number_in(quantity: Quantity) -> Callable[[object], int]:
    """A before-validator: a whole number within ``quantity``'s range (``5.0`` passes, ``2.5`` not)."""

    def check(value: object) -> int:
        try:
            return quantity.check_int(_plain_number(value, quantity))
        except ValueError as exc:
            raise bounds_error(str(exc)) from None

    return check


_INSTANT_EXPECTED = "an ISO 8601 instant with a zone, e.g. 2022-03-05T09:00:00+02:00"


def instant_text(value: object) -> object:
    """A before-validator: instants are written as text (or given as datetimes in code), not numbers."""
    if isinstance(value, str | dt.datetime):
        if isinstance(value, str) and len(value) > 64:
            raise bounds_error(
                f"{show_value(value)} is too long for an instant; expected {_INSTANT_EXPECTED}"
            )
        return value
    if isinstance(value, bool | numbers.Real):
        raise bounds_error(f"{show_value(value)} is not an instant; expected {_INSTANT_EXPECTED}")
    raise bounds_error(f"a {_kind(value)} is not an instant; expected {_INSTANT_EXPECTED}")


def instant_in_range(value: dt.datetime) -> dt.datetime:
    """An after-validator: the documented instant range of :func:`safepassage.bounds.check_instant`."""
    try:
        return check_instant(value)
    except ValueError as exc:
        raise bounds_error(str(exc)) from None


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return "null value" if value is None else type(value).__name__


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('origins', 3, 'people')`` -> ``origins[3].people``; a dict key's own error drops ``[key]``."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from_validation(
    exc: ValidationError,
    label: str,
    model: type[BaseModel],
    *,
    docs: str,
    pattern_meanings: Mapping[str, str] | None = None,
) -> list[Problem]:
    """One :class:`Problem` per pydantic error of ``model`` read from the file ``label``.

    ``docs`` names the document that describes the format; ``pattern_meanings`` says in words what
    a regular expression of the model expects (no coordinator should be shown a regex).
    """
    meanings = pattern_meanings or {}
    return [
        Problem(label, field_path(tuple(err["loc"])), _text_for(err, model, docs, meanings))
        for err in exc.errors(include_url=False)
    ]


def _text_for(err: Any, model: type[BaseModel], docs: str, meanings: Mapping[str, str]) -> str:
    """What is wrong, for one pydantic error (the caller adds file and field path)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == BOUNDS_ERROR:
        return msg
    if kind == "missing":
        return f"is missing; expected a value (see {docs})"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc)
        hint = f"expected one of: {', '.join(allowed)}" if allowed else f"expected only the fields in {docs}"
        return f"unknown field; {hint}"
    if loc and loc[-1] == "[key]" and msg.startswith("Input should be "):
        return f"unknown key {_show(value)}; expected {msg.removeprefix('Input should be ')}"
    if kind == "invalid_key":
        return f"the key {_show(value)} is not text; expected a name (see {docs})"
    if kind == "greater_than_equal" and ctx.get("ge") == 0 and isinstance(value, int | float):
        what = "a whole number" if isinstance(value, int) else "a number"
        return f"{_show(value)} is negative; expected {what} ≥ 0"
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern")) in meanings:
        return f"{_show(value)} is invalid; expected {meanings[str(ctx['pattern'])]}"
    if kind == "finite_number":
        return f"{_show_number(value)} is invalid; expected a finite number"
    if kind in ("int_from_float", "int_parsing", "int_type"):
        return f"{_show(value)} is not a whole number; expected a whole number"
    if msg.startswith("Input should be "):
        return f"{_show(value)} is invalid; expected {msg.removeprefix('Input should be ')}"
    if kind == "value_error" and isinstance(value, dict | list):
        return msg  # a rule over a whole object: say the rule, not the object's content
    return f"{_show(value)} is invalid: {msg}"


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Names of the fields a model accepts at ``loc`` (for 'unknown field' messages)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        found = current.model_fields.get(str(part))
        if found is None:
            found = next((f for f in current.model_fields.values() if f.alias == part), None)
        if found is None:
            return []
        current = _inner_model(found.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


_SHORT = reprlib.Repr()  # bounded: never walks a huge (or alias-shared) structure in full
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxset = 2, 3, 3, 3, 3
_SHORT.maxstring = _SHORT.maxother = 40


def _show(value: Any) -> str:
    """A value for a message: never long, and never the full ``repr`` of a huge input."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return show_value(value)
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show_number(value: Any) -> str:
    if isinstance(value, str):
        return show_value(value)
    try:
        return str(float(value))
    except (TypeError, ValueError, OverflowError):
        return _show(value)
