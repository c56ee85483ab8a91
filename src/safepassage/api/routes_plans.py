"""Scenarios (upload YAML, list, read, validate) and plans (start a background run, follow it,
read, GeoJSON, check)."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from safepassage.api.auth import require_role
from safepassage.api.deps import RowId, get_store, one_writer
from safepassage.api.jobs import PlanJobs
from safepassage.api.models import JobOut, PlanOut, PlanRequest, ScenarioOut, ValidationOut
from safepassage.errors import InputError, UnknownIdError
from safepassage.services import api_support
from safepassage.services.users import Role, UserRecord
from safepassage.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/api")
YAML_BODY = Body(media_type="application/yaml", description="The scenario file (docs/scenario-format.md).")


def _jobs(request: Request) -> PlanJobs:
    jobs = request.app.state.jobs
    assert isinstance(jobs, PlanJobs)
    return jobs


async def _yaml_text(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the scenario is not UTF-8 text") from None


@router.post(
    "/scenarios",
    response_model=ScenarioOut,
    status_code=201,
    tags=["scenarios"],
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}
    },
)
def upload_scenario(
    text: Annotated[str, Depends(_yaml_text)],
    user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> ScenarioOut:
    """Store a scenario (YAML) and its corridors; the same scenario twice is one record."""
    from safepassage.services.scenarios import parse_scenario_text, register_scenario

    scenario = parse_scenario_text(text, label="uploaded scenario")
    with one_writer():
        scenario_id, _keys = register_scenario(store, scenario, user.name, "uploaded through the API")
    stored = api_support.get_scenario(store, scenario_id)
    return ScenarioOut(id=stored.id, name=stored.label, recorded_at=stored.at, document=stored.document)


@router.post(
    "/scenarios/validate",
    response_model=ValidationOut,
    tags=["scenarios"],
    openapi_extra={
        "requestBody": {"content": {"application/yaml": {"schema": {"type": "string"}}}, "required": True}
    },
)
def validate_scenario(
    text: Annotated[str, Depends(_yaml_text)],
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
) -> ValidationOut:
    """What must be fixed before planning (422 ``SCENARIO_INVALID`` when the file itself is invalid)."""
    from safepassage.services.scenarios import parse_scenario_text, prepare_scenario

    ready = prepare_scenario(parse_scenario_text(text, label="uploaded scenario"))
    findings = [
        {"severity": str(f.severity), "code": str(getattr(f, "code", "")), "message": str(f)}
        for f in ready.findings
    ]
    return ValidationOut(ok=not ready.errors, findings=findings)


@router.get("/scenarios", response_model=list[ScenarioOut], tags=["scenarios"])
def list_scenarios(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[ScenarioOut]:
    """Every stored scenario (without documents)."""
    return [ScenarioOut(id=s.id, name=s.label, recorded_at=s.at) for s in api_support.list_scenarios(store)]


@router.get("/scenarios/{scenario_id}", response_model=ScenarioOut, tags=["scenarios"])
def read_scenario(
    scenario_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> ScenarioOut:
    """A stored scenario with its document (aid convoy movements for coordinators only)."""
    s = api_support.get_scenario(store, scenario_id)
    return ScenarioOut(id=s.id, name=s.label, recorded_at=s.at, document=s.document)


@router.post("/plans", response_model=JobOut, status_code=202, tags=["plans"])
def start_plan(
    body: PlanRequest,
    request: Request,
    user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
) -> JobOut:
    """Start planning a stored scenario in the background; follow ``/api/plans/jobs/{id}``."""
    job = _jobs(request).start(body.scenario_id, body.mode, body.max_delay, user.name)
    return JobOut.model_validate(dataclasses.asdict(job))


@router.get("/plans/jobs/{job_id}", response_model=JobOut, tags=["plans"])
def plan_job(
    job_id: str,
    request: Request,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
) -> JobOut:
    """A planning run: state, stage, progress, and the plan id when done."""
    job = _jobs(request).get(job_id)
    if job is None:
        raise UnknownIdError(f"no planning job {job_id!r} in this server")
    return JobOut.model_validate(dataclasses.asdict(job))


@router.get("/plans", response_model=list[PlanOut], tags=["plans"])
def list_plans(
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> list[PlanOut]:
    """Every stored plan (without documents)."""
    return [
        PlanOut(id=p.id, scenario_id=p.scenario_id, reason=p.label, created_at=p.at)
        for p in api_support.list_plans(store)
    ]


@router.get("/plans/{plan_id}", response_model=PlanOut, tags=["plans"])
def read_plan(
    plan_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> PlanOut:
    """A stored plan with its ``safepassage-plan/1`` document."""
    p = api_support.get_plan(store, plan_id)
    return PlanOut(id=p.id, scenario_id=p.scenario_id, reason=p.label, created_at=p.at, document=p.document)


@router.get("/plans/{plan_id}/geojson", tags=["plans"], response_model=dict)
def plan_geojson(
    plan_id: RowId,
    request: Request,
    _user: Annotated[UserRecord, Depends(require_role(Role.VIEWER))],
    store: Annotated[Store, Depends(get_store)],
) -> JSONResponse:
    """The plan's map layers (closures, hazards, areas, movements) as a GeoJSON FeatureCollection."""
    cached = _jobs(request).geojson.get(plan_id)
    collection = cached if cached is not None else _geojson(store, plan_id)
    return JSONResponse(collection, media_type="application/geo+json")


def _geojson(store: Store, plan_id: int) -> dict[str, Any]:
    from safepassage.geojson import feature_collection, map_features
    from safepassage.planner.plan_file import parse_plan
    from safepassage.services.scenarios import parse_scenario_text, prepare_scenario

    p = api_support.get_plan(store, plan_id)
    if p.scenario_id is None:
        raise UnknownIdError(f"plan {plan_id} names no stored scenario; its map cannot be drawn")
    s = api_support.get_scenario(store, p.scenario_id)
    ready = prepare_scenario(parse_scenario_text(json.dumps(s.document), label=f"scenario {s.id}"))
    plan = parse_plan(json.dumps(p.document), label=f"plan {plan_id}")
    return feature_collection(map_features(ready.scenario, ready.networks, plan))


@router.post("/plans/{plan_id}/check", response_model=dict, tags=["plans"])
def check_plan(
    plan_id: RowId,
    _user: Annotated[UserRecord, Depends(require_role(Role.COORDINATOR))],
    store: Annotated[Store, Depends(get_store)],
) -> dict[str, Any]:
    """Re-verify a stored plan against its scenario and the real roads; 409 ``PLAN_REJECTED`` listing
    every violation."""
    from safepassage.planner.check import validate_plan
    from safepassage.planner.plan_file import parse_plan
    from safepassage.services.scenarios import parse_scenario_text, prepare_scenario

    p = api_support.get_plan(store, plan_id)
    if p.scenario_id is None:
        raise UnknownIdError(f"plan {plan_id} names no stored scenario to check it against")
    s = api_support.get_scenario(store, p.scenario_id)
    ready = prepare_scenario(parse_scenario_text(json.dumps(s.document), label=f"scenario {s.id}"))
    plan = parse_plan(json.dumps(p.document), label=f"plan {plan_id}")
    validate_plan(ready.scenario, plan, networks=ready.networks)
    return {"plan_id": plan_id, "ok": True}
