"""The Registered condition: its transitions as a user sees them on the integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.utils import timezone

from calls.probes import probe_integration
from integrations.choices import IntegrationKind
from integrations.diagnostics.models import RegistrationState
from integrations.diagnostics.registration import refresh_registration
from integrations.models import Integration, ResourceNode
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from integrations.vendors.synthflow import SynthflowClient

pytestmark = pytest.mark.django_db


def _node(
    integration: Integration, node: str, type_: str, status: str = "ready", **outputs: Any
) -> ResourceNode:
    return ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node=node,
        type=type_,
        status=status,
        external_id=f"{node}-id",
        outputs=outputs,
    )


def _registered(integration: Integration) -> dict[str, Any]:
    integration.refresh_from_db()
    return next(c for c in integration.conditions if c["type"] == "Registered")


def test_never_applied_is_unknown_not_provisioned(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    condition = refresh_registration(integration)
    assert (condition["status"], condition["reason"]) == ("Unknown", "NotProvisioned")
    assert _registered(integration)["reason"] == "NotProvisioned"


def test_synthflow_stays_unknown_until_a_call_arrives_whatever_the_time(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.TWILIO_SYNTHFLOW)
    attached = timezone.now() - timedelta(hours=3)
    _node(
        integration,
        "assistant_number",
        "synthflow.assistant_number",
        model_id="",  # no assistant to ask for calls: nothing can be observed
        phone_number="+14155550100",
        bound=True,
        attached_at=attached.isoformat(),
    )

    condition = refresh_registration(integration)

    # Hours after the number was set, still no claim: no call was seen, so it is not known.
    assert (condition["status"], condition["reason"]) == ("Unknown", "AwaitingFirstCall")
    assert "unknown until a call arrives" in condition["message"]
    assert "+14155550100" in condition["message"]
    components = {c["name"]: c for c in RegistrationState.objects.get(integration=integration).components}
    assert components["Synthflow registration"]["state"] == "pending"
    assert components["Resources"]["state"] == "ok"


def test_synthflow_turns_registered_when_synthflow_lists_a_connected_call(
    world: Any, vendors_at_sandbox: str, sandbox_server: Any
) -> None:
    number = "+14155550100"
    created = httpx.post(f"{vendors_at_sandbox}/_sandbox/accounts", json={"vendor": "synthflow"}, timeout=30)
    created.raise_for_status()
    made = created.json()
    account = ProviderAccountFactory(
        tenant=world.tenant,
        kind="synthflow",
        settings={"region": "global", "workspace_id": made["workspace_id"]},
        secrets={"api_key": made["api_key"]},
    )
    twilio = ProviderAccountFactory(tenant=world.tenant, kind="twilio")
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.TWILIO_SYNTHFLOW,
        accounts={"twilio": twilio, "synthflow": account},
    )
    client = SynthflowClient(made["api_key"], "global")
    client.import_custom_number(made["workspace_id"], number, termination_uri="acme.pstn.twilio.com")
    client.set_assistant_number(made["assistant_id"], number)
    _node(
        integration,
        "assistant_number",
        "synthflow.assistant_number",
        model_id=made["assistant_id"],
        phone_number=number,
        bound=True,
        attached_at=(timezone.now() - timedelta(seconds=5)).isoformat(),
    )
    # A prepared call is not a call Synthflow took: its SIP leg has not arrived.
    client.prepare_inbound(
        from_number="+12065550142",
        to_number=number,
        model_id=made["assistant_id"],
        workspace_id=made["workspace_id"],
        custom_variables={},
        timeout=5.0,
    )
    assert refresh_registration(integration)["reason"] == "AwaitingFirstCall"

    answered = sandbox_server.sandbox.stand_in("synthflow").sip_invite(
        f"sip:{number}@sip.synthflow.ai:32681", "54.172.60.1", {"From": "<sip:+12065550142@pstn.twilio.com>"}
    )
    assert answered == (200, "OK")
    registered = refresh_registration(integration)

    assert (registered["status"], registered["reason"]) == ("True", "Registered")
    components = {c["name"]: c for c in RegistrationState.objects.get(integration=integration).components}
    assert components["Synthflow registration"]["state"] == "ok"
    assert f"Synthflow took a call to {number}" in components["Synthflow registration"]["message"]


def test_a_failed_resource_makes_registered_false_naming_it(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    _node(integration, "voice_connector", "chime.voice_connector", host="abc.voiceconnector.chime.aws")
    failed = _node(integration, "vapi_credential", "vapi.credential", status="failed")
    failed.message = "Couldn't validate SIP trunk credential."
    failed.save()
    condition = refresh_registration(integration)
    assert (condition["status"], condition["reason"]) == ("False", "ResourcesNotReady")
    assert "vapi_credential failed" in condition["message"]
    assert "Couldn't validate" in condition["message"]


def test_vapi_number_status_blocked_and_activating(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    number = _node(integration, "vapi_phone_number", "vapi.phone_number")
    number.outputs = {"status": "activating"}
    number.save()
    assert refresh_registration(integration)["reason"] == "VapiNumberActivating"
    number.outputs = {"status": "blocked"}
    number.save()
    blocked = refresh_registration(integration)
    assert (blocked["status"], blocked["reason"]) == ("False", "VapiNumberBlocked")
    number.outputs = {"status": "active"}
    number.save()
    assert refresh_registration(integration)["status"] == "True"


def test_genesys_trunk_inactive_is_false(world: Any) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.GENESYS_SYNTHFLOW)
    _node(integration, "trunk", "genesys.trunk", state="inactive")
    condition = refresh_registration(integration)
    assert (condition["status"], condition["reason"]) == ("False", "TrunkInactive")


def test_probe_down_makes_registered_false_and_recovery_makes_it_true(
    world: Any, settings: Any, closed_tcp_port: int, sipp_peer: Any
) -> None:
    settings.PROBE_DOWN_AFTER, settings.PROBE_UP_AFTER = 3, 2
    integration = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    integration.config = {**integration.config, "transport": "tcp"}
    integration.save()
    far_end = _node(integration, "far_end", "test.sip_peer", sip_host="127.0.0.1", sip_port=closed_tcp_port)
    for _ in range(2):
        probe_integration(integration)
    # Two refused probes are not enough to call the target down (hysteresis): no alarm yet.
    assert refresh_registration(integration)["status"] == "True"
    probe_integration(integration)
    down = refresh_registration(integration)
    assert (down["status"], down["reason"]) == ("False", "SipTargetDown")
    assert f"127.0.0.1:{closed_tcp_port}/tcp" in down["message"]

    peer = sipp_peer("tcp")
    far_end.outputs = {"sip_host": "127.0.0.1", "sip_port": peer.port}
    far_end.save()
    for _ in range(2):
        probe_integration(integration)
    up = refresh_registration(integration)
    assert (up["status"], up["reason"]) == ("True", "Registered")
    components = {c["name"]: c for c in RegistrationState.objects.get(integration=integration).components}
    assert components["SIP reachability"]["state"] == "ok"
