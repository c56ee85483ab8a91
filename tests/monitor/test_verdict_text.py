"""verdict/3: what the evidence says - event codes, notes in Ukrainian, Russian and English, who is
held responsible - and the five evidence items a coordinator reads first.

Corridor 1 (Mariupol -> Zaporizhzhia, 5 March 2022, 07:00-14:00 UTC) as in test_verdict.py; the
reports are shaped like ACLED rows (day precision: 10:00 UTC +- 12 h, r = 5 km).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from safepassage.monitor.evidence_summary import party
from safepassage.monitor.evidence_text import mentions_movement, text_topics
from safepassage.monitor.merge import incident_from_reports, merge_reports
from safepassage.monitor.records import Incident, VerdictOutcome
from safepassage.monitor.report import IncidentReport
from safepassage.monitor.verdict import (
    MAX_EVIDENCE_ITEMS,
    RULE_VERSION,
    incident_kind_weight,
    judge_corridor,
)

from ._factories import report

ROUTE = ((37.5413, 47.0951), (36.82, 47.35), (35.8728, 47.5653), (35.7818, 47.5663), (35.1171, 47.8517))
START = dt.datetime(2022, 3, 5, 7, 0, tzinfo=dt.UTC)
END = dt.datetime(2022, 3, 5, 14, 0, tzinfo=dt.UTC)
DAY_NOON = dt.datetime(2022, 3, 5, 10, 0, tzinfo=dt.UTC)


def acled_row(
    source_id: str,
    notes: str,
    sub_event_type: str = "Shelling/artillery/missile attack",
    actor1: str = "Military Forces of Russia (2000-)",
    source_name: str = "Ukrinform; Suspilne Media",
    lat: float = 47.35,
    lon: float = 36.82,
    feed: str = "acled",
) -> IncidentReport:
    base = report(feed, source_id, lat=lat, lon=lon, source_name=source_name, time_uncertainty_s=43_200.0)
    return dataclasses.replace(
        base,
        observed_at=DAY_NOON,
        description=notes,
        raw={"sub_event_type": sub_event_type, "actor1": actor1, "notes": notes},
    )


def one(row: IncidentReport) -> Incident:
    return incident_from_reports([row])


def judge(rows: list[IncidentReport]):  # type: ignore[no-untyped-def]
    return judge_corridor("hc-1", ROUTE, START, END, merge_reports(rows))


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("Russian forces shelled the buses waiting to evacuate civilians", {"transport", "evacuation"}),
        ("Обстріляли гуманітарну колону з евакуйованими", {"humanitarian", "evacuation", "transport"}),
        ("Несмотря на договоренность о режиме тишины обстреляли автобусы", {"ceasefire", "transport"}),
        (
            "shelling despite the agreement on a humanitarian corridor",
            {"ceasefire", "corridor", "humanitarian"},
        ),
        ("A Russian military convoy entered the town; колона техніки", set()),  # military columns
        ("the fleet; an omnibus; he said; penal колонія; Busk", set()),  # word starts only
    ],
)
def test_note_topics_in_three_languages_on_word_starts(text: str, topics: set[str]) -> None:
    assert text_topics(text) == topics


def test_a_day_dated_shelling_whose_notes_speak_of_the_evacuation_counts_in_the_window() -> None:
    plain = judge([acled_row("1", "On 5 March 2022, Russian forces shelled Rozivka.")])
    tied = judge([acled_row("1", "On 5 March 2022, Russian forces shelled buses gathering to evacuate.")])
    # Two outlets: belief 0.64. Without a tie the day spans 24 h of which 7 are the window.
    assert plain.evidence[0].weight == pytest.approx(0.64 * 7 / 24, rel=1e-3)
    assert tied.evidence[0].weight == pytest.approx(0.64, rel=1e-3)
    assert plain.outcome is not VerdictOutcome.VIOLATED
    assert tied.outcome is VerdictOutcome.VIOLATED
    assert tied.rule_version == RULE_VERSION == "verdict/3"
    assert "place it in the evacuation or the ceasefire" in tied.evidence[0].when


def test_event_codes_weigh_what_the_codebook_says() -> None:
    assert incident_kind_weight(one(acled_row("1", "", "Disrupted weapons use"))) == pytest.approx(0.3)
    assert incident_kind_weight(one(acled_row("2", "", "Abduction/forced disappearance"))) == pytest.approx(
        0.8
    )
    assert incident_kind_weight(one(acled_row("3", "", "Non-state actor overtakes territory"))) == 1.0
    looting = acled_row("4", "Soldiers looted the trucks", "Looting/property destruction")
    aid = acled_row("5", "Soldiers looted a humanitarian aid convoy", "Looting/property destruction")
    assert incident_kind_weight(one(looting)) == pytest.approx(0.3)
    assert incident_kind_weight(one(aid)) == pytest.approx(0.8)


def test_at_most_five_evidence_items_each_saying_what_where_when_who_how_sure() -> None:
    rows = [
        acled_row(str(n), f"Shelling of Rozivka area {n}", lat=47.35 + n * 0.01, lon=36.82 + n * 0.02)
        for n in range(8)
    ]
    result = judge(rows)
    assert len(result.evidence) == MAX_EVIDENCE_ITEMS
    assert "the 5 strongest of 8 incidents listed" in result.reason
    first = result.evidence[0]
    assert first.what.startswith("shelling (Shelling/artillery/missile attack)")
    assert "from the route" in first.where or first.where.startswith("on the route")
    assert first.when.startswith("dated only to 05 Mar (±12 h); 29% of that span lies in the window")
    assert first.who == (
        "acled: Ukrinform; Suspilne Media; attributed to Russian or Russian-backed forces (per acled)"
    )
    assert first.how_sure == "belief 0.64, 2 outlet(s) in 1 feed(s); decisive (2 independent outlets)"


def test_conflicting_attributions_stand_side_by_side_and_do_not_change_the_weight() -> None:
    ours = acled_row("1", "Shelling of the corridor", actor1="Military Forces of Russia (2000-)")
    theirs = dataclasses.replace(
        acled_row(
            "2", "Shelling of the corridor", actor1="Military Forces of Ukraine (2019-)", feed="geojson"
        ),
        source_name="RIA Novosti",
    )
    result = judge([ours, theirs])
    (item,) = result.evidence
    assert (
        "Russian or Russian-backed forces (per acled); Ukrainian forces (per geojson) - claims differ"
        in item.who
    )
    alone = judge([ours])
    assert item.weight > alone.evidence[0].weight  # a third outlet raises belief; blame does not count


def test_parties_named_in_three_languages() -> None:
    assert party("Military Forces of Russia (2000-)") == "Russian or Russian-backed forces"
    assert party("NAF: United Armed Forces of Novorossiya") == "Russian or Russian-backed forces"
    assert party("Збройні сили України") == "Ukrainian forces"
    assert party("Unidentified Armed Group (Ukraine)") == "Unidentified Armed Group (Ukraine)"
    assert party("") == ""
    assert mentions_movement("гуманитарный коридор")
