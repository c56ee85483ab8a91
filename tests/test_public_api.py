"""The public API is what ``__all__`` says (as in httpx): every name exists, nothing private leaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import safepassage

PACKAGES = sorted(
    name
    for _, name, is_pkg in pkgutil.walk_packages(safepassage.__path__, "safepassage.")
    if is_pkg and ".migrations" not in name
)


@pytest.mark.parametrize("name", ["safepassage", *PACKAGES])
def test_all_names_exist_and_are_public(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which does not exist"
        assert not item.startswith("_") or item == "__version__", f"{name}.__all__ exports private {item!r}"
