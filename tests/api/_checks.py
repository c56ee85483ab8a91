"""Helpers of the API tests: the restricted-field check applied to every response a test reads."""

from __future__ import annotations

from typing import Any

from safepassage.api.redaction import AID_MOVEMENT_KEYS, RESTRICTED_KEYS


def restricted_found(value: Any, path: str = "$") -> list[str]:
    """Where ``value`` holds a convoy detail (a restricted key, or an aid corridor's movement keys)."""
    found: list[str] = []
    if isinstance(value, dict):
        aid = value.get("purpose") == "aid"
        for key, item in value.items():
            if key in RESTRICTED_KEYS or (aid and key in AID_MOVEMENT_KEYS):
                found.append(f"{path}.{key}")
            found += restricted_found(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += restricted_found(item, f"{path}[{i}]")
    return found
