"""The engine in the dashboard: the plan as a diff, apply / teardown by role, runs as JSON, resources."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from integrations.choices import IntegrationKind
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunEvent, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    make_connect_vapi,
    sandbox_settings,
)
from integrations.tests.factories import VALID_SECRETS, IntegrationFactory
from tenants.choices import AuditAction, Role
from tenants.models import AuditEvent
from testing.world import TenantWorld

#: a plan with one action of each kind, as the planner writes it (integrations/engine/planner.py)
PLAN = {
    "actions": [
        {
            "node": "dynamodb_table",
            "type": "aws.dynamodb_table",
            "action": "no-op",
            "diff": {},
            "known_after_apply": [],
        },
        {
            "node": "voice_connector",
            "type": "chime.voice_connector",
            "action": "update",
            "diff": {"require_encryption": [True, False], "aws_region": ["us-west-2", "us-east-1"]},
            "known_after_apply": [],
        },
        {
            "node": "vapi_credential",
            "type": "vapi.credential",
            "action": "create",
            "diff": {"provider": [None, "byo-sip-trunk"]},
            "known_after_apply": ["gateways"],
        },
        {
            "node": "old_rule",
            "type": "chime.sip_rule",
            "action": "delete",
            "diff": {},
            "known_after_apply": [],
        },
    ]
}


def text_of(response: Any) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def as_role(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Callable[[str], Client]:
    return lambda role: dashboard_client(world.users[role])


@pytest.fixture
def vapi_integration(world: TenantWorld) -> Integration:
    return IntegrationFactory(tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI)


def plan_run(integration: Integration, plan: dict[str, Any] = PLAN) -> Run:
    return Run.objects.create(
        tenant=integration.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.PLAN,
        state=RunState.SUCCEEDED,
        progress=100,
        plan=plan,
    )


def test_plan_page_shows_each_action_as_a_readable_diff(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    run = plan_run(vapi_integration)

    response = as_role(Role.VIEWER).get(reverse("integrations:run-plan", args=[run.pk]))

    assert response.status_code == 200
    page = text_of(response)
    assert "Apply would make 3 changes: 1 to create 1 to update 1 to delete 1 unchanged" in page
    assert "require_encryption : true → false" in page
    assert "aws_region : us-west-2 → us-east-1" in page
    assert "provider : byo-sip-trunk" in page  # a create shows only the new value
    assert "gateways : (known after apply)" in page
    assert re.search(r"delete old_rule chime\.sip_rule", page)
    assert re.search(r"no-op dynamodb_table .*? aws\.dynamodb_table up to date", page)
    assert "Apply" not in re.findall(r"<button[^>]*>([^<]*)</button>", response.content.decode())


def test_plan_page_shows_an_unobservable_node_as_unknown_with_its_error(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    unknown = {
        "node": "voice_connector",
        "type": "chime.voice_connector",
        "action": "unknown",
        "diff": {},
        "known_after_apply": [],
        "error": "GetVoiceConnector answered 503",
    }
    run = plan_run(vapi_integration, {"actions": [unknown]})

    page = text_of(as_role(Role.VIEWER).get(reverse("integrations:run-plan", args=[run.pk])))

    assert "No changes." not in page
    assert "1 unknown" in page and "1 resource could not be observed" in page
    assert re.search(r"unknown voice_connector .*? Could not observe: GetVoiceConnector answered 503", page)


def test_plan_page_offers_apply_to_operators(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    run = plan_run(vapi_integration, {"actions": []})

    html = as_role(Role.OPERATOR).get(reverse("integrations:run-plan", args=[run.pk])).content.decode()

    assert "No changes." in html
    apply_url = reverse("integrations:integration-apply", args=[vapi_integration.pk])
    assert f'action="{apply_url}"' in html


def test_apply_as_viewer_is_refused_and_starts_nothing(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    for route in ("integration-plan", "integration-apply", "integration-reconcile", "integration-delete"):
        response = as_role(Role.VIEWER).post(reverse(f"integrations:{route}", args=[vapi_integration.pk]))
        assert response.status_code == 403, route

    assert not Run.objects.exists()
    vapi_integration.refresh_from_db()
    assert not vapi_integration.deleting
    detail = as_role(Role.VIEWER).get(reverse("integrations:integration-detail", args=[vapi_integration.pk]))
    assert ">Apply</button>" not in detail.content.decode()
    assert ">Tear down</a>" not in detail.content.decode()


def test_apply_as_operator_queues_one_run_and_shows_its_progress_page(
    world: TenantWorld, vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    client = as_role(Role.OPERATOR)
    url = reverse("integrations:integration-apply", args=[vapi_integration.pk])

    response = client.post(url, {"confirm_name": "front-desk"})
    run = Run.objects.get(integration=vapi_integration)
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:run-detail", args=[run.pk])
    assert (run.kind, run.state, run.requested_by) == (
        RunKind.APPLY,
        RunState.QUEUED,
        world.users[Role.OPERATOR],
    )
    assert AuditEvent.objects.filter(action=AuditAction.INTEGRATION_APPLY_REQUESTED).count() == 1

    again = client.post(url)  # a second apply while one is queued joins it
    assert again["Location"] == response["Location"]
    assert Run.objects.filter(integration=vapi_integration).count() == 1

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="progressbar"' in html
    assert f'data-run-status-url="{reverse("integrations:run-status", args=[run.pk])}"' in html
    assert "js/engine.js" in html
    detail = client.get(
        reverse("integrations:integration-detail", args=[vapi_integration.pk])
    ).content.decode()
    assert f"Apply run #{run.pk}</a> is" in detail  # the integration page follows the run too


def test_run_json_has_progress_and_events_and_only_new_ones_after_a_cursor(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    run = Run.objects.create(
        tenant=vapi_integration.tenant,
        integration=vapi_integration,
        integration_name=vapi_integration.name,
        kind=RunKind.APPLY,
        state=RunState.RUNNING,
        progress=40,
    )
    first = RunEvent.objects.create(tenant=run.tenant, run=run, node="", action="apply", outcome="started")
    RunEvent.objects.create(
        tenant=run.tenant,
        run=run,
        node="voice_connector",
        action="create",
        outcome="ok",
        duration_ms=412,
        request_id="req-77",
        message="created vc-1",
    )
    url = reverse("integrations:run-status", args=[run.pk])
    client = as_role(Role.VIEWER)

    data = client.get(url).json()
    assert (data["kind"], data["state"], data["progress"], data["finished"]) == (
        "apply",
        "running",
        40,
        False,
    )
    assert [e["outcome"] for e in data["events"]] == ["started", "ok"]
    event = data["events"][1]
    assert event["node"] == "voice_connector"
    assert event["title"] == "Chime SDK Voice Connector"
    assert (event["action"], event["duration_ms"], event["request_id"]) == ("create", 412, "req-77")
    assert event["message"] == "created vc-1"

    newer = client.get(url, {"after": first.pk}).json()
    assert [e["node"] for e in newer["events"]] == ["voice_connector"]

    Run.objects.filter(pk=run.pk).update(state=RunState.SUCCEEDED, progress=100, message="3 change(s)")
    done = client.get(url, {"after": newer["events"][-1]["id"]}).json()
    assert (done["state"], done["progress"], done["finished"], done["events"]) == ("succeeded", 100, True, [])
    assert done["message"] == "3 change(s)"


def test_resource_table_shows_each_node_with_outputs_and_never_a_secret(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    ResourceNode.objects.create(
        tenant=vapi_integration.tenant,
        integration=vapi_integration,
        node="voice_connector",
        type="chime.voice_connector",
        status="ready",
        external_id="vc-abc123",
        outputs={"host": "vc-abc123.voiceconnector.chime.aws", "auth_password": "hunter2-SECRET"},
    )
    ResourceNode.objects.create(
        tenant=vapi_integration.tenant,
        integration=vapi_integration,
        node="vapi_credential",
        type="vapi.credential",
        status="failed",
        message="Vapi refused gateways[0].ip: not an address",
    )

    response = as_role(Role.VIEWER).get(
        reverse("integrations:integration-detail", args=[vapi_integration.pk])
    )

    page = text_of(response)
    html = response.content.decode()
    assert "voice_connector Chime SDK Voice Connector chime.voice_connector ready vc-abc123" in page
    assert "host vc-abc123.voiceconnector.chime.aws" in page
    assert "auth_password (sensitive)" in page
    assert "hunter2" not in html
    assert "failed Vapi refused gateways[0].ip: not an address" in page
    assert "contact_flow Amazon Connect contact flow aws.connect_contact_flow pending" in page
    assert VALID_SECRETS["vapi"]["api_key"] not in html
    assert "Contact flow available after apply" in page


def test_contact_flow_downloads_once_its_inputs_exist(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    url = reverse("integrations:integration-contact-flow", args=[vapi_integration.pk])
    client = as_role(Role.VIEWER)
    assert client.get(url).status_code == 404  # not applied yet

    for node, type_, outputs in (
        ("connect_lambda", "aws.lambda_function", {"arn": "arn:aws:lambda:us-east-1:1:function:pb-connect"}),
        ("phone_number", "chime.phone_number", {"e164": "+15035550142"}),
    ):
        ResourceNode.objects.create(
            tenant=vapi_integration.tenant,
            integration=vapi_integration,
            node=node,
            type=type_,
            status="ready",
            outputs=outputs,
        )
    detail = client.get(reverse("integrations:integration-detail", args=[vapi_integration.pk]))
    assert f'href="{url}"' in detail.content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="front-desk-contact-flow.json"'
    flow = json.loads(response.content)
    transfer = next(a for a in flow["Actions"] if a["Type"] == "TransferParticipantToThirdParty")
    assert transfer["Parameters"]["ThirdPartyPhoneNumber"] == "+15035550142"
    invoke = next(a for a in flow["Actions"] if a["Type"] == "InvokeLambdaFunction")
    assert invoke["Parameters"]["LambdaFunctionARN"].endswith("function:pb-connect")


def test_delete_confirms_then_starts_a_teardown_run_and_keeps_the_row_until_it_ends(
    vapi_integration: Integration, as_role: Callable[[str], Client]
) -> None:
    client = as_role(Role.OPERATOR)
    url = reverse("integrations:integration-delete", args=[vapi_integration.pk])

    confirm = client.get(url)
    assert "Delete front-desk?" in text_of(confirm)
    assert not Run.objects.exists()

    response = client.post(url, {"confirm_name": "front-desk"})
    run = Run.objects.get(integration=vapi_integration)
    assert run.kind == RunKind.TEARDOWN
    assert response["Location"] == reverse("integrations:run-detail", args=[run.pk])
    vapi_integration.refresh_from_db()  # still here: a worker deletes it after its resources
    assert vapi_integration.deleting

    page = client.get(response["Location"], follow=True)
    assert "Tearing down front-desk" in text_of(page)
    assert "Teardown run #" in text_of(page)
    detail = text_of(client.get(reverse("integrations:integration-detail", args=[vapi_integration.pk])))
    assert "Deleting" in detail
    assert "Apply" not in re.findall(r">(Apply)</button>", detail)


def test_a_finished_teardown_run_page_says_the_integration_is_gone(
    world: TenantWorld, as_role: Callable[[str], Client]
) -> None:
    run = Run.objects.create(
        tenant=world.tenant,
        integration=None,
        integration_name="gone-desk",
        kind=RunKind.TEARDOWN,
        state=RunState.SUCCEEDED,
        progress=100,
        message="every resource deleted",
    )

    page = text_of(as_role(Role.VIEWER).get(reverse("integrations:run-detail", args=[run.pk])))

    assert "Teardown run #" in page
    assert "every resource deleted" in page
    assert "Every resource is gone and the integration was deleted." in page


def test_another_tenants_run_is_a_404(
    vapi_integration: Integration, other_world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    run = plan_run(vapi_integration)
    client = dashboard_client(other_world.users[Role.OWNER])

    for route in ("run-detail", "run-status", "run-plan"):
        assert client.get(reverse(f"integrations:{route}", args=[run.pk])).status_code == 404, route


# --- against the sandbox: the plan computed by the dashboard itself -------------------


@pytest.fixture
def sandbox(sandbox_url: str, sandbox_server: Any, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    apply_settings(monkeypatch, {**sandbox_settings(sandbox_server.url), **FAST_ENGINE})
    return Sandbox(sandbox_url)


def test_plan_button_observes_the_sandbox_and_lists_every_create_without_writing(
    sandbox: Sandbox, db: Any
) -> None:
    setup = make_connect_vapi(sandbox, slug="planco")
    client = Client()
    client.force_login(get_user_model().objects.get(username="planco-owner"))
    writes_before = sandbox.request_count()

    response = client.post(reverse("integrations:integration-plan", args=[setup.integration.pk]), follow=True)

    assert sandbox.writes_since(writes_before) == []
    run = Run.objects.get(integration=setup.integration)
    assert run.kind == RunKind.PLAN
    assert response.redirect_chain[-1][0] == reverse("integrations:run-plan", args=[run.pk])
    page = text_of(response)
    creates = [a for a in run.plan["actions"] if a["action"] == "create"]
    assert len(creates) >= 10
    assert f"Apply would make {len(creates)} changes: {len(creates)} to create" in page
    assert "(known after apply)" in page
    assert "origination" in page or "gateways" in page
    assert setup.vapi.read_secrets()["api_key"] not in response.content.decode()
