"""The one redaction function every response path goes through (JSON, GeoJSON, the stream).

Convoy details - vehicle counts and plates, exact times of aid movements, contact channels - reach
coordinators only (the ICRC withholds such details for the safety of convoys). :func:`redact` removes
them from any JSON-able value for every other role:

- every key in :data:`RESTRICTED_KEYS`, wherever it appears (a response model's fields marked
  ``x-restricted`` in :mod:`safepassage.api.models` are added to it, plus the names convoy, fleet and
  contact data go by in scenario and plan documents);
- in an object whose ``purpose`` is ``aid`` (an aid corridor, in a scenario document or a GeoJSON
  feature's properties), its :data:`AID_MOVEMENT_KEYS` (the ceasefire windows are when convoys move).

The API applies it in one ASGI middleware to every JSON response (:mod:`safepassage.api.gate`) and
the stream applies it to every event (:mod:`safepassage.api.stream`), so no endpoint can forget it.
"""

from __future__ import annotations

from typing import Any

from safepassage.services.users import Role

__all__ = ["AID_MOVEMENT_KEYS", "RESTRICTED_KEYS", "add_restricted_keys", "redact", "sees_everything"]

#: Keys never shown to anyone but a coordinator, wherever they appear.
RESTRICTED_KEYS: set[str] = {
    "convoy",
    "convoys",
    "vehicles",
    "vehicle_count",
    "vehicle_counts",
    "plates",
    "license_plates",
    "licence_plates",
    "fleet",
    "contact",
    "contacts",
    "contact_channel",
    "contact_channels",
    "phone",
    "raw",
    "raw_json",
}

#: Keys of an aid corridor (``purpose: aid``) that give away when and with what convoys move.
AID_MOVEMENT_KEYS = frozenset({"ceasefire_windows", "window_start", "window_end", "allowed_vehicle_classes"})


def add_restricted_keys(names: set[str]) -> None:
    """Add field names marked restricted in response models (called once at import of the models)."""
    RESTRICTED_KEYS.update(names)


def sees_everything(role: Role | None) -> bool:
    """Whether ``role`` receives convoy details (coordinators only; no role is treated as a viewer)."""
    return role is Role.COORDINATOR


def redact(value: Any, role: Role | None) -> Any:
    """``value`` (JSON-able: dicts, lists, scalars) without what ``role`` may not see; a new value,
    the argument is left as it is. Unchanged for a coordinator."""
    if sees_everything(role):
        return value
    return _strip(value)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        aid = value.get("purpose") == "aid"
        return {
            key: _strip(item)
            for key, item in value.items()
            if key not in RESTRICTED_KEYS and not (aid and key in AID_MOVEMENT_KEYS)
        }
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value
