"""The live map page in a real browser (Debian's Chromium, headless) against `safepassage serve --demo`.

Every page runs with the network to the outside blocked; the expected numbers are computed here from
the same demo data (the scenario, the bundled feed, the plan the server stored), never hard-coded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from safepassage.hazards import link_closures
from safepassage.monitor.merge import merge_reports
from safepassage.scenario.vocabulary import TravelMode
from safepassage.web import catalogue
from web._browser import DemoServer, layer_counts, opened_page

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_plan(demo_server: DemoServer) -> Any:
    """The plan `serve --demo` stored (read from its store, not through the page)."""
    from safepassage.services.planning import list_plans, stored_plan
    from safepassage.store import Store

    store = Store.open(demo_server.db_url, migrate=False)
    try:
        return stored_plan(store, list_plans(store)[-1].id)
    finally:
        store.close()


def _keep(shots: Path, path: Path) -> None:
    """Also copy a screenshot to $SAFEPASSAGE_WEB_SHOTS when set (for a report)."""
    extra = os.environ.get("SAFEPASSAGE_WEB_SHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def _expected(demo_planned: Any, feed: list[Any], plan: Any, t_s: float) -> dict[str, int]:
    """What a coordinator's page shows at ``t_s`` seconds after the start, from the domain objects."""
    scenario = demo_planned.scenario
    closures = link_closures(demo_planned.networks[TravelMode.DRIVE], scenario)
    groups = {
        (closures.reason[i], float(closures.from_s[i]), float(closures.to_s[i]))
        for i in range(closures.link.shape[0])
    }
    at = scenario.at(t_s)
    return {
        "corridors": len(scenario.corridors),
        "origins": len(scenario.origins),
        "destinations": len(scenario.destinations),
        "routes": len({(m.mode, tuple(m.path)) for m in plan.movements}),
        "groups": sum(1 for m in plan.movements if m.entry_times_s[0] <= t_s < m.entry_times_s[-1]),
        "closures": sum(1 for _, start, end in groups if start <= t_s < end),
        "incidents": sum(1 for h in scenario.hazards if h.observed_at <= at)
        + sum(1 for i in merge_reports(feed) if i.last_observed_at <= at),
    }


def _set_time(page: Any, t_s: float, lang: str = "en") -> None:
    """Move the time slider, found by its label (a labelled control), to ``t_s``."""
    page.get_by_label(catalogue(lang)["time.label"]).fill(str(int(t_s)))


def test_layers_show_the_expected_features_with_the_outside_blocked(
    browser: Any, demo_server: DemoServer, demo_planned: Any, demo_feed_reports: list[Any], served_plan: Any,
    shots: Path,
) -> None:  # fmt: skip
    token = demo_server.tokens["coordinator"]
    with opened_page(browser, demo_server.base_url + "/", token=token) as (page, blocked, errors):
        assert page.locator("#role").inner_text() == catalogue("en")["role.coordinator"]
        network = demo_planned.networks[TravelMode.DRIVE]
        assert layer_counts(page)["roads"] == len(set(network.link_way_id.tolist()))
        for t_s in (0.0, 2 * 3600.0, 3.5 * 3600.0, 12.5 * 3600.0):
            _set_time(page, t_s)
            counts = layer_counts(page)
            expected = _expected(demo_planned, demo_feed_reports, served_plan, t_s)
            assert {k: counts[k] for k in expected} == expected, f"at {t_s} s"
        page.screenshot(path=str(shots / "coordinator.png"))
        _keep(shots, shots / "coordinator.png")
        assert blocked.urls == []
        assert errors == []


