"""The evacuation planner: capacity- and window-aware plans with a proven lower bound, and their checker.

``plan_evacuation(scenario, mode="exact" | "fast", max_delay=0.0)`` returns a ``safepassage-plan/1``
:class:`Plan` (see ``safepassage.planner.solve`` for the method and what the bound proves);
``replan(plan, incident, now, scenario=...)`` re-plans the people not yet gone after an incident.
"""

from safepassage.planner.plan_file import Plan, read_plan, write_plan
from safepassage.planner.replan import replan
from safepassage.planner.solve import PlanningMode, plan_evacuation

__all__ = ["Plan", "PlanningMode", "plan_evacuation", "read_plan", "replan", "write_plan"]
