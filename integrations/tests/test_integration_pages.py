"""The integration pages an admin works from (issue 11 items 7, 8, 9, 11, 14), through the Django client:
fleet overview, health on the list, the task-first integration page, the run page's nodes, the teardown
confirmation, sealed outputs and empty states that must not lie."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from calls.choices import TargetState
from calls.tests.factories import SipCallFactory, SipTargetFactory
from integrations.choices import IntegrationKind
from integrations.diagnostics.models import DiagnosticReport
from integrations.encryption import encrypt_secrets
from integrations.engine.conditions import ConditionStatus, ConditionType, Reason, set_condition
from integrations.kinds import blueprint_for
from integrations.models import Integration
from integrations.models.engine import (
    EventOutcome,
    NodeStatus,
    ResourceNode,
    Run,
    RunEvent,
    RunKind,
    RunState,
)
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld

VAPI_401 = "the source IP is not on Vapi's allow list"


def text_of(response: Any) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def applied_conditions() -> list[dict[str, Any]]:
    conditions = set_condition([], ConditionType.READY, ConditionStatus.TRUE, Reason.AVAILABLE)
    conditions = set_condition(
        conditions, ConditionType.SYNCED, ConditionStatus.TRUE, Reason.RECONCILE_SUCCESS
    )
    return set_condition(
        conditions, ConditionType.REGISTERED, ConditionStatus.TRUE, "Registered", "Calls can get through."
    )


@pytest.fixture
def as_role(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Callable[[str], Client]:
    return lambda role: dashboard_client(world.users[role])


def node(integration: Integration, name: str, type_: str, **fields: Any) -> ResourceNode:
    return ResourceNode.objects.create(
        tenant=integration.tenant, integration=integration, node=name, type=type_, **fields
    )


# --- item 7: one honest health, on the list and the fleet overview --------------------------------


def test_registered_green_with_a_401_and_open_problems_reads_degraded_in_words_everywhere(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    """The issue's case: Registered stayed green after a 401 call and two open diagnostic problems."""
    broken = IntegrationFactory(tenant=world.tenant, name="front-desk", conditions=applied_conditions())
    SipCallFactory(tenant=world.tenant, integration=broken, final_status=401, reason=VAPI_401)
    DiagnosticReport.objects.create(
        tenant=world.tenant,
        integration=broken,
        findings=[
            {"check": "missing-gateway", "title": "Vapi gateways", "status": "problem", "message": "Gone."},
            {"check": "sip-logging", "title": "SIP logging", "status": "problem", "message": "Off."},
        ],
    )
    fine = IntegrationFactory(tenant=world.tenant, name="back-office", conditions=applied_conditions())
    SipCallFactory(tenant=world.tenant, integration=fine, final_status=200)
    IntegrationFactory(tenant=world.tenant, name="new-line")
    viewer = as_role(Role.VIEWER)
    headline = f"Degraded: the last call failed 401 — {VAPI_401}"

    listed = text_of(viewer.get(reverse("integrations:integration-list")))
    page = text_of(viewer.get(reverse("integrations:integration-detail", args=[broken.pk])))
    overview = viewer.get("/")

    assert headline in listed and "Healthy" in listed and "Unknown: not applied yet" in listed
    assert headline in page
    assert "2 problems" in page and "Vapi gateways" in page
    text = text_of(overview)
    assert "3 integrations" in text
    counts = re.findall(
        r'data-status="(\w+)"><span class="health-count-number">(\d+)', overview.content.decode()
    )
    assert dict(counts) == {"down": "0", "degraded": "1", "unknown": "1", "healthy": "1"}
    attention = overview.content.decode().split('data-testid="needs-attention"')[1].split("</section>")[0]
    assert "front-desk" in attention and "back-office" not in attention and "new-line" not in attention
    failed = overview.content.decode().split('data-testid="failed-calls"')[1].split("</section>")[0]
    assert "401" in failed and VAPI_401 in unescape(failed)
    assert reverse("calls:call-detail", args=[broken.calls.get().pk]) in failed


