"""Alerts from the engine's runs, end to end on the sandbox: a failed apply (run failed, integration
down) and drift found by a reconcile under the report policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alerts import actions
from alerts.tests.receiver import Receiver
from integrations.engine.runs import execute_run, request_run
from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import Sandbox, make_connect_vapi, narrow_vapi_gateways
from tenants.audit import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def _run(integration: Any, kind: str) -> Any:
    run, _ = request_run(integration, kind, enqueue=execute_run)  # executed here, as a worker would
    run.refresh_from_db()
    return run


def _events(receiver: Receiver) -> list[str]:
    return [json.loads(body)["patchbay"]["event"] for _, body in receiver.received]


def _destination(tenant: Any, url: str) -> None:
    actions.create_destination(
        tenant,
        name="oncall",
        kind="webhook",
        target=url,
        events=["integration_degraded", "integration_down", "run_failed", "drift_found"],
        actor=Actor.system(),
    )


def test_a_failed_apply_alerts_run_failed_and_integration_down(sandbox: Sandbox, receiver: Receiver) -> None:
    setup = make_connect_vapi(sandbox)
    _destination(setup.tenant, receiver.url)
    sandbox.fault(
        "aws",
        "CreateSipMediaApplication",
        "error",
        times=100,
        status=400,
        code="BadRequestException",
        message="Injected: refused",
    )

    run = _run(setup.integration, RunKind.APPLY)

    assert run.state == RunState.FAILED
    assert sorted(_events(receiver)) == ["integration_down", "run_failed"]
    failed = next(json.loads(b) for _, b in receiver.received if b"run_failed" in b)
    assert "Injected: refused" in failed["text"]
    assert failed["patchbay"]["details"]["run"] == str(run.pk)


def test_drift_under_the_report_policy_alerts_once(sandbox: Sandbox, receiver: Receiver) -> None:
    setup = make_connect_vapi(sandbox, policy="report")
    assert _run(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    _destination(setup.tenant, receiver.url)
    # Someone narrows the credential's gateways at Vapi: drift the report policy only reports.
    narrow_vapi_gateways(sandbox, setup, ["3.80.16.150", "3.80.16.151"])

    for _ in range(2):  # the drift stays; the second reconcile finds it again within the quiet period
        assert _run(setup.integration, RunKind.RECONCILE).state == RunState.SUCCEEDED

    assert _events(receiver) == ["drift_found", "integration_degraded"]
