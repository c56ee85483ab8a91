"""The committed schema docs/openapi.json is the app's schema (regenerate:
``PYTHONPATH=src python -m safepassage.api.openapi_file docs/openapi.json``), and schemathesis finds
no server error (5xx) in any endpoint, for a coordinator's token, in a bounded run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.conftest import Api, make_api
from safepassage.api.openapi_file import openapi_text
from safepassage.services.users import Role

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = "PYTHONPATH=src python -m safepassage.api.openapi_file docs/openapi.json"


def test_committed_schema_matches_the_app() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        f"docs/openapi.json drifted; run {REGENERATE}"
    )


def test_schema_marks_restricted_fields() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    plan = document["components"]["schemas"]["PlanOut"]["properties"]
    assert plan["vehicles"]["x-restricted"] is True


@pytest.fixture(scope="module")
def fuzzed_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite'}")


@pytest.fixture(scope="module")
def fuzzed_schema(fuzzed_api: Api) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_api.client.app)
    # the stream never ends; planning runs for real in test_plans.py
    return schema.exclude(path="/api/stream").exclude(path="/api/plans", method="POST")


def test_schemathesis_finds_no_server_error(fuzzed_schema: Any, fuzzed_api: Api) -> None:
    headers = fuzzed_api.headers(Role.COORDINATOR)
    server_errors: list[str] = []
    operations = [result.ok() for result in fuzzed_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
                )

        no_server_error()
    assert server_errors == []


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_schema_is_served(tmp_path: Path, role: Role) -> None:
    for api in make_api(f"sqlite:///{tmp_path / 'a.sqlite'}"):
        served = api.client.get("/openapi.json").json()
        assert served["info"]["title"] == "Safe Passage"
        assert "/api/stream" in served["paths"]