def test_the_overview_shows_only_the_tenants_own_integrations_and_calls(
    world: TenantWorld, other_world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    theirs = IntegrationFactory(
        tenant=other_world.tenant, name="globex-line", conditions=applied_conditions()
    )
    SipCallFactory(tenant=other_world.tenant, integration=theirs, final_status=403, reason="globex secret")
    IntegrationFactory(tenant=world.tenant, name="acme-line")

    html = as_role(Role.VIEWER).get("/").content.decode()

    assert "1 integration" in html  # acme-line only
    assert "globex" not in html
    assert "No failed call recorded." in html


# --- item 8: task-first integration page -------------------------------------------------------------


def test_the_page_starts_with_status_and_actions_then_tabs_with_config_collapsed(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI
    )
    html = as_role(Role.OPERATOR).get(reverse("integrations:integration-detail", args=[integration.pk]))
    html = html.content.decode()

    summary = html.index('data-testid="integration-summary"')
    actions = html.index('data-testid="engine-actions"')
    tabs = html.index('data-testid="integration-tabs"')
    assert summary < actions < tabs < html.index('data-testid="resource-table"')
    assert html.index(">Plan</button>") < tabs and html.index(">Apply</button>") < tabs
    assert html.index(">Tear down</a>") < tabs
    labels = re.findall(r'class="tab tab-\w+" href="#tab-(\w+)">(\w+)', html)
    assert [label for _, label in labels] == [
        "Overview",
        "Resources",
        "Calls",
        "Probes",
        "Diagnostics",
        "Runs",
    ]
    for anchor, _ in labels:
        assert f'id="tab-{anchor}"' in html
    assert re.search(r'<details class="card collapsible" data-testid="config">\s*<summary>', html)
    assert "Unknown: not applied yet" in text_of_html(html)
    assert "no call yet" in text_of_html(html)


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_sealed_output_reads_sealed_on_the_page_and_in_the_api(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_SYNTHFLOW)
    ciphertext = encrypt_secrets({"username": "pb-user", "password": "hunter2-very-secret"})
    node(
        integration,
        "sip_credentials",
        "patchbay.sip_credentials",
        status=NodeStatus.READY,
        external_id="pb-user",
        outputs={"username": "pb-user", "sealed": ciphertext},
    )

    page = as_role(Role.VIEWER).get(reverse("integrations:integration-detail", args=[integration.pk]))
    api = world.api(Role.VIEWER).get(f"/api/v1/integrations/{integration.pk}/resources/")

    row = page.content.decode().split('data-node="sip_credentials"')[1].split("</tr>")[0]
    assert "sealed</span> <code>sealed</code>" in row
    assert ciphertext[:24] not in page.content.decode()
    assert api.status_code == 200, api.content
    outputs = next(r for r in _results(api.json()) if r["node"] == "sip_credentials")["outputs"]
    assert outputs == {"sealed": "sealed", "username": "pb-user"}
    assert ciphertext[:24] not in api.content.decode()


def _results(body: Any) -> list[dict[str, Any]]:
    return body["results"] if isinstance(body, dict) else body


# --- item 9: the run page lists every node with its state ------------------------------------------------


def event(run: Run, node_name: str, action: str, outcome: str, message: str = "") -> RunEvent:
    return RunEvent.objects.create(
        tenant=run.tenant, run=run, node=node_name, action=action, outcome=outcome, message=message
    )


def test_the_run_page_lists_every_node_with_its_state_error_and_change(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI
    )
    run = Run.objects.create(
        tenant=world.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.RECONCILE,
        state=RunState.RUNNING,
    )
    event(run, "", "reconcile", EventOutcome.STARTED)
    event(run, "iam_role", "apply", EventOutcome.STARTED)
    event(run, "iam_role", "no-op", EventOutcome.OK)
    event(run, "voice_connector", "apply", EventOutcome.STARTED)
    event(run, "voice_connector", "update", EventOutcome.OK, "require_encryption: false → true")
    event(run, "dynamodb_table", "apply", EventOutcome.STARTED)
    event(
        run,
        "dynamodb_table",
        "apply",
        EventOutcome.FAILED,
        "ValidationException: 1 validation error at 'name'",
    )
    event(run, "connector_ips", "apply", EventOutcome.STARTED)

    response = as_role(Role.VIEWER).get(reverse("integrations:run-detail", args=[run.pk]))
    html = response.content.decode()
    status = as_role(Role.VIEWER).get(reverse("integrations:run-status", args=[run.pk])).json()

    states = dict(re.findall(r'<tr data-node="(\w+)" data-state="([\w ]+)"', html))
    assert len(states) == 18  # every node of the connect_vapi blueprint, not only those with events
    assert states["iam_role"] == "done"
    assert states["voice_connector"] == "done"
    assert states["dynamodb_table"] == "failed"
    assert states["connector_ips"] == "running"
    assert states["contact_flow"] == "pending"
    failed_row = html.split('data-node="dynamodb_table"')[1].split("</tr>")[0]
    assert "Failed:" in failed_row and "validation error at &#x27;name&#x27;" in failed_row
    updated_row = html.split('data-node="voice_connector"')[1].split("</tr>")[0]
    assert "require_encryption: false → true" in updated_row
    assert re.search(r"3 of 18 resources finished\s*,\s*1\s*failed", text_of(response))
    assert status["node_progress"] == {"finished": 3, "total": 18, "failed": 1}
    assert [n["node"] for n in status["nodes"]] == blueprint_for(IntegrationKind.CONNECT_VAPI).order()


def test_a_finished_teardown_keeps_its_nodes_and_offers_a_way_back_not_a_404(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI
    )
    run = Run.objects.create(
        tenant=world.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.TEARDOWN,
        state=RunState.SUCCEEDED,
        progress=100,
    )
    event(run, "contact_flow", "delete", EventOutcome.OK)
    event(run, "voice_connector", "delete", EventOutcome.SKIPPED, "nothing to delete")
    detail_url = reverse("integrations:integration-detail", args=[integration.pk])
    integration.delete()  # what the worker does once every resource is gone

    client = as_role(Role.VIEWER)
    response = client.get(reverse("integrations:run-detail", args=[run.pk]))
    html = response.content.decode()

    assert response.status_code == 200
    assert detail_url not in html
    assert "Every resource is gone and the integration was deleted." in text_of(response)
    back = re.findall(r'<a class="btn btn-sm" href="([^"]+)">', html.split("data-run-done")[1])
    assert back and all(client.get(url).status_code == 200 for url in back)
    states = dict(re.findall(r'<tr data-node="(\w+)" data-state="([\w ]+)"', html))
    assert states == {"contact_flow": "done", "voice_connector": "done"}


# --- item 11: safer deletes --------------------------------------------------------------------------------


def test_teardown_lists_what_goes_and_needs_the_name_typed(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI
    )
    node(
        integration, "voice_connector", "chime.voice_connector", status=NodeStatus.READY, external_id="vc-123"
    )
    node(
        integration, "phone_number", "chime.phone_number", status=NodeStatus.READY, external_id="+15035550142"
    )
    node(integration, "lambda_role", "iam.role", status=NodeStatus.DELETED)
    client = as_role(Role.OPERATOR)
    url = reverse("integrations:integration-delete", args=[integration.pk])

    confirm = client.get(url)
    doomed = dict(
        re.findall(
            r'<tr data-node="(\w+)">.*?<code>([^<]+)</code></td>\s*</tr>', confirm.content.decode(), re.S
        )
    )
    wrong = client.post(url, {"confirm_name": "front-desks"})
    empty = client.post(url, {})

    assert doomed == {"phone_number": "+15035550142", "voice_connector": "vc-123"}
    assert "Type front-desk to confirm" in text_of(confirm)
    assert wrong.status_code == 400 and "“front-desks” is not this integration's name" in text_of(wrong)
    assert empty.status_code == 400 and "Type the integration's name to confirm." in text_of(empty)
    assert not Run.objects.exists()
    integration.refresh_from_db()
    assert not integration.deleting

    done = client.post(url, {"confirm_name": "front-desk"})
    assert done.status_code == 302
    assert Run.objects.get().kind == RunKind.TEARDOWN


# --- item 14: empty states that no longer hold --------------------------------------------------------------


def test_an_applied_integration_not_probed_yet_lists_its_sip_targets_instead_of_none(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    node(
        integration,
        "vapi_credential",
        "vapi.credential",
        status=NodeStatus.READY,
        outputs={"sip_host": "cred-1.sip.vapi.ai"},
    )
    node(
        integration,
        "voice_connector",
        "chime.voice_connector",
        status=NodeStatus.READY,
        outputs={"id": "vc123", "host": "vc123.voiceconnector.chime.aws"},
    )

    page = text_of(
        as_role(Role.VIEWER).get(reverse("integrations:integration-detail", args=[integration.pk]))
    )
    probes = text_of(as_role(Role.VIEWER).get(reverse("calls:integration-probes", args=[integration.pk])))

    for text in (page, probes):
        assert "No SIP target yet" not in text
        assert "cred-1.sip.vapi.ai:5060" in text
        # The connector answers only its allow list, so it is never probed (issue 12, item 8).
        assert "vc123.voiceconnector.chime.aws:5060" not in text
    assert "Not probed yet" in page


def test_a_never_applied_integration_still_says_no_sip_target_yet(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    page = text_of(
        as_role(Role.VIEWER).get(reverse("integrations:integration-detail", args=[integration.pk]))
    )
    assert "No SIP target yet: they appear once the integration is applied." in page


def test_a_probed_target_shows_its_state(world: TenantWorld, as_role: Callable[[str], Client]) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    SipTargetFactory(tenant=world.tenant, integration=integration, host="sip.example", state=TargetState.UP)
    page = text_of(
        as_role(Role.VIEWER).get(reverse("integrations:integration-detail", args=[integration.pk]))
    )
    assert "sip.example:5060" in page and "Not probed yet" not in page
