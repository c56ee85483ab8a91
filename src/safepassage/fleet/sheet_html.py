"""The dispatch sheet as one printable HTML page: self-contained, no script, no external assets.

The page holds the summary, one section per vehicle with its trips in order (leave, route by
street names, pickup, people, arrive, unloaded, then; every stop longer than a minute on a row of
its own: "wait at erottaja 08:27+02:00–09:00+02:00 (32 min, 50 aboard)"), the pickup points with
who is collected when, private-car slots, and the unserved people with the reason. Its look follows
the map page (``web/static/app.css``): system sans-serif font, the dark blue bar, a white panel on
the warm grey background, plain tables with thin grey rules. Print CSS puts each vehicle on its
own block (never split across pages where the printer allows), hides nothing, and prints in black
on white.
Every value is HTML-escaped (place ids and street names come from scenario files and OSM).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from safepassage.atomic_file import write_atomically
from safepassage.fleet.schedule import Schedule
from safepassage.fleet.sheet import (
    car_lines,
    needs_text,
    pickup_lines,
    summary_text,
    time_text,
    trip_lines,
    trip_waits,
    wait_text,
)
from safepassage.local_time import stamp_text

__all__ = ["sheet_html", "write_sheet_html"]

_STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: #1d1d1d; background: #f4f1ea; }
header { padding: 0.4rem 0.8rem; background: #17324d; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
header p { margin: 0.1rem 0 0; color: #dfe6ee; }
main { margin: 0.6rem; padding: 0.5rem 0.8rem; background: #fff; border: 1px solid #ccc; }
section.vehicle { break-inside: avoid; page-break-inside: avoid; margin: 0 0 1rem; }
h2 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
h3 { font-size: 0.95rem; margin: 0.5rem 0 0.2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.15rem 0.35rem; vertical-align: top; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.route, .muted { color: #555; }
.summary { margin: 0.2rem 0 0.6rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { font-size: 10.5px; color: #000; background: #fff; }
  header { background: none; color: #000; border-bottom: 2px solid #000; padding: 0 0 4px; }
  header p, .route, .muted { color: #000; }
  main { margin: 0; padding: 0; border: 0; }
  th, td { border-color: #999; }
}
"""


def _cells(values: list[str], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    return "".join(
        f'<td class="num">{escape(v)}</td>' if i in numeric else f"<td>{escape(v)}</td>"
        for i, v in enumerate(values)
    )


def _head(names: list[str]) -> str:
    return "<tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"


def sheet_html(schedule: Schedule) -> str:
    """The whole page as one string (UTF-8 HTML5)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Dispatch sheet — {escape(schedule.scenario.name)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<header><h1>Dispatch sheet — {escape(schedule.scenario.name)}</h1>",
        f"<p>Start {escape(time_text(schedule, 0.0))}, times in {escape(schedule.timezone)}; "
        f"made {escape(stamp_text(schedule.generated_at, schedule.zone()))}</p></header><main>",
        f'<p class="summary">{escape(summary_text(schedule))}</p>',
        "<h2>Vehicles</h2>",
    ]
    lines = trip_lines(schedule)
    for vehicle in schedule.vehicles:
        mine = [line for line in lines if line.vehicle == vehicle.vehicle]
        seats = f"{vehicle.seats} seats" + (
            f", places: {needs_text(vehicle.needs_capacity)}" if needs_text(vehicle.needs_capacity) else ""
        )
        parts.append(
            f'<section class="vehicle"><h3>{escape(vehicle.vehicle)} — {escape(vehicle.type)}, '
            f"{escape(seats)}, depot {escape(vehicle.depot)}</h3>"
        )
        if not mine:
            parts.append("<p>No trips.</p></section>")
            continue
        parts.append("<table>")
        parts.append(
            _head(
                [
                    "trip",
                    "leave",
                    "route to pickup",
                    "pickup",
                    "people",
                    "route to destination",
                    "arrive",
                    "unloaded",
                    "then",
                ]
            )
        )
        for line, trip in zip(mine, vehicle.trips, strict=True):
            parts.append(
                "<tr>"
                + _cells([str(line.trip), f"{line.leave_from} {line.leave_at}"])
                + f'<td class="route">{escape(line.route_to_pickup)}</td>'
                + _cells([line.pickup, f"{line.people:,}"], {1})
                + f'<td class="route">{escape(line.route_to_destination)}</td>'
                + _cells([f"{line.destination} {line.arrive}", line.unloaded, line.then])
                + "</tr>"
            )
            for wait in trip_waits(trip):
                text = wait_text(wait, lambda t: time_text(schedule, t))
                parts.append(f'<tr class="wait"><td></td><td colspan="8"><b>{escape(text)}</b></td></tr>')
        parts.append("</table></section>")
    parts.append("<h2>Pickup points</h2><table>")
    parts.append(_head(["point", "at", "vehicle", "trip", "people", "needs"]))
    for p in pickup_lines(schedule):
        parts.append(
            "<tr>"
            + _cells([p.point, p.at, p.vehicle, str(p.trip), f"{p.people:,}", p.needs], {3, 4})
            + "</tr>"
        )
    parts.append("</table>")
    if schedule.private_cars:
        parts.append("<h2>Private cars</h2><table>")
        parts.append(_head(["from", "slot", "cars", "people", "to", "by"]))
        for c in car_lines(schedule):
            values = [c.origin, c.slot, f"{c.vehicles:,}", f"{c.people:,}", c.destination, c.route]
            parts.append("<tr>" + _cells(values, {2, 3}) + "</tr>")
        parts.append("</table>")
    if schedule.unserved:
        parts.append("<h2>Unserved</h2><table>")
        parts.append(_head(["point", "people", "needs", "reason"]))
        for u in schedule.unserved:
            parts.append(
                "<tr>" + _cells([u.point, f"{u.people:,}", needs_text(u.needs), u.reason], {1}) + "</tr>"
            )
        parts.append("</table>")
    parts.append(
        f'<p class="route">Bound and gap: {escape(schedule.solver.method)} method. '
        f"Generated by Safe Passage ({escape(schedule.format)}).</p>"
    )
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def write_sheet_html(schedule: Schedule, path: str | Path) -> None:
    """Write :func:`sheet_html` to ``path`` atomically."""
    write_atomically(Path(path), sheet_html(schedule))
