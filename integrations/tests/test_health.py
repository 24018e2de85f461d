"""One honest health per integration (integrations/health.py): the rollup in words, and its queries."""

from __future__ import annotations

from typing import Any

import pytest

from calls.choices import TargetState
from calls.tests.factories import SipCallFactory, SipTargetFactory
from integrations.diagnostics.models import DiagnosticReport
from integrations.engine.conditions import ConditionStatus, ConditionType, Reason, set_condition
from integrations.health import (
    CallSignal,
    HealthStatus,
    Signals,
    TargetSignal,
    health_for,
    health_for_many,
    rollup,
)
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.factories import IntegrationFactory
from tenants.tests.factories import TenantFactory
from testing.queries import assert_num_queries

CALLS_GET_THROUGH = "Calls can get through."
VAPI_401 = "the source IP is not on Vapi's allow list"


def applied(registered: str = ConditionStatus.TRUE, message: str = CALLS_GET_THROUGH) -> list[dict[str, Any]]:
    """The conditions of an integration whose last apply succeeded."""
    conditions = set_condition([], ConditionType.READY, ConditionStatus.TRUE, Reason.AVAILABLE)
    conditions = set_condition(
        conditions, ConditionType.SYNCED, ConditionStatus.TRUE, Reason.RECONCILE_SUCCESS
    )
    return set_condition(conditions, ConditionType.REGISTERED, registered, "Registered", message)


ANSWERED = CallSignal(200, "")
FAILED_401 = CallSignal(401, f"Unauthorized: {VAPI_401}.")


def test_the_issue_case_registered_green_but_a_401_and_two_problems_is_degraded_in_words() -> None:
    problems = [
        {"check": "missing-gateway", "status": "problem", "message": "99.77.253.150 is not a Vapi gateway."},
        {"check": "sip-logging", "status": "problem", "message": "SIP logging is off."},
    ]
    health = rollup(Signals(conditions=applied(), problems=problems, last_call=FAILED_401))

    assert health.status == HealthStatus.DEGRADED
    assert health.label == f"Degraded: the last call failed 401 — Unauthorized: {VAPI_401}"
    assert health.details[1] == (
        "diagnostics found 2 problems — 99.77.253.150 is not a Vapi gateway; and 1 more"
    )
    assert health.needs_attention


def test_applied_with_an_answered_last_call_is_healthy() -> None:
    health = rollup(Signals(conditions=applied(), last_call=ANSWERED))
    assert (health.status, health.label, health.needs_attention) == (HealthStatus.HEALTHY, "Healthy", False)


def test_applied_without_any_call_is_unknown_no_call_yet() -> None:
    assert rollup(Signals(conditions=applied())).label == "Unknown: no call yet"


def test_never_applied_is_unknown_not_applied_and_says_when_the_first_apply_runs() -> None:
    assert rollup(Signals()).label == "Unknown: not applied yet"
    assert rollup(Signals(active_run="apply")).label == "Unknown: the first apply is under way"


def test_registered_false_is_down_with_its_message() -> None:
    conditions = applied(ConditionStatus.FALSE, "The Synthflow number is not attached to the assistant.")
    health = rollup(Signals(conditions=conditions, last_call=ANSWERED))
    assert health.label == "Down: The Synthflow number is not attached to the assistant"


def test_a_failed_apply_is_down_and_outranks_a_failed_call() -> None:
    conditions = set_condition(
        applied(),
        ConditionType.READY,
        ConditionStatus.FALSE,
        Reason.APPLY_FAILED,
        "sip_rule: 400 Bad Request",
    )
    health = rollup(Signals(conditions=conditions, last_call=FAILED_401))
    assert health.label == "Down: the last apply failed — sip_rule: 400 Bad Request"
    assert health.details[-1].startswith("the last call failed 401")


