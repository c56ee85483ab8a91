"""Planning runs as background jobs: one worker thread, progress by stage, the plan stored at the end.

A job's record lives in this process (``GET /api/plans/jobs/{id}``); the plan it produces is stored
(and announced on the stream as a finished plan), so other processes see the result.
"""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from safepassage.errors import SafePassageError
from safepassage.services import api_support
from safepassage.store import Store

__all__ = ["Job", "PlanJobs"]

STAGES = {"queued": 0.0, "loading": 0.1, "planning": 0.3, "storing": 0.9, "done": 1.0}


@dataclass(frozen=True)
class Job:
    """A planning run: state ``queued``/``running``/``done``/``failed``, stage and progress 0..1."""

    id: str
    scenario_id: int
    state: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    plan_id: int | None = None
    error: dict[str, str] | None = field(default=None)


class PlanJobs:
    """Runs plans one at a time in a worker thread and keeps their records."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="safepassage-plan")
        self.geojson: dict[int, dict[str, Any]] = {}

    def start(self, scenario_id: int, mode: str, max_delay: float, actor: str) -> Job:
        """Queue a plan of the stored scenario (checked to exist first)."""
        api_support.get_scenario(self.store, scenario_id)
        job = Job(id=uuid.uuid4().hex, scenario_id=scenario_id)
        self._set(job)
        self._pool.submit(self._run, job, mode, max_delay, actor)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job's record, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs; wait for the running one."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _set(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def _stage(self, job: Job, stage: str) -> Job:
        job = replace(job, state="running", stage=stage, progress=STAGES[stage])
        self._set(job)
        return job

    def _run(self, job: Job, mode: str, max_delay: float, actor: str) -> None:
        from safepassage.geojson import feature_collection, map_features
        from safepassage.services.planning import plan_scenario
        from safepassage.services.scenarios import parse_scenario_text

        try:
            job = self._stage(job, "loading")
            stored = api_support.get_scenario(self.store, job.scenario_id)
            scenario = parse_scenario_text(json.dumps(stored.document), label=f"scenario {job.scenario_id}")
            job = self._stage(job, "planning")
            planned = plan_scenario(scenario, mode=mode, max_delay=max_delay)
            job = self._stage(job, "storing")
            document = json.loads(planned.plan.model_dump_json())
            plan_id = api_support.store_plan(
                self.store, document, f"planned through the API ({mode})", job.scenario_id, actor
            )
            self.geojson[plan_id] = feature_collection(map_features(scenario, planned.networks, planned.plan))
            self._set(replace(job, state="done", stage="done", progress=1.0, plan_id=plan_id))
        except SafePassageError as exc:
            self._set(replace(job, state="failed", error={"code": exc.code, "message": exc.message}))
        except Exception as exc:  # a bug: recorded on the job rather than lost in the worker thread
            self._set(replace(job, state="failed", error={"code": "ERROR", "message": repr(exc)}))
