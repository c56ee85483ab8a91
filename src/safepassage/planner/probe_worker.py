"""A second process that probes one horizon of each search round (``flow_search``).

OR-Tools' max flow holds the GIL, so a second *thread* gains nothing; a second process does. The
worker is a fresh interpreter (``python -m safepassage.planner.probe_worker``, started with
``subprocess``): nothing is forked, so it is safe inside a threaded server, and it never re-runs
the caller's ``__main__`` (``multiprocessing``'s spawn and forkserver contexts would, breaking
scripts without a main guard). It gets the static graph, step model and static times once
(pickled, a few MB), then a horizon and a target per request, and answers with the max-flow value,
the arcs, the seconds, and the flow per arc when the value reaches the target (the caller rebuilds
the same network: ``expand`` is deterministic).

The caller never depends on the worker: :meth:`ProbeWorker.start` returns ``None`` on a machine
with one core (or no free one), and when the worker fails the search probes that horizon itself
(:class:`ProbeWorkerError`). :meth:`ProbeWorker.close` ends the process (also on ``with``).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from safepassage.planner.static_graph import StaticGraph
from safepassage.planner.time_expansion import StaticTimes, StepModel

__all__ = ["ProbeWorker", "ProbeWorkerError", "available_cores"]

IntArray = npt.NDArray[np.int64]
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class ProbeWorkerError(RuntimeError):
    """The worker process died or answered nonsense; the caller probes the horizon itself."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells, else the count)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return len(affinity(0))
    return os.cpu_count() or 1


class ProbeWorker:
    """One helper process; :meth:`load` a graph, then :meth:`submit` / :meth:`result` in turn."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._pending: int | None = None
        # Also ended when this object is collected or the interpreter exits (e.g. after an error).
        self._finalizer = weakref.finalize(self, _stop, process)

    @classmethod
    def start(cls, *, min_cores: int = 2) -> ProbeWorker | None:
        """A started worker, or ``None`` with fewer than ``min_cores`` cores or when it cannot start.

        Also ``None`` when the machine is busy: a 1-minute load average above the cores less a half
        (this process counts one) means no core is free, and two probes sharing one core cost more
        than one after the other.
        """
        cores = available_cores()
        if cores < min_cores or (min_cores > 1 and _load() > cores - 0.5):
            return None
        package_root = str(Path(__file__).resolve().parents[2])  # the directory holding safepassage
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "safepassage.planner.probe_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            return None
        return cls(process)

    def load(self, graph: StaticGraph, model: StepModel, times: StaticTimes) -> None:
        """Give the worker the network to probe (replaces what it had)."""
        self._send(("load", graph, model, times))

    def submit(self, horizon_steps: int, need: int) -> None:
        """Start probing ``horizon_steps``; the flow comes back only if the value reaches ``need``."""
        self._send(("probe", horizon_steps, need))
        self._pending = horizon_steps

    def result(self) -> tuple[int, IntArray | None, int, float]:
        """(value, flow per arc or ``None``, arcs, seconds) of the submitted probe."""
        if self._pending is None:
            raise ProbeWorkerError("no probe was submitted")
        self._pending = None
        stdout = self._process.stdout
        try:
            assert stdout is not None
            answer = pickle.load(stdout)
        except Exception as error:  # EOF, a broken pipe or garbage: the worker is gone
            self.close()
            raise ProbeWorkerError(f"the probe worker stopped: {error!r}") from error
        if not (isinstance(answer, tuple) and len(answer) == 4):
            self.close()
            raise ProbeWorkerError(f"the probe worker answered {type(answer).__name__}")
        value, flow, arcs, seconds = answer
        return int(value), flow, int(arcs), float(seconds)

    def close(self) -> None:
        """End the worker (closing its input ends its loop); idempotent."""
        self._finalizer()

    def __enter__(self) -> ProbeWorker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _send(self, message: tuple[Any, ...]) -> None:
        stdin = self._process.stdin
        try:
            assert stdin is not None
            pickle.dump(message, stdin, protocol=_PROTOCOL)
            stdin.flush()
        except (OSError, ValueError) as error:
            self.close()
            raise ProbeWorkerError(f"the probe worker cannot be reached: {error!r}") from error


def _load() -> float:
    """The 1-minute load average (0 where the platform does not tell)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close the worker's pipes (its loop ends at end of input) and wait for it; kill if stuck."""
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """The worker's loop: answer requests from ``source`` on ``sink`` until end of input."""
    from safepassage.planner.flow_search import solve_max_flow
    from safepassage.planner.time_expansion import expand

    loaded: tuple[StaticGraph, StepModel, StaticTimes] | None = None
    while True:
        try:
            message = pickle.load(source)
        except EOFError:
            return
        if message[0] == "load":
            loaded = (message[1], message[2], message[3])
            continue
        assert loaded is not None, "probe before load"
        steps, need = int(message[1]), int(message[2])
        began = time.perf_counter()
        net = expand(loaded[0], loaded[1], steps, loaded[2])
        solution = solve_max_flow(net)
        flow = solution.flow if solution.value >= need else None
        answer = (solution.value, flow, net.arc_count, time.perf_counter() - began)
        pickle.dump(answer, sink, protocol=_PROTOCOL)
        sink.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