def test_every_sip_target_down_is_down_one_of_two_is_degraded() -> None:
    up = TargetSignal("Voice Connector (vc.example:5060)", TargetState.UP)
    down = TargetSignal("Vapi credential SIP host (sip.vapi.ai:5060)", TargetState.DOWN)
    assert rollup(Signals(conditions=applied(), targets=[down], last_call=ANSWERED)).label == (
        "Down: no SIP target answers OPTIONS (Vapi credential SIP host (sip.vapi.ai:5060))"
    )
    assert rollup(Signals(conditions=applied(), targets=[up, down], last_call=ANSWERED)).label == (
        "Degraded: Vapi credential SIP host (sip.vapi.ai:5060) does not answer OPTIONS"
    )


def test_a_call_without_final_answer_and_drift_degrade() -> None:
    no_answer = rollup(Signals(conditions=applied(), last_call=CallSignal(None, "")))
    assert no_answer.label == "Degraded: the last call got no final answer"
    drifted = set_condition(
        applied(),
        ConditionType.SYNCED,
        ConditionStatus.FALSE,
        Reason.DRIFTED,
        "voice_connector: require_encryption",
    )
    assert rollup(Signals(conditions=drifted, last_call=ANSWERED)).label == (
        "Degraded: vendor objects drifted from the plan — voice_connector: require_encryption"
    )


def test_a_requested_teardown_is_down() -> None:
    health = rollup(Signals(conditions=applied(), deleting=True, last_call=ANSWERED))
    assert health.status == HealthStatus.DOWN
    assert "teardown" in health.label


@pytest.mark.django_db
def test_health_is_read_from_conditions_targets_diagnostics_and_calls_in_a_fixed_number_of_queries() -> None:
    tenant = TenantFactory()
    broken = IntegrationFactory(tenant=tenant, conditions=applied())
    SipCallFactory(tenant=tenant, integration=broken, final_status=200)
    SipCallFactory(tenant=tenant, integration=broken, final_status=401, reason=VAPI_401)
    DiagnosticReport.objects.create(
        tenant=tenant, integration=broken, findings=[{"check": "x", "status": "problem", "message": "Bad."}]
    )
    fine = IntegrationFactory(tenant=tenant, conditions=applied())
    SipTargetFactory(tenant=tenant, integration=fine, state=TargetState.UP)
    SipCallFactory(tenant=tenant, integration=fine, final_status=200)
    new = IntegrationFactory(tenant=tenant)
    Run.objects.create(tenant=tenant, integration=new, integration_name=new.name, kind=RunKind.APPLY)
    extra = [IntegrationFactory(tenant=tenant, conditions=applied()) for _ in range(3)]

    with assert_num_queries(4):
        health = health_for_many([broken, fine, new, *extra])

    assert health[broken.pk].label == f"Degraded: the last call failed 401 — {VAPI_401}"
    assert health[fine.pk].label == "Healthy"
    assert health[new.pk].label == "Unknown: the first apply is under way"
    assert health_for(extra[0]).label == "Unknown: no call yet"
    assert Run.objects.get(integration=new).state == RunState.QUEUED


def test_the_api_gives_each_integration_its_health_in_words(world: Any) -> None:
    broken = IntegrationFactory(tenant=world.tenant, name="front-desk", conditions=applied())
    SipCallFactory(tenant=world.tenant, integration=broken, final_status=401, reason=VAPI_401)
    IntegrationFactory(tenant=world.tenant, name="new-line")
    api = world.api("viewer")

    listed = {row["name"]: row["health"] for row in api.get("/api/v1/integrations/").json()["results"]}
    one = api.get(f"/api/v1/integrations/{broken.pk}/").json()["health"]

    assert listed["front-desk"] == one
    assert one == {
        "status": "degraded",
        "label": f"Degraded: the last call failed 401 — {VAPI_401}",
        "reason": f"the last call failed 401 — {VAPI_401}",
        "details": [f"the last call failed 401 — {VAPI_401}"],
    }
    assert listed["new-line"]["label"] == "Unknown: not applied yet"
