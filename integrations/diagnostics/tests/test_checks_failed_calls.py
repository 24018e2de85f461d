"""The failed-calls check: recent failures explained per status class, through the API and the panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import CallLogCursor
from calls.tests.factories import SipCallFactory
from integrations.choices import IntegrationKind
from integrations.diagnostics.runner import evaluate_checks
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db


def _failed_calls(integration: Any) -> dict[str, Any]:
    return {f.check: f for f in evaluate_checks(integration) if f.check.startswith("failed-calls")}


def _call(integration: Any, status: int | None, hours_ago: float = 1, reason: str = "", **extra: Any) -> Any:
    return SipCallFactory(
        tenant=integration.tenant,
        integration=integration,
        final_status=status,
        reason=reason,
        **{"started_at": timezone.now() - timedelta(hours=hours_ago), **extra},
    )


def test_no_call_and_no_log_read_cannot_decide(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    _call(integration, 401, hours_ago=30)  # too old to count
    finding = _failed_calls(integration)["failed-calls"]
    assert finding.status == "unknown"
    assert "no call log was read" in finding.message

    CallLogCursor.objects.create(
        tenant=integration.tenant,
        integration=integration,
        fetched_until=timezone.now(),
        fetched_at=timezone.now() - timedelta(minutes=5),
    )
    read = _failed_calls(integration)["failed-calls"]
    assert read.status == "ok" and "no call in the last 24 hours" in read.message


def test_answered_calls_give_no_problem(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    _call(integration, 200)
    _call(integration, 487)  # the caller gave up: not a class this check explains
    findings = _failed_calls(integration)
    assert list(findings) == ["failed-calls"]
    assert findings["failed-calls"].status == "ok"
    assert "None of the 2 call(s)" in findings["failed-calls"].message


def test_one_finding_per_status_class_with_the_reason_ids_times_and_fix(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    other = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    started = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    gateway = "10.0.0.9 did not recognise the caller (401): the source IP 3.80.16.99 is not on its allow list"
    _call(integration, 401, call_id="a1@chime", started_at=started - timedelta(hours=1))
    _call(integration, 407, call_id="a2@chime", started_at=started, reason=gateway)
    _call(integration, 404, call_id="nf@chime", reason="sip.vapi.ai does not know sip:patchbay@x (404)")
    _call(integration, 480, call_id="ua@chime")
    _call(integration, 603, call_id="dc@chime")
    _call(integration, 486, call_id="busy@chime")
    _call(integration, 503, call_id="down@chime")
    _call(integration, 488, call_id="codec@chime")
    _call(integration, 403, call_id="forbidden@chime")
    _call(integration, 200, call_id="fine@chime")
    _call(other, 401, call_id="not-ours@chime")
    _call(integration, 404, call_id="old@chime", hours_ago=25)

    findings = _failed_calls(integration)
    assert set(findings) == {
        "failed-calls-auth",
        "failed-calls-forbidden",
        "failed-calls-not-found",
        "failed-calls-unavailable",
        "failed-calls-declined",
        "failed-calls-service-unavailable",
        "failed-calls-codec",
    }
    assert all(f.status == "problem" for f in findings.values())
    auth = findings["failed-calls-auth"]
    assert auth.message.startswith("2 call(s) in the last 24 hours ended with 401/407")
    assert "Latest: " + gateway in auth.message
    assert f"a2@chime at {started:%Y-%m-%d %H:%M:%S}Z (407)" in auth.evidence
    assert "a1@chime" in auth.evidence and "not-ours@chime" not in auth.evidence
    assert "gateways" in auth.fix and "digest" in auth.fix
    not_found = findings["failed-calls-not-found"]
    assert "nf@chime" in not_found.evidence and "old@chime" not in not_found.evidence
    assert "imported" in not_found.fix and "bound" in not_found.fix
    declined = findings["failed-calls-declined"]
    assert declined.severity == "warning" and "busy@chime" in declined.evidence
    assert "dc@chime" in declined.evidence
    assert "nobody could take the call" in findings["failed-calls-unavailable"].message
    assert "codecs" in findings["failed-calls-codec"].message
    assert "G.711" in findings["failed-calls-codec"].fix
    assert "overloaded" in findings["failed-calls-service-unavailable"].message


def test_many_failures_list_ten_and_count_the_rest(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.GENESYS_SYNTHFLOW)
    for minute in range(13):
        _call(integration, 404, hours_ago=minute / 60)
    finding = _failed_calls(integration)["failed-calls-not-found"]
    assert finding.evidence.count("(404)") == 10
    assert finding.evidence.endswith("; and 3 more")


def test_the_api_and_the_panel_show_the_class_findings(world: Any, dashboard_client: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    _call(integration, 404, call_id="nf@twilio")
    url = reverse("integration-diagnostics", kwargs={"pk": integration.pk})
    ran = world.api("operator").post(url)
    assert ran.status_code == 201, ran.content
    findings = {f["check"]: f for f in ran.json()["findings"]}
    assert findings["failed-calls-not-found"]["status"] == "problem"
    assert "nf@twilio" in findings["failed-calls-not-found"]["evidence"]

    client = dashboard_client(world.users["operator"])
    page = client.get(reverse("integrations:integration-detail", kwargs={"pk": integration.pk}))
    assert 'data-check="failed-calls-not-found" data-status="problem"' in page.content.decode()
