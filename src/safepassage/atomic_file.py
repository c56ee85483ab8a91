"""Write a file atomically, with the permissions any other file of the user's gets.

Every file Safe Passage writes for people (plans, GeoJSON) goes through :func:`atomic_output`: the
text goes to a temporary file beside the target, is flushed to disk, then renamed over the target,
so a crash or a full disk never leaves a half-written file where the old one was, and the temporary
file is removed when anything fails. ``tempfile.mkstemp`` creates files with mode 0600 (readable
by the owner only); the file is given ``0666 & ~umask`` instead, as ``open()`` would, so a plan
written for a team is readable by the team when the user's umask says so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["atomic_output", "atomic_text_output", "current_umask", "write_atomically"]


def current_umask() -> int:
    """The process's umask (e.g. 0o022), read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)  # elsewhere: read by setting; restored at once
    os.umask(mask)
    return mask


def _open_temporary(path: Path) -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with contextlib.suppress(OSError):  # e.g. a file system without modes: keep what mkstemp gave
        os.fchmod(fd, 0o666 & ~current_umask())
    return fd, Path(name)


@contextmanager
def _temporary_beside(path: str | Path) -> Iterator[tuple[int, Path]]:
    """A temporary file beside ``path`` (fd, name), renamed over ``path`` when the block succeeds."""
    target = Path(path)
    fd, tmp = _open_temporary(target)
    try:
        yield fd, tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_output(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary handle whose bytes replace ``path`` atomically when the block ends without error.

    The folder must exist. On any error the temporary file is removed and ``path`` is untouched.
    """
    with _temporary_beside(path) as (fd, _), os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def atomic_text_output(path: str | Path) -> Iterator[IO[str]]:
    """Like :func:`atomic_output`, for UTF-8 text."""
    with _temporary_beside(path) as (fd, _), os.fdopen(fd, "w", encoding="utf-8") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def write_atomically(path: str | Path, data: str | bytes) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8) atomically; see :func:`atomic_output`."""
    with atomic_output(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
