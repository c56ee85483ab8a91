"""The map page: a live map of corridors, incidents and the plan, served by the API's app, and the
same map as one offline HTML file (see docs/web.md).

``router`` (``safepassage.web.routes``) is added to the API's app; :func:`write_offline_map` writes
the offline file; :func:`translate_error` gives the API's error messages in Ukrainian.
"""

from safepassage.web.i18n import LANGUAGES, catalogue, choose_language, translate_error
from safepassage.web.offline import write_offline_map, write_scenario_map
from safepassage.web.routes import router

__all__ = [
    "LANGUAGES",
    "catalogue",
    "choose_language",
    "router",
    "translate_error",
    "write_offline_map",
    "write_scenario_map",
]
