"""Start-up time of the command line: ``safepassage --help`` and ``import safepassage.cli``.

Run: ``.venv/bin/python benchmarks/startup_bench.py [--runs N]`` (prints figures; asserts nothing).
Target (issue 7 #18): ``safepassage --help`` in at most 0.5 s. Each figure is the median wall time
of N fresh processes (default 7), printed beside the same median for ``python -c pass`` measured in
the same run, so a busy machine shows as a slow baseline rather than a slow CLI. The heaviest
imports of ``--help`` (``python -X importtime``) are listed, to show what to make lazy next.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_HELP_S = 0.5

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "import safepassage.cli": [sys.executable, "-c", "import safepassage.cli"],
    "safepassage --help": [sys.executable, "-m", "safepassage", "--help"],
    "safepassage route --help": [sys.executable, "-m", "safepassage", "route", "--help"],
}


def _environment() -> dict[str, str]:
    """Run with this checkout's sources first, as the tests do."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["COLUMNS"] = "100"
    return env


def _median_s(command: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _heaviest_imports(env: dict[str, str], count: int = 8) -> list[tuple[float, str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "safepassage", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per figure (median)")
    args = parser.parse_args()
    env = _environment()
    _median_s(CASES["safepassage --help"], 1, env)  # warm the bytecode cache once
    figures = {name: _median_s(command, args.runs, env) for name, command in CASES.items()}
    baseline = figures["python -c pass (baseline)"]
    print(f"median of {args.runs} fresh processes each (Python {sys.version.split()[0]})")
    for name, seconds in figures.items():
        extra = "" if name.startswith("python") else f"  ({seconds - baseline:+.3f} s over the baseline)"
        print(f"  {name:<28} {seconds:6.3f} s{extra}")
    verdict = "met" if figures["safepassage --help"] <= TARGET_HELP_S else "NOT met"
    print(f"target safepassage --help <= {TARGET_HELP_S} s: {verdict}")
    print("heaviest imports of safepassage --help (cumulative):")
    for seconds, module in _heaviest_imports(env):
        print(f"  {seconds:6.3f} s {module.strip()}")


if __name__ == "__main__":
    main()
