"""The offline map file: one self-contained HTML file that opens from file:// with the network blocked
and shows every layer (Leaflet inlined from the installed package, data and both catalogues embedded)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from safepassage.services.map_view import map_bundle
from safepassage.web import catalogue, write_offline_map
from safepassage.web.offline import offline_html
from web._browser import layer_counts, opened_page


@pytest.fixture(scope="module")
def public_bundle(demo_planned: Any, demo_feed_reports: list[Any]) -> dict[str, Any]:
    from safepassage.monitor.merge import merge_reports

    return map_bundle(
        demo_planned.scenario,
        demo_planned.networks,
        demo_planned.plan,
        incidents=merge_reports(demo_feed_reports),
        reports=demo_feed_reports,
    )


def _active(closure: dict[str, Any], t_s: float) -> bool:
    start = -float("inf") if closure["from_s"] is None else closure["from_s"]
    end = float("inf") if closure["to_s"] is None else closure["to_s"]
    return start <= t_s < end


def test_the_file_holds_everything_it_needs(public_bundle: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "usb" / "map.html"
    size = write_offline_map(path, public_bundle, "uk")
    html = path.read_text(encoding="utf-8")
    assert size == len(html.encode("utf-8"))
    assert '<html lang="uk">' in html
    # no reference to anything outside the file: no src=, no href= to a file or host, no url() but data:
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=""", html)
    assert all(u.startswith(("data:", "#")) for u in re.findall(r"url\(([^)]*)\)", html))
    assert "window.SAFEPASSAGE_OFFLINE=" in html
    assert catalogue("uk")["app.title"] in html
    assert catalogue("en")["app.title"] in html
    with pytest.raises(ValueError, match="public data only"):
        write_offline_map(tmp_path / "x.html", {**public_bundle, "viewer": "coordinator"}, "en")
    with pytest.raises(ValueError, match="language"):
        offline_html(public_bundle, "fr")


def test_the_file_opens_from_file_url_with_the_network_blocked(
    browser: Any, public_bundle: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    path = tmp_path / "map.html"
    write_offline_map(path, public_bundle, "uk")
    with opened_page(browser, path.as_uri(), locale="en-GB") as (page, blocked, errors):
        counts = layer_counts(page)
        assert counts["roads"] == len(public_bundle["basemap"]["roads"])
        assert counts["corridors"] == len(public_bundle["corridors"])
        assert counts["routes"] == len(public_bundle["routes"])
        assert counts["origins"] == len(public_bundle["origins"])
        assert counts["destinations"] == len(public_bundle["destinations"])
        assert counts["incidents"] == sum(1 for i in public_bundle["incidents"] if i["observed_s"] <= 0)
        assert counts["closures"] == sum(1 for c in public_bundle["closures"] if _active(c, 0.0))
        assert counts["groups"] == 0  # exact times of movements are not in a public file
        # the file chose the language it was written in, and the switch still works (both embedded)
        assert page.locator("h1").inner_text() == catalogue("uk")["app.title"]
        assert page.locator("#online-controls").is_hidden()
        page.select_option("#lang", "en")
        expect(page.locator("h1")).to_have_text(catalogue("en")["app.title"])
        page.screenshot(path=str(shots / "offline-en.png"))
        assert blocked.urls == []
        assert errors == []


@pytest.mark.parametrize(("locale", "lang"), [("uk-UA", "uk"), ("en-GB", "en")])
def test_a_file_written_without_a_language_follows_the_browser_and_words_verdicts_from_fields(
    browser: Any, demo_planned: Any, demo_feed_reports: list[Any], tmp_path: Path, locale: str, lang: str
) -> None:
    from safepassage.monitor.merge import merge_reports
    from safepassage.monitor.verdict import judge_corridor

    incidents = merge_reports(demo_feed_reports)
    verdicts = [
        judge_corridor(c.id, [(w.lon, w.lat) for w in c.route], win.start, win.end, incidents, c.buffer_m)
        for c in demo_planned.scenario.corridors
        for win in c.ceasefire_windows
    ]
    bundle = map_bundle(
        demo_planned.scenario,
        demo_planned.networks,
        demo_planned.plan,
        verdicts=verdicts,
        withheld_incident_ids={i.id for i in incidents},  # as for a viewer: none of them published
    )
    reasons = [v["reason"] for c in bundle["corridors"] for v in c["verdicts"]]
    assert any(v.evidence for v in verdicts)
    path = tmp_path / "map.html"
    write_offline_map(path, bundle)
    words = catalogue(lang)
    with opened_page(browser, path.as_uri(), locale=locale) as (page, blocked, errors):
        expect(page.locator("h1")).to_have_text(words["app.title"])
        assert page.locator("html").get_attribute("lang") == lang
        panel = page.locator("#verdicts").text_content() or ""
        assert words["outcome.violated"] in panel
        assert words["evidence.withheld_line"].rsplit("% ", 1)[-1] in panel
        assert [r for r in reasons if r in panel] == []  # the rule's English sentence stays in the data
        assert blocked.urls == []
        assert errors == []
