"""`integrations/{id}/diagnostics/` and the integration page's panels, as API users and admins see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from integrations.choices import IntegrationKind
from integrations.models import TwilioCallEvent, TwilioEventKind
from integrations.tests.factories import IntegrationFactory
from tenants.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vendors_at_sandbox")]


def _url(integration: Any) -> str:
    return reverse("integration-diagnostics", kwargs={"pk": integration.pk})


def _signature_failure(integration: Any) -> None:
    TwilioCallEvent.objects.create(
        tenant=integration.tenant,
        integration=integration,
        kind=TwilioEventKind.SIGNATURE_REJECTED,
        params={"reason": "bad_signature", "path": "/hooks/twilio/voice/x"},
    )


def test_get_before_any_run_has_no_findings_and_post_runs_the_checks(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    _signature_failure(integration)
    empty = world.api("viewer").get(_url(integration))
    assert empty.status_code == 200
    assert empty.json()["findings"] == [] and empty.json()["id"] is None

    ran = world.api("operator").post(_url(integration))
    assert ran.status_code == 201, ran.content
    findings = {f["check"]: f for f in ran.json()["findings"]}
    signatures = findings["webhook-signatures"]
    assert signatures["status"] == "problem"
    assert "1 webhook request(s) were refused" in signatures["message"]
    assert "auth token" in signatures["fix"]
    # The factory's accounts are unknown to the sandbox: those checks say they cannot decide, never crash.
    assert findings["twilio-voice-url"]["status"] == "unknown"
    assert AuditEvent.objects.filter(tenant=world.tenant, action="diagnostics.run").exists()

    latest = world.api("viewer").get(_url(integration)).json()
    assert latest["id"] == ran.json()["id"]
    assert latest["trigger"] == "manual"


def test_no_signature_failure_is_ok(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    findings = {f["check"]: f for f in world.api("operator").post(_url(integration)).json()["findings"]}
    assert findings["webhook-signatures"]["status"] == "ok"
    assert findings["webhook-signatures"]["fix"] == ""


def test_a_viewer_reads_but_cannot_run_and_another_tenant_gets_404(world: Any, other_world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    refused = world.api("viewer").post(_url(integration))
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_too_low"
    for method in ("get", "post"):
        response = getattr(other_world.api("owner"), method)(_url(integration))
        assert response.status_code == 404
        assert str(integration.pk) not in response.content.decode()


def test_the_integration_page_shows_the_status_panel_and_the_findings_with_their_fix(
    world: Any, dashboard_client: Any
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    _signature_failure(integration)
    client = dashboard_client(world.users["operator"])
    page = client.get(reverse("integrations:integration-detail", kwargs={"pk": integration.pk}))
    html = page.content.decode()
    assert 'data-testid="status-panel"' in html
    assert "Registered: not evaluated" in html
    assert "No diagnostics yet" in html

    run_url = reverse("diagnostics:integration-diagnostics-run", kwargs={"pk": integration.pk})
    after = client.post(run_url, follow=True)
    html = after.content.decode()
    assert "Diagnostics found 1 problem." in html
    assert 'data-check="webhook-signatures" data-status="problem"' in html
    assert "Save the Twilio account&#x27;s current auth token" in html


def test_a_viewer_has_no_run_button_and_cannot_post(world: Any, dashboard_client: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    client = dashboard_client(world.users["viewer"])
    page = client.get(reverse("integrations:integration-detail", kwargs={"pk": integration.pk}))
    assert 'data-testid="run-diagnostics"' not in page.content.decode()
    run_url = reverse("diagnostics:integration-diagnostics-run", kwargs={"pk": integration.pk})
    assert client.post(run_url).status_code == 403
