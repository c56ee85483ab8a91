"""Fleet runs as background jobs, like plans (:mod:`safepassage.api.jobs`): one worker thread,
progress by stage, the schedule stored at the end (and announced on the stream as a finished
schedule, so other processes see it)."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from safepassage.errors import SafePassageError
from safepassage.services import api_support
from safepassage.store import Store

__all__ = ["ScheduleJob", "ScheduleJobs"]

STAGES = {"queued": 0.0, "loading": 0.1, "scheduling": 0.3, "storing": 0.9, "done": 1.0}


@dataclass(frozen=True)
class ScheduleJob:
    """A fleet run: state ``queued``/``running``/``done``/``failed``, stage and progress 0..1."""

    id: str
    scenario_id: int
    state: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    schedule_id: int | None = None
    error: dict[str, str] | None = field(default=None)


class ScheduleJobs:
    """Runs fleet schedules one at a time in a worker thread and keeps their records."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._jobs: dict[str, ScheduleJob] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="safepassage-fleet")

    def start(self, scenario_id: int, method: str, time_limit_s: float, actor: str) -> ScheduleJob:
        """Queue a fleet run for the stored scenario (checked to exist first)."""
        api_support.get_scenario(self.store, scenario_id)
        job = ScheduleJob(id=uuid.uuid4().hex, scenario_id=scenario_id)
        self._set(job)
        self._pool.submit(self._run, job, method, time_limit_s, actor)
        return job

    def get(self, job_id: str) -> ScheduleJob | None:
        """The job's record, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def shutdown(self) -> None:
        """Stop taking jobs; wait for the running one."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _set(self, job: ScheduleJob) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def _stage(self, job: ScheduleJob, stage: str) -> ScheduleJob:
        job = replace(job, state="running", stage=stage, progress=STAGES[stage])
        self._set(job)
        return job

    def _run(self, job: ScheduleJob, method: str, time_limit_s: float, actor: str) -> None:
        from safepassage.services.fleet import schedule_fleet, store_schedule
        from safepassage.services.scenarios import parse_scenario_text

        try:
            job = self._stage(job, "loading")
            stored = api_support.get_scenario(self.store, job.scenario_id)
            scenario = parse_scenario_text(json.dumps(stored.document), label=f"scenario {job.scenario_id}")
            job = self._stage(job, "scheduling")
            run = schedule_fleet(scenario, method=method, time_limit_s=time_limit_s)
            job = self._stage(job, "storing")
            schedule_id = store_schedule(
                self.store,
                run.schedule,
                f"scheduled through the API ({method})",
                actor,
                scenario_id=job.scenario_id,
            )
            self._set(replace(job, state="done", stage="done", progress=1.0, schedule_id=schedule_id))
        except SafePassageError as exc:
            self._set(replace(job, state="failed", error={"code": exc.code, "message": exc.message}))
        except Exception as exc:  # a bug: recorded on the job rather than lost in the worker thread
            self._set(replace(job, state="failed", error={"code": "ERROR", "message": repr(exc)}))
