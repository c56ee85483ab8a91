"""The use cases of Safe Passage: one core that every shell (cli, api, web) calls.

Each use case is a plain function that takes domain objects and plain values (a
:class:`~safepassage.store.Store`, a :class:`~safepassage.scenario.Scenario`, paths, ids, times),
returns domain records (frozen dataclasses of :mod:`safepassage.services.records` or of a lower
layer; never ORM rows or sessions), raises the errors of :mod:`safepassage.errors` and never prints.
Long runs take progress callbacks. The modules (imported on their own, so a shell loads only what a
command needs):

- :mod:`~safepassage.services.scenarios`: load a scenario, its networks and its findings; register it.
- :mod:`~safepassage.services.planning`: route, plan, check a plan, the demo.
- :mod:`~safepassage.services.reports`: ingest feeds, merge pending reports, add/show/list/review reports.
- :mod:`~safepassage.services.corridors`: import announcements, list, set status, history.
- :mod:`~safepassage.services.monitoring`: judge corridors and notify; replay feeds and store the run.
- :mod:`~safepassage.services.figures`: import, add and compare claimed figures side by side.
- :mod:`~safepassage.services.audit`: verify the event log, anchor it, read it.
- :mod:`~safepassage.services.records`: the record types the use cases return.

See docs/design.md, section "Services".
"""

__all__: list[str] = []
