"""The engine end to end on connect_vapi: a real Celery worker, PostgreSQL/Redis, the sandbox."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.db import connection

from integrations.actions import update_integration
from integrations.engine.runs import plan_integration, request_run
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.tasks import queue_run
from integrations.tests.engine_support import (
    ConnectVapiSetup,
    Sandbox,
    events_text,
    make_connect_vapi,
    run_to_end,
    wait_for_run,
)
from tenants.audit import Actor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


#: the objects a connect_vapi integration owns at its vendors (sub-resources such as the
#: connector's origination or a Lambda permission are not separate objects)
OWNED_OBJECT_TYPES = {
    "iam.role",
    "dynamodb.table",
    "lambda.function",
    "chime.VoiceConnector",
    "chime.PhoneNumber",
    "chime.SipMediaApplication",
    "chime.SipRule",
    "connect.ContactFlow",
    "connect.LambdaAssociation",
    "vapi.credential",
    "vapi.phone_number",
}


@pytest.fixture
def setup(sandbox: Sandbox, engine_worker: Any) -> ConnectVapiSetup:
    return make_connect_vapi(sandbox)


def _node(setup: ConnectVapiSetup, name: str) -> ResourceNode:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=name)


def _condition(setup: ConnectVapiSetup, type_: str) -> dict[str, Any]:
    integration = setup.refresh()
    return next(c for c in integration.conditions if c["type"] == type_)


def _vapi_credential(sandbox: Sandbox, setup: ConnectVapiSetup) -> dict[str, Any]:
    credential_id = _node(setup, "vapi_credential").external_id
    api_key = setup.vapi.read_secrets()["api_key"]
    response = httpx.get(
        f"{sandbox.url}/vapi/credential/{credential_id}", headers={"Authorization": f"Bearer {api_key}"}
    )
    response.raise_for_status()
    return response.json()


def _routed(aws_client: Any, setup: ConnectVapiSetup) -> dict[str, str]:
    """The instance's Connect numbers → the id of the flow each routes to, as Connect lists them."""
    connect = aws_client("connect")
    instance = setup.connect_instance_id
    numbers = connect.list_phone_numbers_v2(InstanceId=instance)["ListPhoneNumbersSummaryList"]
    by_arn = {n["PhoneNumberArn"]: n["PhoneNumber"] for n in numbers}
    listed = connect.list_flow_associations(InstanceId=instance, ResourceType="VOICE_PHONE_NUMBER")
    return {
        by_arn[a["ResourceId"]]: a["FlowId"].rsplit("/", 1)[-1] for a in listed["FlowAssociationSummaryList"]
    }


def test_apply_creates_every_resource_and_a_second_apply_changes_nothing(
    sandbox: Sandbox, setup: ConnectVapiSetup, aws_client: Any
) -> None:
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert run.progress == 100
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert rows.count() == 18
    assert all(row.status == "ready" for row in rows), [(r.node, r.status, r.message) for r in rows]
    owned = sandbox.objects_named(setup.prefix)
    assert {o["type"] for o in owned} == OWNED_OBJECT_TYPES
    identities = [(o["type"], o["name"]) for o in owned]
    assert len(identities) == len(set(identities)), f"duplicates: {identities}"
    assert _condition(setup, "Ready")["status"] == "True"
    assert _condition(setup, "Synced")["status"] == "True"
    # The Connect number the admin named now runs the flow (seed guide 001's last step).
    assert _routed(aws_client, setup) == {
        setup.connect_phone_number: _node(setup, "contact_flow").external_id
    }
    assert _node(setup, "connect_numbers").outputs == {"numbers": [setup.connect_phone_number]}

    # Connect kept the flow in its own form (rewritten on save): that is no drift.
    before = sandbox.request_count()
    again = run_to_end(setup.integration, RunKind.APPLY)
    assert again.state == RunState.SUCCEEDED, events_text(again)
    assert sandbox.writes_since(before) == []
    _, plan = plan_integration(setup.refresh())
    assert [a for a in plan["actions"] if a["action"] != "no-op"] == []


def test_plan_before_apply_lists_creates_with_inputs_known_after_apply(
    sandbox: Sandbox, setup: ConnectVapiSetup
) -> None:
    before = sandbox.request_count()
    _, plan = plan_integration(setup.integration)
    assert sandbox.writes_since(before) == []
    actions = {a["node"]: a for a in plan["actions"]}
    assert actions["voice_connector"]["action"] == "create"
    assert actions["voice_connector"]["diff"]["aws_region"] == [None, "us-east-1"]
    # The gateways are Chime's published range of the region: known before anything exists (issue 12.2).
    assert actions["vapi_credential"]["known_after_apply"] == []
    planned = actions["vapi_credential"]["diff"]["gateways"][1]
    assert [(g["ip"], g["netmask"]) for g in planned] == [("3.80.16.0", 24), ("3.80.17.0", 24)]
    assert "routes" in actions["origination"]["known_after_apply"]
    assert (
        ResourceNode.objects.filter(integration_id=setup.integration.pk).exclude(external_id="").count() == 0
    )