def test_the_slider_moves_groups(browser: Any, demo_server: DemoServer, served_plan: Any) -> None:
    moving = [m for m in served_plan.movements if m.entry_times_s[-1] - m.entry_times_s[0] > 300]
    t_s = (moving[0].entry_times_s[0] // 60 + 1) * 60  # on the slider's one-minute steps
    token = demo_server.tokens["coordinator"]
    with opened_page(browser, demo_server.base_url + "/", token=token) as (page, blocked, _errors):
        _set_time(page, t_s)
        before = page.locator("path.sp-group").evaluate_all("ps => ps.map(p => p.getAttribute('d'))")
        _set_time(page, t_s + 120)
        after = page.locator("path.sp-group").evaluate_all("ps => ps.map(p => p.getAttribute('d'))")
        assert before
        assert after
        assert set(before) != set(after)
        # by keyboard: the slider is reached with Tab and moved with the arrow keys (one step = 60 s)
        slider = page.locator("#time")
        slider.focus()
        page.keyboard.press("ArrowRight")
        assert float(slider.input_value()) == t_s + 180
        assert page.locator("#time-text").inner_text().startswith("05/03")
        assert blocked.urls == []


def test_a_viewer_sees_no_exact_movement_times(
    browser: Any, demo_server: DemoServer, served_plan: Any
) -> None:
    t_s = served_plan.movements[0].entry_times_s[0] + 30.0
    with opened_page(browser, demo_server.base_url + "/") as (page, blocked, _errors):
        _set_time(page, t_s)
        assert layer_counts(page)["groups"] == 0
        assert page.locator("#role").inner_text() == catalogue("en")["role.viewer"]
        assert catalogue("en")["plan.restricted"] in page.locator("#plan-summary").inner_text()
        data = page.evaluate("() => JSON.stringify(window.safepassageMap.state.bundle)")
        assert '"entry_times_s"' not in data
        assert '"vehicles"' not in data
        assert blocked.urls == []


def test_a_report_by_clicking_the_map_appears_in_a_second_page(
    browser: Any, demo_server: DemoServer, demo_planned: Any, shots: Path
) -> None:
    en = catalogue("en")
    note = f"Crater across the road, seen at {dt.datetime.now(dt.UTC):%H:%M:%S}"
    watcher_token = demo_server.tokens["coordinator"]
    with opened_page(browser, demo_server.base_url + "/", token=watcher_token) as (watcher, blocked_w, _e):
        watcher.wait_for_selector("body[data-live='1']", timeout=20_000)
        watcher.evaluate("() => { window.notReloaded = true; }")
        _set_time(watcher, demo_planned.scenario.horizon_s)
        before = layer_counts(watcher)["incidents"]
        reporter_token = demo_server.tokens["reporter"]
        with opened_page(browser, demo_server.base_url + "/", token=reporter_token) as (
            page,
            blocked,
            errors,
        ):
            assert page.locator("#role").inner_text() == en["role.reporter"]
            box = page.locator("#map").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
            page.get_by_label(en["report.kind"]).select_option("road_damage")
            assert re.fullmatch(
                r"2022-03-05T08:00:00\+02:00", page.get_by_label(en["report.time"]).input_value()
            )
            page.get_by_label(en["report.source"]).fill("Field team 7")
            page.get_by_label(en["report.source_type"]).select_option("field_team")
            page.get_by_label(en["report.note"]).fill(note)
            page.get_by_role("button", name=en["report.submit"]).click()
            page.wait_for_function(
                "text => document.getElementById('report-result').textContent === text", arg=en["report.sent"]
            )
            page.screenshot(path=str(shots / "reporter.png"))
            assert blocked.urls == []
            assert errors == []
        # the watcher's page shows it through the stream, without a reload
        watcher.get_by_text(note).wait_for(timeout=20_000)
        assert watcher.evaluate("() => window.notReloaded") is True
        assert layer_counts(watcher)["incidents"] == before + 1
        watcher.screenshot(path=str(shots / "watcher-after-report.png"))
        assert blocked_w.urls == []


def _visible_chrome_text(page: Any) -> str:
    """The page's visible text without data written by its sources (marked translate="no"), plus its
    title and the accessible names (aria-label, title attributes) of every element."""
    return page.evaluate(
        """() => {
          const data = [...document.querySelectorAll('[translate="no"]')];
          data.forEach(n => { n.dataset.display = n.style.display; n.style.display = 'none'; });
          const text = document.body.innerText;
          data.forEach(n => { n.style.display = n.dataset.display; });
          const names = [...document.querySelectorAll('[aria-label],[title]')]
            .map(n => (n.getAttribute('aria-label') || '') + ' ' + (n.getAttribute('title') || ''));
          return [document.title, text, ...names].join('\\n');
        }"""
    )


def _english_fragments() -> set[str]:
    en, uk = catalogue("en"), catalogue("uk")
    fragments = set()
    for key, text in en.items():
        if text == uk[key] or key.startswith("error."):
            continue
        for part in re.split(r"\{[a-z_]+\}", text):
            part = part.strip(" .,:;·()→–%")
            if len(re.findall("[A-Za-z]", part)) >= 4:
                fragments.add(part)
    return fragments


def test_the_ukrainian_page_shows_no_english(
    browser: Any, demo_server: DemoServer, served_plan: Any, shots: Path
) -> None:
    token = demo_server.tokens["coordinator"]
    with opened_page(browser, demo_server.base_url + "/", locale="uk-UA", token=token) as (
        page,
        blocked,
        errors,
    ):
        uk = catalogue("uk")
        assert page.locator("html").get_attribute("lang") == "uk"
        assert page.locator("h1").inner_text() == uk["app.title"]
        busiest = sorted(m.entry_times_s[0] for m in served_plan.movements)[len(served_plan.movements) // 2]
        _set_time(page, (busiest // 60 + 1) * 60, "uk")  # groups on the move in the screenshot
        text = _visible_chrome_text(page)
        assert uk["verdicts.heading"] in text
        assert uk["report.col_source"] in text
        english = sorted(f for f in _english_fragments() if f in text)
        assert english == []
        page.screenshot(path=str(shots / "map-uk.png"))
        _keep(shots, shots / "map-uk.png")
        # the switch changes the language at once, without a reload
        page.select_option("#lang", "en")
        expect(page.locator("h1")).to_have_text(catalogue("en")["app.title"])
        assert blocked.urls == []
        assert errors == []


def test_readable_on_a_360_px_phone_with_labelled_controls(
    browser: Any, demo_server: DemoServer, shots: Path
) -> None:
    with opened_page(browser, demo_server.base_url + "/", locale="uk-UA", width=360, height=740) as (
        page,
        blocked,
        errors,
    ):
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        box = page.locator("#map").bounding_box()
        assert box["width"] >= 340
        assert box["height"] >= 300
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea, button')]
                 .filter(n => !n.closest('[hidden]'))
                 .filter(n => !(n.labels && n.labels.length) && !n.getAttribute('aria-label')
                              && !n.textContent.trim() && !n.getAttribute('title'))
                 .map(n => n.outerHTML)"""
        )
        assert unlabelled == []
        page.screenshot(path=str(shots / "phone-uk.png"), full_page=True)
        _keep(shots, shots / "phone-uk.png")
        assert blocked.urls == []
        assert errors == []
