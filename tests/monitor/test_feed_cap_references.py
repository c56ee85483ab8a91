"""CAP in Ukrainian and Russian, and CAP Cancel / Update: a cancelled alert's closure ends when cancelled.

Issue 7 item 10: an alert whose only ``<info>`` is Ukrainian (``<event>Обстріл</event>``) was
classed ``other`` and closed nothing while its English twin closed roads; a ``Cancel`` naming it
in ``<references>`` was skipped, so the road stayed closed to the horizon.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from safepassage.hazards import link_closures
from safepassage.monitor.feeds import iter_feed, resolve_references
from safepassage.monitor.merge import merge_reports
from safepassage.monitor.replay import REPORT_HALF_LIFE_S, report_hazard
from safepassage.monitor.report import IncidentReport, RowError
from safepassage.scenario import HazardKind, Verification
from safepassage.store import Store
from safepassage.store.ingest import ingest_feed
from safepassage.store.queries import incident_reports
from scenario_builder import square_scenario

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
SENDER = "ova@zoda.gov.ua"


def _info(event: str, lat: float, lon: float, *, language: str = "uk-UA", onset: str = "") -> str:
    onset_tag = f"<onset>{onset}</onset>" if onset else ""
    return f"""
    <info>
      <language>{language}</language>
      <category>Safety</category>
      <event>{event}</event>
      <urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty>
      {onset_tag}
      <senderName>Запорізька обласна військова адміністрація</senderName>
      <area><areaDesc>район</areaDesc><circle>{lat},{lon} 0.5</circle></area>
    </info>"""


def _alert(
    identifier: str,
    sent: str,
    *,
    msg_type: str = "Alert",
    references: str = "",
    infos: str = "",
    sender: str = SENDER,
) -> str:
    refs = f"<references>{references}</references>" if references else ""
    return f"""
  <alert xmlns="{CAP_NS}">
    <identifier>{identifier}</identifier>
    <sender>{sender}</sender>
    <sent>{sent}</sent>
    <status>Actual</status>
    <msgType>{msg_type}</msgType>
    <scope>Public</scope>
    {refs}{infos}
  </alert>"""


def _write(path: Path, *alerts: str) -> Path:
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<alerts>{"".join(alerts)}\n</alerts>\n', "utf-8"
    )
    return path


def _reports(path: Path) -> list[IncidentReport]:
    items = list(iter_feed(path))
    assert [i for i in items if isinstance(i, RowError)] == []
    return [i for i in items if isinstance(i, IncidentReport)]


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ("Обстріл", HazardKind.SHELLING),
        ("Shelling", HazardKind.SHELLING),
        ("Обстрел", HazardKind.SHELLING),
        ("Повітряна тривога", HazardKind.AIR_RAID_ALERT),
        ("Воздушная тревога", HazardKind.AIR_RAID_ALERT),
        ("Ракетний удар", HazardKind.MISSILE),
        ("Загроза мінування дороги", HazardKind.MINES),
        ("Вуличні бої", HazardKind.FIGHTING),
        ("Зруйновано міст", HazardKind.BRIDGE_DOWN),
    ],
)
def test_cap_event_in_ukrainian_or_russian_has_its_kind(tmp_path: Path, event: str, kind: HazardKind) -> None:
    path = _write(
        tmp_path / "one.xml", _alert("UA-1", "2022-03-05T09:00:00+02:00", infos=_info(event, 47.8, 35.1))
    )
    (report,) = _reports(path)
    assert report.kind is kind


def test_ukrainian_alert_closes_the_same_roads_as_its_english_twin(tmp_path: Path, square) -> None:
    drawn, network = square
    lat, lon = drawn.lat_lon["e"]
    closed = []
    for name, event in (("uk", "Обстріл"), ("en", "Artillery shelling")):
        path = _write(
            tmp_path / f"{name}.xml",
            _alert(f"UA-{name}", "2022-03-05T09:00:00+02:00", infos=_info(event, lat, lon)),
        )
        (report,) = _reports(path)
        hazard = report_hazard(report)
        assert hazard is not None
        closures = link_closures(network, square_scenario(drawn, hazards=[hazard.model_dump(by_alias=True)]))
        closed.append(sorted(set(closures.link.tolist())))
    assert closed[0] == closed[1]
    assert len(closed[0]) == network.link_count  # a 1 km circle round e covers the whole block


def test_cancelled_alert_closure_ends_at_the_cancel_time(tmp_path: Path, square) -> None:
    drawn, network = square
    lat, lon = drawn.lat_lon["e"]
    path = _write(
        tmp_path / "cancel.xml",
        _alert("UA-7", "2022-03-05T09:00:00+02:00", infos=_info("Обстріл", lat, lon)),
        _alert(
            "UA-8",
            "2022-03-05T10:30:00+02:00",
            msg_type="Cancel",
            references=f"{SENDER},UA-7,2022-03-05T09:00:00+02:00",
        ),
    )
    reports = _reports(path)
    assert [(r.source_id, r.lat) for r in reports] == [("UA-7", pytest.approx(lat, abs=0.01)), ("UA-8", None)]
    alert, cancel = resolve_references(reports)
    assert alert.ended_at == dt.datetime(2022, 3, 5, 8, 30, tzinfo=dt.UTC)
    assert cancel.kind is HazardKind.OTHER
    assert cancel.lat is None
    hazard = report_hazard(alert)
    assert hazard is not None
    scenario = square_scenario(drawn, hazards=[hazard.model_dump(by_alias=True)])
    closures = link_closures(network, scenario)
    assert set(closures.from_s.tolist()) == {3600.0}  # 09:00 local, an hour after the start
    assert set(closures.to_s.tolist()) == {9000.0}  # 10:30 local: closed until the cancel, not the horizon
    assert scenario.seconds_since_start(alert.ended_at) == 9000.0
    assert np.all(closures.open_at(9000.0))
    assert not np.any(closures.open_at(8999.0))


def test_without_the_cancel_the_closure_runs_its_full_course(tmp_path: Path, square) -> None:
    drawn, network = square
    lat, lon = drawn.lat_lon["e"]
    path = _write(
        tmp_path / "a.xml", _alert("UA-7", "2022-03-05T09:00:00+02:00", infos=_info("Обстріл", lat, lon))
    )
    (alert,) = resolve_references(_reports(path))
    hazard = report_hazard(alert)
    assert hazard is not None
    closures = link_closures(network, square_scenario(drawn, hazards=[hazard.model_dump(by_alias=True)]))
    # No end given: the report closes roads for its first half-life (3 h), far past the cancel time.
    assert set(closures.to_s.tolist()) == {3600.0 + REPORT_HALF_LIFE_S}


def test_update_replaces_the_alert_it_references(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "update.xml",
        _alert("UA-1", "2022-03-05T09:00:00+02:00", infos=_info("Обстріл", 47.8, 35.1)),
        _alert(
            "UA-2",
            "2022-03-05T09:45:00+02:00",
            msg_type="Update",
            references=f"{SENDER},UA-1,2022-03-05T09:00:00+02:00",
            infos=_info("Обстріл", 47.9, 35.2),
        ),
    )
    first, second = resolve_references(_reports(path))
    assert first.ended_at == dt.datetime(
        2022, 3, 5, 7, 45, tzinfo=dt.UTC
    )  # replaced when the update was sent
    assert second.ended_at is None
    assert second.lat == pytest.approx(47.9, abs=0.01)
    assert second.raw["msgType"] == "Update"


def test_cancel_from_another_sender_ends_nothing(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "spoof.xml",
        _alert("UA-1", "2022-03-05T09:00:00+02:00", infos=_info("Обстріл", 47.8, 35.1)),
        _alert(
            "X-9",
            "2022-03-05T09:10:00+02:00",
            msg_type="Cancel",
            sender="someone@else.example",
            references="someone@else.example,UA-1,2022-03-05T09:00:00+02:00",
        ),
    )
    alert, _ = resolve_references(_reports(path))
    assert alert.ended_at is None


def test_cancel_before_onset_voids_the_alert_and_keeps_a_later_expiry_short(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "early.xml",
        _alert(
            "UA-1",
            "2022-03-05T09:00:00+02:00",
            infos=_info("Обстріл", 47.8, 35.1, onset="2022-03-05T11:00:00+02:00"),
        ),
        _alert("UA-2", "2022-03-05T10:00:00+02:00", msg_type="Cancel", references=f"{SENDER},UA-1,x"),
    )
    alert, _ = resolve_references(_reports(path))
    assert alert.verification is Verification.REJECTED  # withdrawn by its issuer before it applied
    assert alert.ended_at == alert.observed_at
    assert resolve_references([alert]) == [alert]  # applying twice changes nothing


def test_cancel_without_references_is_a_row_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.xml", _alert("UA-3", "2022-03-05T09:00:00+02:00", msg_type="Cancel"))
    (error,) = list(iter_feed(path))
    assert isinstance(error, RowError)
    assert "names no earlier alert" in error.reason
    assert error.line == 3


def test_cancel_in_a_later_file_ends_the_stored_alert_when_merged(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "first.xml",
        _alert("UA-7", "2022-03-05T09:00:00+02:00", infos=_info("Обстріл", 47.8, 35.1)),
    )
    second = _write(
        tmp_path / "second.xml",
        _alert("UA-8", "2022-03-05T10:30:00+02:00", msg_type="Cancel", references=f"{SENDER},UA-7,x"),
    )
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        for path in (first, second):
            tally = ingest_feed(store, path, None, "tester")
            assert tally.new == 1
            assert tally.malformed == []
        with store.reading() as session:
            stored = incident_reports(session)
    incidents = {i.report_keys: i for i in merge_reports(stored)}
    assert incidents[(("cap", "UA-7"),)].ended_at == dt.datetime(2022, 3, 5, 8, 30, tzinfo=dt.UTC)
    cancel_incident = incidents[(("cap", "UA-8"),)]  # every report still ends in one incident
    assert cancel_incident.lat is None
    assert cancel_incident.kind is HazardKind.OTHER