def test_teardown_after_a_full_apply_leaves_nothing_behind(
    sandbox: Sandbox, setup: ConnectVapiSetup, aws_client: Any
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    run = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    # The association is undone; the number stays claimed (it is the customer's).
    assert _routed(aws_client, setup) == {}
    claimed = aws_client("connect").list_phone_numbers_v2(InstanceId=setup.connect_instance_id)
    assert [n["PhoneNumber"] for n in claimed["ListPhoneNumbersSummaryList"]] == [setup.connect_phone_number]
    left = sandbox.objects_named(setup.prefix)
    # AWS keeps a released number for 7 days in DeleteInProgress (AWS.md §1.3): not an orphan.
    assert [o for o in left if o["state"] != "DeleteInProgress"] == []
    assert {o["type"] for o in left} <= {"chime.PhoneNumber"}
    assert not Integration.objects.filter(pk=setup.integration.pk).exists()
    assert Run.objects.get(pk=run.pk).integration_id is None


def test_teardown_after_a_half_apply_leaves_nothing_behind(sandbox: Sandbox, setup: ConnectVapiSetup) -> None:
    sandbox.fault(
        "aws",
        "CreateSipMediaApplication",
        "error",
        times=100,
        status=400,
        code="BadRequestException",
        message="Injected: refused",
    )
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "sip_media_application" in run.message and "Injected: refused" in run.message
    assert _condition(setup, "Ready")["reason"] == "ApplyFailed"
    sandbox.clear_faults()
    teardown = run_to_end(setup.integration, RunKind.TEARDOWN)
    assert teardown.state == RunState.SUCCEEDED, events_text(teardown)
    assert [o for o in sandbox.objects_named(setup.prefix) if o["state"] != "DeleteInProgress"] == []


def _narrow_gateways(sandbox: Sandbox, setup: ConnectVapiSetup, ips: list[str]) -> None:
    """Someone edits the credential at Vapi down to a few /32s (as seed 001's DNS answers)."""
    credential_id = _node(setup, "vapi_credential").external_id
    api_key = setup.vapi.read_secrets()["api_key"]
    response = httpx.patch(
        f"{sandbox.url}/vapi/credential/{credential_id}",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"gateways": [{"ip": ip, "outboundEnabled": False} for ip in ips]},
    )
    response.raise_for_status()


def test_narrowed_gateways_are_healed_by_reconcile(sandbox: Sandbox, setup: ConnectVapiSetup) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    _narrow_gateways(sandbox, setup, ["3.80.16.77", "3.80.16.78"])
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    gateways = sorted((g["ip"], g["netmask"]) for g in _vapi_credential(sandbox, setup)["gateways"])
    assert gateways == [("3.80.16.0", 24), ("3.80.17.0", 24)]  # us-east-1's 3.80.16.0/23
    assert _condition(setup, "Synced")["status"] == "True"


