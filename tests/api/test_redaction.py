"""The one redaction function: no convoy detail survives for a viewer, reporter or reviewer, at any
depth; a coordinator gets the value unchanged; the argument is never modified."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api._checks import restricted_found
from safepassage.api.redaction import RESTRICTED_KEYS, redact
from safepassage.services.users import Role

KEYS = st.sampled_from(sorted(RESTRICTED_KEYS | {"id", "name", "purpose", "ceasefire_windows", "route"}))
LEAVES = (
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.sampled_from(["aid", "evacuation"])
)
TREES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=50, deadline=None)
@given(TREES)
def test_redact_removes_every_convoy_detail(tree: Any) -> None:
    before = copy.deepcopy(tree)
    for role in (Role.VIEWER, Role.REPORTER, Role.REVIEWER, None):
        assert restricted_found(redact(tree, role)) == []
    assert redact(tree, Role.COORDINATOR) == before
    assert tree == before


def test_aid_corridor_keeps_its_route_but_not_its_movements() -> None:
    corridor = {
        "id": "mannerheimintie-aid",
        "purpose": "aid",
        "route": [{"lat": 60.1711, "lon": 24.936}],
        "ceasefire_windows": [{"start": "2022-03-05T10:00:00+02:00"}],
        "allowed_vehicle_classes": ["truck", "aid_convoy"],
        "convoy": {"vehicles": 12, "plates": ["AB-123"]},
    }
    evacuation = {**corridor, "id": "unioninkatu", "purpose": "evacuation"}
    shown = redact({"corridors": [corridor, evacuation]}, Role.VIEWER)["corridors"]
    assert shown[0] == {"id": "mannerheimintie-aid", "purpose": "aid", "route": corridor["route"]}
    assert shown[1]["ceasefire_windows"] == corridor["ceasefire_windows"]  # civilians need these
    assert "convoy" not in shown[1]
