"""Row errors name the physical line a row starts on, whatever the quoted newlines before it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.monitor.feeds import iter_feed
from safepassage.monitor.report import IncidentReport, RowError

HEADER = [
    "event_id_cnty", "event_date", "time_precision", "sub_event_type", "latitude", "longitude",
    "geo_precision", "location", "source", "source_scale", "notes", "fatalities",
]  # fmt: skip

_notes = st.text(alphabet="abc ,\n\"'", max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), _notes), min_size=1, max_size=12))
def test_error_lines_match_physical_lines(tmp_path: Path, rows: list[tuple[bool, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    starts = []
    for n, (good, notes) in enumerate(rows):
        starts.append(buffer.getvalue().count("\n") + 1)
        latitude = "47.1" if good else "not-a-number"
        writer.writerow(
            [
                f"UKR{n}",
                "05 March 2022",
                "1",
                "Armed clash",
                latitude,
                "37.5",
                "1",
                "Mariupol",
                "X",
                "National",
                notes,
                "0",
            ]
        )
    path = tmp_path / "acled_lines.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    items = list(iter_feed(path, "acled"))
    assert [isinstance(i, IncidentReport) for i in items] == [good for good, _ in rows]
    for item, start in zip(items, starts, strict=True):
        assert item.line == start
        if isinstance(item, RowError):
            assert "latitude 'not-a-number'" in item.reason