def test_narrowed_gateways_are_only_reported_under_the_report_policy(
    sandbox: Sandbox, setup: ConnectVapiSetup
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    update_integration(setup.refresh(), policy="report", actor=Actor.system())
    _narrow_gateways(sandbox, setup, ["3.80.16.90"])
    before_gateways = _vapi_credential(sandbox, setup)["gateways"]
    mark = sandbox.request_count()
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    assert sandbox.writes_since(mark) == []
    assert _vapi_credential(sandbox, setup)["gateways"] == before_gateways
    synced = _condition(setup, "Synced")
    assert synced["status"] == "False" and synced["reason"] == "Drifted"
    assert "vapi_credential" in synced["message"]
    assert "gateways" in Run.objects.get(pk=run.pk).plan["drift"]["vapi_credential"]


def test_an_edited_origination_host_is_healed(
    sandbox: Sandbox, setup: ConnectVapiSetup, aws_client: Any
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    connector = _node(setup, "voice_connector").external_id
    chime = aws_client("chime-sdk-voice")
    chime.put_voice_connector_origination(
        VoiceConnectorId=connector,
        Origination={
            "Routes": [{"Host": "198.51.100.7", "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 1}],
            "Disabled": False,
        },
    )
    run = run_to_end(setup.integration, RunKind.RECONCILE)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    routes = chime.get_voice_connector_origination(VoiceConnectorId=connector)["Origination"]["Routes"]
    assert [r["Host"] for r in routes] == [_node(setup, "vapi_credential").outputs["sip_host"]]
    assert run.events.filter(node="origination", action="update").exists()


THROTTLED_STEPS = [
    ("aws", "CreateTable"),
    ("aws", "CreateRole"),
    ("aws", "CreateFunction"),
    ("aws", "AddPermission"),
    ("aws", "AssociateLambdaFunction"),
    ("aws", "CreateVoiceConnector"),
    ("aws", "PutVoiceConnectorOrigination"),
    ("aws", "PutVoiceConnectorLoggingConfiguration"),
    ("aws", "CreatePhoneNumberOrder"),
    ("aws", "CreateSipMediaApplication"),
    ("aws", "CreateSipRule"),
    ("aws", "CreateContactFlow"),
    ("aws", "AssociatePhoneNumberContactFlow"),
    ("vapi", "CreateCredential"),
    ("vapi", "CreatePhoneNumber"),
]


@pytest.mark.parametrize("mode", ["throttle", "error"])
def test_throttling_and_server_errors_on_every_step_converge(
    sandbox: Sandbox, setup: ConnectVapiSetup, mode: str
) -> None:
    for vendor, operation in THROTTLED_STEPS:
        extra = {"status": 503, "code": "ServiceUnavailableException", "message": "Injected outage"}
        sandbox.fault(vendor, operation, mode, times=2, **(extra if mode == "error" else {}))
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    faulted = [r for r in sandbox.ledger()["requests"] if r.get("fault")]
    assert len(faulted) >= len(THROTTLED_STEPS)
    identities = [(o["type"], o["name"]) for o in sandbox.objects_named(setup.prefix)]
    assert len(identities) == len(set(identities))


def test_a_permanent_vendor_error_fails_the_run_naming_the_parameter(
    sandbox: Sandbox, setup: ConnectVapiSetup
) -> None:
    sandbox.fault(
        "aws",
        "CreateVoiceConnector",
        "error",
        times=100,
        status=400,
        code="BadRequestException",
        message="1 validation error detected: Value 'x' at 'name' failed to satisfy constraint",
    )
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.FAILED
    assert "voice_connector" in run.message and "at 'name'" in run.message
    ready = _condition(setup, "Ready")
    assert ready["status"] == "False" and "at 'name'" in ready["message"]
    # A permanent error is not retried: one attempt only.
    attempts = [r for r in sandbox.ledger()["requests"] if r["operation"] == "CreateVoiceConnector"]
    assert len(attempts) == 1


def test_a_simulated_call_carries_headers_fails_after_gateways_narrow_and_recovers_after_reconcile(
    sandbox: Sandbox, setup: ConnectVapiSetup
) -> None:
    assert run_to_end(setup.integration, RunKind.APPLY).state == RunState.SUCCEEDED
    # The caller dials the Connect number: Patchbay's flow invokes its Lambda and transfers to Chime.
    call = {
        "via": "connect",
        "from": "+15105550101",
        "to": setup.connect_phone_number,
        "attributes": {"CustomerName": "John"},
    }
    answered = sandbox.call(**call)
    assert answered["status"] == 200, answered
    assert answered["delivered_headers"].get("x-customername") == "John"
    assert [s["action"] for s in answered["connect"]["steps"]] == [
        "set-attributes",
        "store-attributes",
        "transfer-to-agent",
    ]
    assert answered["lambda"]["connect"]["function"] == _node(setup, "connect_lambda").outputs["name"]
    # The connector sends from anywhere in 3.80.16.0/23; the gateways now allow two addresses only.
    sandbox.post("options", {"chime": {"connector_source_ip": "3.80.17.150"}})
    _narrow_gateways(sandbox, setup, ["3.80.16.150", "3.80.16.151"])
    refused = sandbox.call(**call)
    assert refused["status"] == 401, refused
    assert run_to_end(setup.integration, RunKind.RECONCILE).state == RunState.SUCCEEDED
    healed = sandbox.call(**call)
    assert healed["status"] == 200, healed


def test_an_action_missing_from_the_role_policy_fails_the_apply_with_access_denied(
    sandbox: Sandbox, engine_worker: Any
) -> None:
    setup = make_connect_vapi(sandbox, slug="narrow", withhold=("chime:CreateSipRule",))

    run = run_to_end(setup.integration, RunKind.APPLY)

    assert run.state == RunState.FAILED
    assert "sip_rule" in run.message
    assert "AccessDeniedException" in run.message
    assert "is not authorized to perform: chime:CreateSipRule" in run.message
    assert "permission policy" in run.message  # and where to find the one it needs
    # Denied at once (not retried), and nothing else was refused.
    denied = [r for r in sandbox.ledger()["requests"] if r["status"] == 403]
    assert [r["operation"] for r in denied] == ["CreateSipRule"]


def test_two_applies_at_once_make_one_run(sandbox: Sandbox, setup: ConnectVapiSetup) -> None:
    integration = setup.integration

    def request(_: int) -> int:
        try:
            return request_run(Integration.objects.get(pk=integration.pk), RunKind.APPLY, enqueue=queue_run)[
                0
            ].pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(request, range(2))
    assert first == second
    assert Run.objects.filter(integration_id=integration.pk, kind=RunKind.APPLY).count() == 1
    # the worker runs it: let it finish, or the end of the test truncates tables under its transaction
    assert wait_for_run(Run.objects.get(pk=first)).state == RunState.SUCCEEDED
