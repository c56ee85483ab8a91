"""The map as ONE self-contained HTML file that opens from a USB stick with no server and no network.

:func:`write_offline_map` takes the page (``static/index.html``, ``app.js``, ``app.css``), inlines
Leaflet's script and style sheet read at run time from the installed ``xstatic-leaflet`` package (its
images become ``data:`` URIs), and embeds the map bundle and both catalogues (English and
Ukrainian) as ``window.SAFEPASSAGE_OFFLINE``. The page then draws every layer and runs the time
slider as online; it has no live updates and no report form (there is no server to send to).
The file is written atomically (``safepassage.atomic_file``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safepassage.atomic_file import write_atomically
from safepassage.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue
from safepassage.web.routes import leaflet_dir, static_dir

if TYPE_CHECKING:
    from safepassage.network import RoadNetwork
    from safepassage.planner.plan_file import Plan
    from safepassage.scenario.model import Scenario
    from safepassage.scenario.vocabulary import TravelMode

__all__ = ["offline_html", "write_offline_map", "write_scenario_map"]

_IMAGE_URL = re.compile(r"url\((images/[A-Za-z0-9_.-]+\.png)\)")


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> or <style> element it is inlined in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _leaflet_css() -> str:
    base = leaflet_dir()

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _IMAGE_URL.sub(inline, (base / "leaflet.css").read_text(encoding="utf-8"))


def offline_html(bundle: dict[str, Any], lang: str | None = None) -> str:
    """The page with everything inlined; ``lang`` (``en`` or ``uk``) is the language it opens in;
    None (the default): the browser's language (``navigator.languages``, uk -> Ukrainian, else
    English), like the live page. The reader can switch: both catalogues are embedded, and a
    switch is remembered."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    payload = {
        "bundle": {**bundle, "role": "viewer", "api": {}},
        "catalogues": {code: catalogue(code) for code in LANGUAGES},
        "lang": lang,
    }
    data = _script_safe(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
    static = static_dir()
    replacements = {
        "<!--LEAFLET_CSS-->": f"<style>{_script_safe(_leaflet_css())}</style>",
        "<!--APP_CSS-->": f"<style>{_script_safe((static / 'app.css').read_text(encoding='utf-8'))}</style>",
        "<!--DATA-->": f"<script>window.SAFEPASSAGE_OFFLINE={data};</script>",
        "<!--LEAFLET_JS-->": (
            f"<script>{_script_safe((leaflet_dir() / 'leaflet.js').read_text(encoding='utf-8'))}</script>"
        ),
        "<!--APP_JS-->": f"<script>{_script_safe((static / 'app.js').read_text(encoding='utf-8'))}</script>",
    }
    lines = []
    for line in (static / "index.html").read_text(encoding="utf-8").splitlines():
        marker = next((m for m in replacements if line.startswith(m)), None)
        lines.append(replacements[marker] if marker else line)
    opening = lang or DEFAULT_LANGUAGE  # the script sets the page's lang once it has chosen
    return "\n".join(lines).replace('<html lang="en">', f'<html lang="{opening}">') + "\n"


def write_offline_map(path: Path, bundle: dict[str, Any], lang: str | None = None) -> int:
    """Write :func:`offline_html` to ``path`` (folders created); returns its size in bytes.

    ``bundle``: a public (non-coordinator) :func:`~safepassage.services.map_view.map_bundle`, since
    a file travels on USB sticks; raises ValueError for a coordinator bundle or an unknown language.
    """
    if bundle.get("viewer") == "coordinator":
        raise ValueError("an offline map carries public data only; build the bundle with coordinator=False")
    html = offline_html(bundle, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, html)
    return len(html.encode("utf-8"))


def write_scenario_map(
    path: Path,
    scenario: Scenario,
    networks: Mapping[TravelMode, RoadNetwork],
    plan: Plan | None = None,
    lang: str | None = None,
) -> int:
    """The offline map of a scenario (and its plan), public data only, for the CLI's ``demo`` and
    ``plan --html``; returns the file's size in bytes."""
    from safepassage.services.map_view import map_bundle

    return write_offline_map(path, map_bundle(scenario, networks, plan), lang)
