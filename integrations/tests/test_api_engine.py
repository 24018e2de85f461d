"""The engine through the REST API (DESIGN §8): plan, apply, runs, resources, contact flow, delete.

A real Celery worker executes the runs against the sandbox; the client is an API
token, as automation would use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from integrations.models import Integration
from integrations.models.engine import Run
from integrations.tests.engine_support import ConnectVapiSetup, Sandbox, make_connect_vapi
from tenants.actions import create_api_token
from tenants.audit import Actor
from tenants.choices import AuditAction, Role
from tenants.models import AuditEvent
from tenants.tests.factories import MembershipFactory
from testing.waits import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


API = "/api/v1"
DEADLINE = 180.0


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> ConnectVapiSetup:
    """A connect_vapi integration on the sandbox, with this module's worker running."""
    return make_connect_vapi(sandbox)


def client_for(setup: ConnectVapiSetup, role: str) -> APIClient:
    # A token acts as its creator, who must still be a member with at least the token's role.
    creator = MembershipFactory(tenant=setup.tenant, role=role).user
    _, key = create_api_token(
        setup.tenant, name=f"{role} automation", role=role, actor=Actor(user=creator, role=role)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def follow(client: APIClient, run_id: str) -> dict[str, Any]:
    """Poll `runs/{id}/` as a script would, until the run has finished."""

    def finished() -> dict[str, Any] | None:
        response = client.get(f"{API}/runs/{run_id}/")
        assert response.status_code == 200, response.content
        body: dict[str, Any] = response.json()
        return body if body["state"] in ("succeeded", "failed") else None

    return wait_until(finished, timeout=DEADLINE, message=f"run {run_id} not finished")


def test_plan_apply_follow_and_delete_through_the_api(sandbox: Sandbox, setup: ConnectVapiSetup) -> None:
    operator = client_for(setup, Role.OPERATOR)
    viewer = client_for(setup, Role.VIEWER)
    base = f"{API}/integrations/{setup.integration.pk}"

    plan = operator.post(f"{base}/plan/")
    assert plan.status_code == 200, plan.content
    assert plan.json()["changes"]["create"] == 17  # no termination (issue 12.6), and the DNS answer
    assert viewer.post(f"{base}/apply/").status_code == 403

    first = operator.post(f"{base}/apply/")
    second = operator.post(f"{base}/apply/")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"], "a second apply while one is active returns that run"
    run = follow(viewer, first.json()["id"])
    assert run["state"] == "succeeded", run["message"]
    assert run["progress"] == 100
    assert {e["node"] for e in run["events"]} >= {"voice_connector", "vapi_credential", "contact_flow"}
    created = {e["node"]: e for e in run["events"] if e["action"] == "create" and e["outcome"] == "ok"}
    # Each step names the vendor's request id, for a support ticket to the vendor.
    for node in ("voice_connector", "iam_role", "dynamodb_table"):
        assert created[node]["request_id"], (node, created[node])
    api_key = setup.vapi.read_secrets()["api_key"]
    assert api_key not in str(run)

    integration = viewer.get(f"{base}/").json()
    assert integration["latest_run"]["id"] == run["id"]
    assert integration["latest_run"]["state"] == "succeeded"
    ready = next(c for c in integration["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    resources = viewer.get(f"{base}/resources/").json()
    assert len(resources) == 18
    assert all(r["status"] == "ready" for r in resources)
    assert api_key not in str(resources)
    assert [r["id"] for r in viewer.get(f"{API}/runs/?integration={setup.integration.pk}").json()["results"]]
    flow = viewer.get(f"{base}/contact-flow/")
    assert flow.status_code == 200
    assert flow["Content-Disposition"].startswith("attachment;")
    assert any(a["Type"] == "TransferParticipantToThirdParty" for a in flow.json()["Actions"])
    assert set(flow.json()) == {"Version", "StartAction", "Actions"}  # no Metadata: Connect owns it

    deleted = operator.delete(f"{base}/")
    assert deleted.status_code == 202, deleted.content
    assert deleted.json()["kind"] == "teardown"
    assert Integration.objects.get(pk=setup.integration.pk).deleting
    refused = operator.post(f"{base}/reconcile/")
    assert refused.status_code == 409, "an integration being torn down cannot be reconciled"
    teardown = follow(viewer, deleted.json()["id"])
    assert teardown["state"] == "succeeded", teardown["message"]
    assert viewer.get(f"{base}/").status_code == 404
    assert sandbox.objects_named(setup.prefix) == [] or all(
        o.get("state") == "DeleteInProgress" for o in sandbox.objects_named(setup.prefix)
    )
    actions = set(
        AuditEvent.objects.filter(tenant=setup.tenant, object_id=str(setup.integration.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        AuditAction.INTEGRATION_PLANNED,
        AuditAction.INTEGRATION_APPLY_REQUESTED,
        AuditAction.INTEGRATION_TEARDOWN_REQUESTED,
        AuditAction.INTEGRATION_DELETED,
    } <= actions
    assert Run.objects.get(pk=deleted.json()["id"]).integration_id is None


def test_a_viewer_reads_runs_but_cannot_start_one(setup: ConnectVapiSetup) -> None:
    viewer = client_for(setup, Role.VIEWER)
    base = f"{API}/integrations/{setup.integration.pk}"
    for verb in ("apply", "reconcile", "teardown", "plan"):
        assert viewer.post(f"{base}/{verb}/").status_code == 403, verb
    assert viewer.delete(f"{base}/").status_code == 403
    assert viewer.get(f"{API}/runs/").status_code == 200
    assert viewer.get(f"{base}/contact-flow/").status_code == 409  # nothing applied yet
