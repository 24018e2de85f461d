"""connect_vapi's checks through the API, against a connector and a Vapi credential made in the sandbox:
missing gateway (after DNS moves the IPs), origination aimed elsewhere, SIP logging off."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.urls import reverse

from integrations.aws_permissions import permission_policy
from integrations.choices import IntegrationKind
from integrations.models import ResourceNode
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from integrations.vendors.vapi import Gateway, VapiClient

pytestmark = pytest.mark.django_db


def _node(integration: Any, node: str, type_: str, external_id: str, **outputs: Any) -> None:
    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node=node,
        type=type_,
        status="ready",
        external_id=external_id,
        outputs=outputs,
    )


def test_connect_vapi_findings_and_their_fixes(world: Any, vendors_at_sandbox: str, aws_client: Any) -> None:
    sandbox = vendors_at_sandbox
    vapi = httpx.post(f"{sandbox}/_sandbox/accounts", json={"vendor": "vapi"}, timeout=30).json()
    vapi_account = ProviderAccountFactory(
        tenant=world.tenant, kind="vapi", settings={"region": "us"}, secrets={"api_key": vapi["api_key"]}
    )
    aws_account = ProviderAccountFactory(tenant=world.tenant, kind="aws")
    aws = httpx.post(
        f"{sandbox}/_sandbox/accounts",
        json={
            "vendor": "aws",
            "external_id": aws_account.external_id,
            "permission_policy": permission_policy(),
        },
        timeout=30,
    ).json()
    aws_account.settings = {"role_arn": aws["role_arn"], "region": aws["region"]}
    aws_account.save()
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.CONNECT_VAPI,
        accounts={"aws": aws_account, "vapi": vapi_account},
    )
    chime = aws_client("chime-sdk-voice")
    connector = chime.create_voice_connector(
        Name="pb-acme-vapi", RequireEncryption=False, AwsRegion="us-east-1"
    )
    connector_id = connector["VoiceConnector"]["VoiceConnectorId"]
    host = connector["VoiceConnector"]["OutboundHostName"]
    ips = httpx.get(f"{sandbox}/_sandbox/dns/{connector_id}", timeout=10).json()["ips"]
    client = VapiClient(vapi["api_key"], "us")
    # us-east-1's signalling range 3.80.16.0/23 as two /24 gateways (issue 12.2).
    range_gateways = [Gateway(ip="3.80.16.0", netmask=24), Gateway(ip="3.80.17.0", netmask=24)]
    credential = client.create_credential("pb-acme-vapi", range_gateways)
    sip_host = client.sip_host(credential.id)
    _node(integration, "voice_connector", "chime.voice_connector", connector_id, id=connector_id, host=host)
    _node(
        integration, "vapi_credential", "vapi.credential", credential.id, id=credential.id, sip_host=sip_host
    )
    route = {"Host": sip_host, "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 1}
    chime.put_voice_connector_origination(
        VoiceConnectorId=connector_id, Origination={"Routes": [route], "Disabled": False}
    )
    chime.put_voice_connector_logging_configuration(
        VoiceConnectorId=connector_id, LoggingConfiguration={"EnableSIPLogs": True}
    )
    url = reverse("integration-diagnostics", kwargs={"pk": integration.pk})
    api = world.api("operator")

    def findings() -> dict[str, dict[str, Any]]:
        response = api.post(url)
        assert response.status_code == 201, response.content
        return {f["check"]: f for f in response.json()["findings"]}

    good = findings()
    assert {name: f["status"] for name, f in good.items()} == {
        "missing-gateway": "ok",
        "origination-target": "ok",
        "sip-logging": "ok",
        # Only the connector and the credential exist here: the checks of the rest cannot decide.
        "x-amzn-header": "unknown",
        "sip-rule-target": "unknown",
        "lambda-associated": "unknown",
        "sma-hangup": "unknown",
        "failed-calls": "unknown",
    }

    # Someone narrows the gateways to today's DNS answers, edits the origination, switches logging off.
    client.update_gateways(credential.id, [Gateway(ip=ip) for ip in ips])
    wrong = {**route, "Host": "sip.vapi.ai"}
    chime.put_voice_connector_origination(
        VoiceConnectorId=connector_id, Origination={"Routes": [wrong], "Disabled": False}
    )
    chime.put_voice_connector_logging_configuration(
        VoiceConnectorId=connector_id, LoggingConfiguration={"EnableSIPLogs": False}
    )
    bad = findings()
    missing = bad["missing-gateway"]
    assert missing["status"] == "problem" and missing["severity"] == "error"
    assert (
        "miss part of Chime's signalling range for us-east-1 (3.80.16.0/24, 3.80.17.0/24)"
        in (missing["message"])
    )
    assert "401" in missing["message"]
    assert missing["fix"].startswith("Reconcile or apply the integration")
    origination = bad["origination-target"]
    assert origination["status"] == "problem"
    assert f"does not route to {sip_host}" in origination["message"]
    assert "sip.vapi.ai:5060/UDP" in origination["evidence"]
    logging = bad["sip-logging"]
    assert logging["status"] == "problem" and logging["severity"] == "warning"
    assert "no call ladder" in logging["message"]
    assert "EnableSIPLogs" in logging["fix"]
    # The gateways are put right, but the connector resolves outside the published range: AWS moved it.
    client.update_gateways(credential.id, range_gateways)
    httpx.put(f"{sandbox}/_sandbox/dns/{connector_id}", json={"ips": [ips[0], "52.55.62.130"]}, timeout=10)
    moved = findings()["missing-gateway"]
    assert moved["status"] == "problem"
    assert (
        "resolves to 52.55.62.130, outside Chime's published signalling range for us-east-1"
        in (moved["message"])
    )
    assert "chime_ranges.py" in moved["fix"]
    # The latest report is what GET answers.
    assert {f["check"] for f in api.get(url).json()["findings"] if f["status"] == "problem"} == {
        "missing-gateway",
        "origination-target",
        "sip-logging",
    }
