"""Vehicles: bus, minibus, ambulance, train and private-car schedules a dispatcher can act on.

The unit of a fleet plan is the **vehicle**: its round trips depot -> pickup point -> destination,
with street routes and times. The result is a ``safepassage-schedule/1`` :class:`Schedule`
(``fleet/schedule.py``, documented in ``docs/schedule-format.md``), re-verified independently by
``fleet/check.py`` and printed as a dispatch sheet by ``fleet/sheet.py`` and ``fleet/sheet_html.py``.
"""

from safepassage.fleet.schedule import SCHEDULE_FORMAT, Schedule, read_schedule, write_schedule

__all__ = ["SCHEDULE_FORMAT", "Schedule", "read_schedule", "write_schedule"]
