"""The vehicles layer of the map page in a real browser against `safepassage serve --demo` (which
schedules the demo's buses at start-up): as many buses drawn as the stored schedule has on the road
at the slider's time, moving with the slider, labelled from the catalogues, and absent for a viewer."""

from __future__ import annotations

import time
from typing import Any

import pytest

from safepassage.web import catalogue
from web._browser import DemoServer, opened_page
from web.test_vehicles_bundle import on_the_road

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_schedule(demo_server: DemoServer) -> Any:
    """The bus schedule `serve --demo` stored (read from its store, not through the page)."""
    from safepassage.services.fleet import list_schedules, stored_schedule
    from safepassage.store import Store

    store = Store.open(demo_server.db_url, migrate=False)
    try:
        deadline = time.monotonic() + 240.0
        while not list_schedules(store):
            assert time.monotonic() < deadline, "serve --demo stored no schedule in 240 s"
            time.sleep(0.5)
        return stored_schedule(store, list_schedules(store)[-1].id)[1]
    finally:
        store.close()


def _set_time(page: Any, t_s: float, lang: str = "en") -> None:
    page.get_by_label(catalogue(lang)["time.label"]).fill(str(int(t_s)))


def _positions(page: Any) -> list[str]:
    return list(page.locator("path.sp-vehicle").evaluate_all("ps => ps.map(p => p.getAttribute('d'))"))


def test_the_layer_shows_the_buses_on_the_road_and_moves_them(
    browser: Any, demo_server: DemoServer, served_schedule: Any
) -> None:
    busy = max(range(0, 4 * 3600, 60), key=lambda t: on_the_road(served_schedule, t))
    total = sum(1 for v in served_schedule.vehicles if v.trips)
    token = demo_server.tokens["coordinator"]
    for lang, locale in (("en", "en-GB"), ("uk", "uk-UA")):
        texts = catalogue(lang)
        with opened_page(browser, demo_server.base_url + "/", locale=locale, token=token) as (
            page,
            blocked,
            errors,
        ):
            assert page.locator("label[for='toggle-vehicles']").inner_text() == texts["layer.vehicles"]
            for t_s in (busy, busy + 600.0, 0.0):
                _set_time(page, t_s, lang)
                expected = on_the_road(served_schedule, t_s)
                assert page.locator("path.sp-vehicle").count() == expected, f"at {t_s} s"
                summary = texts["vehicles.moving"].format(moving=expected, total=total)
                assert page.locator("#vehicle-summary").inner_text() == summary
            _set_time(page, busy, lang)
            before = _positions(page)
            _set_time(page, busy + 60, lang)
            after = _positions(page)
            assert before
            assert after
            assert set(before) != set(after)
            assert blocked.urls == []
            assert errors == []


def test_a_viewer_gets_no_vehicles_layer(browser: Any, demo_server: DemoServer, served_schedule: Any) -> None:
    busy = max(range(0, 4 * 3600, 60), key=lambda t: on_the_road(served_schedule, t))
    with opened_page(browser, demo_server.base_url + "/") as (page, blocked, errors):
        _set_time(page, busy)
        assert page.locator("path.sp-vehicle").count() == 0
        assert page.locator("#toggle-vehicles").count() == 0
        assert page.locator("#vehicle-summary").inner_text() == ""
        data = page.evaluate("() => JSON.stringify(window.safepassageMap.state.bundle)")
        assert '"vehicles"' not in data
        for vehicle in served_schedule.vehicles:
            assert f'"{vehicle.vehicle}"' not in data
        assert blocked.urls == []
        assert errors == []
