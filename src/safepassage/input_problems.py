"""Turn pydantic validation errors into problems a coordinator can act on.

Shared by every file reader (scenario YAML, plan JSON): each error names the file, the field path
(``origins[3].people``), the value and what was expected, e.g.
``scenario.yaml: origins[3].people: -5 is negative; expected a whole number ≥ 0``. A rule that
spans a whole object (``a circle needs all of lat, lon and radius_m``) is reported on that object
without dumping its content.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from safepassage.errors import Problem

__all__ = ["field_path", "problems_from_validation"]


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('origins', 3, 'people')`` -> ``origins[3].people``."""
    out = ""
    for part in loc:
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
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        ctx = err.get("ctx") or {}
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "missing":
            text = f"is missing; expected a value (see {docs})"
        elif kind == "extra_forbidden":
            allowed = _fields_at(model, loc)
            hint = (
                f"expected one of: {', '.join(allowed)}" if allowed else f"expected only the fields in {docs}"
            )
            text = f"unknown field; {hint}"
        elif kind == "greater_than_equal" and ctx.get("ge") == 0 and isinstance(value, int | float):
            what = "a whole number" if isinstance(value, int) else "a number"
            text = f"{_show(value)} is negative; expected {what} ≥ 0"
        elif kind == "string_pattern_mismatch" and str(ctx.get("pattern")) in meanings:
            text = f"{_show(value)} is invalid; expected {meanings[str(ctx['pattern'])]}"
        elif kind == "finite_number":
            text = f"{_show_number(value)} is invalid; expected a finite number"
        elif kind in ("int_from_float", "int_parsing", "int_type"):
            text = f"{_show(value)} is not a whole number; expected a whole number"
        elif msg.startswith("Input should be "):
            text = f"{_show(value)} is invalid; expected {msg.removeprefix('Input should be ')}"
        elif kind == "value_error" and isinstance(value, dict | list):
            text = msg  # a rule over a whole object: say the rule, not the object's content
        else:
            text = f"{_show(value)} is invalid: {msg}"
        problems.append(Problem(label, field_path(loc), text))
    return problems


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


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict | list):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


def _show_number(value: Any) -> str:
    try:
        return str(float(value))
    except (TypeError, ValueError):
        return _show(value)
