"""Files are written atomically with the user's umask (issue 7 #19); times in the scenario zone (#13)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from safepassage.atomic_file import atomic_output, current_umask, write_atomically
from safepassage.geojson import write_geojson
from safepassage.local_time import clock_text, iso_text, offset_text, stamp_text


@pytest.fixture
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    os.umask(saved)
    yield
    os.umask(saved)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_files_get_the_mode_the_umask_gives(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    os.umask(mask)
    assert current_umask() == mask
    write_atomically(tmp_path / "plan.json", "{}\n")
    write_geojson(tmp_path / "map.geojson", [])
    for name in ("plan.json", "map.geojson"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


def test_write_plan_uses_the_umask_too(tmp_path: Path, umask: None) -> None:
    from safepassage.planner import Plan, write_plan
    from safepassage.planner.plan_file import ScenarioRef, SolverInfo

    os.umask(0o022)
    plan = Plan(
        scenario=ScenarioRef(name="t", sha256=""),
        start=dt.datetime(2022, 3, 5, 8, tzinfo=dt.UTC),
        time_step_s=60.0,
        clearance_time_s=0.0,
        lower_bound_s=0.0,
        gap=0.0,
        people_total=0,
        evacuated=0,
        solver=SolverInfo(mode="hand"),
    )
    write_plan(plan, tmp_path / "plan.json")
    assert stat.S_IMODE((tmp_path / "plan.json").stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")

    def write_half() -> None:
        with atomic_output(target) as handle:
            handle.write(b"half a pl")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_half()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("utc", "zone", "clock", "stamp"),
    [
        # Ukraine, 27 March 2022: 03:00+02:00 became 04:00+03:00 (01:00 UTC). The reported case:
        (dt.datetime(2022, 3, 27, 3, 2), KYIV, "06:02+03:00", "2022-03-27 06:02+03:00"),
        (dt.datetime(2022, 3, 27, 0, 59), KYIV, "02:59+02:00", "2022-03-27 02:59+02:00"),
        (dt.datetime(2022, 3, 27, 1, 0), KYIV, "04:00+03:00", "2022-03-27 04:00+03:00"),
        # ... and back on 30 October 2022: 04:00+03:00 became 03:00+02:00 (01:00 UTC)
        (dt.datetime(2022, 10, 30, 0, 30), KYIV, "03:30+03:00", "2022-10-30 03:30+03:00"),
        (dt.datetime(2022, 10, 30, 1, 30), KYIV, "03:30+02:00", "2022-10-30 03:30+02:00"),
        # a zone west of Greenwich, and zones with minutes in the offset
        (dt.datetime(2022, 3, 13, 7, 30), NEW_YORK, "03:30-04:00", "2022-03-13 03:30-04:00"),
        (dt.datetime(2022, 3, 13, 6, 30), NEW_YORK, "01:30-05:00", "2022-03-13 01:30-05:00"),
        (dt.datetime(2022, 1, 1, 0, 0), ZoneInfo("Asia/Kathmandu"), "05:45+05:45", "2022-01-01 05:45+05:45"),
        (dt.datetime(2022, 1, 1, 0, 0), dt.UTC, "00:00+00:00", "2022-01-01 00:00+00:00"),
        (
            dt.datetime(2022, 1, 1, 0, 0),
            dt.timezone(dt.timedelta(hours=2)),
            "02:00+02:00",
            "2022-01-01 02:00+02:00",
        ),
    ],
)
def test_clock_times_carry_the_offset_in_force_at_that_instant(
    utc: dt.datetime, zone: dt.tzinfo, clock: str, stamp: str
) -> None:
    instant = utc.replace(tzinfo=dt.UTC)
    assert clock_text(instant, zone) == clock
    assert stamp_text(instant, zone) == stamp
    written = iso_text(instant, zone)
    assert written == stamp.replace(" ", "T")[:16] + ":00" + stamp[16:]
    assert dt.datetime.fromisoformat(written) == instant  # the same instant, whatever the zone


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        clock_text(dt.datetime(2022, 3, 27, 6, 2), KYIV)
    with pytest.raises(ValueError, match="has no time zone"):
        offset_text(dt.datetime(2022, 3, 27, 6, 2))
