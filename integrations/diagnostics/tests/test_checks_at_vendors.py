"""Each check against vendor state made directly in the sandbox: a bad state gives the finding with its
fix, the good state none. (The blueprints of these kinds are tested elsewhere; the checks only read.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.aws_permissions import permission_policy
from integrations.choices import IntegrationKind
from integrations.diagnostics.checks.twilio_voice_url import patchbay_voice_url
from integrations.diagnostics.runner import evaluate_checks
from integrations.models import Integration, ProviderAccount, ResourceNode
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from integrations.vendors.synthflow import SIGNALLING_CIDRS, SynthflowClient
from integrations.vendors.twilio import TwilioClient

pytestmark = pytest.mark.django_db


def _sandbox_account(sandbox_url: str, vendor: str, **extra: Any) -> dict[str, Any]:
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": vendor, **extra}, timeout=30)
    response.raise_for_status()
    return response.json()


def _synthflow(world: Any, sandbox_url: str) -> tuple[ProviderAccount, dict[str, Any], SynthflowClient]:
    created = _sandbox_account(sandbox_url, "synthflow")
    account = ProviderAccountFactory(
        tenant=world.tenant,
        kind="synthflow",
        settings={"region": "global", "workspace_id": created["workspace_id"]},
        secrets={"api_key": created["api_key"]},
    )
    return account, created, SynthflowClient(created["api_key"], "global")


def _findings(integration: Integration) -> dict[str, Any]:
    integration.refresh_from_db()
    return {f.check: f for f in evaluate_checks(integration)}


def _node(integration: Integration, node: str, type_: str, external_id: str, **outputs: Any) -> None:
    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node=node,
        type=type_,
        status="ready",
        external_id=external_id,
        outputs=outputs,
    )


def test_twilio_number_voice_url_and_synthflow_binding(world: Any, vendors_at_sandbox: str) -> None:
    synthflow_account, synthflow, client = _synthflow(world, vendors_at_sandbox)
    twilio = _sandbox_account(vendors_at_sandbox, "twilio")
    twilio_account = ProviderAccountFactory(
        tenant=world.tenant,
        kind="twilio",
        settings={"account_sid": twilio["account_sid"]},
        secrets={"auth_token": twilio["auth_token"]},
    )
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.TWILIO_SYNTHFLOW,
        accounts={"twilio": twilio_account, "synthflow": synthflow_account},
    )
    integration.config = {
        **integration.config,
        "twilio_number": twilio["phone_number"],
        "synthflow_assistant_id": synthflow["assistant_id"],
    }
    integration.save()

    bad = _findings(integration)
    assert bad["twilio-voice-url"].status == "problem"
    assert "not Patchbay's webhook" in bad["twilio-voice-url"].message
    assert "points the number's VoiceUrl back" in bad["twilio-voice-url"].fix
    assert bad["number-bound"].status == "problem"
    assert "not imported" in bad["number-bound"].message

    client.import_custom_number(
        synthflow["workspace_id"],
        twilio["phone_number"],
        provider_name="twilio",
        termination_uri="example.pstn.twilio.com",
    )
    unbound = _findings(integration)["number-bound"]
    assert unbound.status == "problem" and "not bound to any assistant" in unbound.message

    client.set_assistant_number(synthflow["assistant_id"], twilio["phone_number"])
    TwilioClient(twilio["account_sid"], twilio["auth_token"]).update_voice(
        twilio["phone_number_sid"], voice_url=patchbay_voice_url(integration.public_id), voice_method="POST"
    )
    good = _findings(integration)
    assert good["twilio-voice-url"].status == "ok"
    assert good["number-bound"].status == "ok"
    assert good["number-e164"].status == "ok"
    assert [f.check for f in good.values() if f.status == "problem"] == []


def test_connect_synthflow_termination_uri_and_allow_list(
    world: Any, vendors_at_sandbox: str, aws_client: Any
) -> None:
    synthflow_account, synthflow, client = _synthflow(world, vendors_at_sandbox)
    aws_account = ProviderAccountFactory(tenant=world.tenant, kind="aws")
    created = _sandbox_account(
        vendors_at_sandbox, "aws", external_id=aws_account.external_id, permission_policy=permission_policy()
    )
    aws_account.settings = {"role_arn": created["role_arn"], "region": created["region"]}
    aws_account.save()
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.CONNECT_SYNTHFLOW,
        accounts={"aws": aws_account, "synthflow": synthflow_account},
    )
    number = "+14155550177"
    integration.config = {
        "connect_instance_id": created["connect_instance_id"],
        "phone_number": number,
        "synthflow_assistant_id": synthflow["assistant_id"],
        "transport": "UDP",
    }
    integration.save()
    chime = aws_client("chime-sdk-voice")
    connector = chime.create_voice_connector(
        Name="pb-acme-diag", RequireEncryption=False, AwsRegion="us-east-1"
    )
    connector_id = connector["VoiceConnector"]["VoiceConnectorId"]
    host = connector["VoiceConnector"]["OutboundHostName"]
    _node(integration, "voice_connector", "chime.voice_connector", connector_id, id=connector_id, host=host)
    chime.put_voice_connector_termination(
        VoiceConnectorId=connector_id,
        Termination={
            "CidrAllowedList": ["0.0.0.0/0"],
            "CallingRegions": ["US"],
            "CpsLimit": 1,
            "Disabled": False,
        },
    )
    # The seed guides' usual mistake: Synthflow's own host as the termination URI.
    client.import_custom_number(synthflow["workspace_id"], number, termination_uri="sip.synthflow.ai")
    client.set_assistant_number(synthflow["assistant_id"], number)

    bad = _findings(integration)
    assert bad["termination-uri"].status == "problem"
    assert "points at Synthflow itself" in bad["termination-uri"].message
    assert host in bad["termination-uri"].fix
    assert bad["allow-list"].status == "problem"
    assert "allows everyone (0.0.0.0/0)" in bad["allow-list"].message
    assert "Synthflow's signalling CIDRs" in bad["allow-list"].fix

    required = list(SIGNALLING_CIDRS["global"])
    chime.put_voice_connector_termination(
        VoiceConnectorId=connector_id,
        Termination={
            "CidrAllowedList": required[:2],
            "CallingRegions": ["US"],
            "CpsLimit": 1,
            "Disabled": False,
        },
    )
    missing = _findings(integration)["allow-list"]
    assert missing.status == "problem" and required[2] in missing.message and required[3] in missing.message

    chime.put_voice_connector_termination(
        VoiceConnectorId=connector_id,
        Termination={"CidrAllowedList": required, "CallingRegions": ["US"], "CpsLimit": 1, "Disabled": False},
    )
    client.update_number(synthflow["workspace_id"], number, {"termination_uri": host})
    good = _findings(integration)
    assert good["termination-uri"].status == "ok"
    assert good["allow-list"].status == "ok"
    assert good["number-bound"].status == "ok"


def test_genesys_byoc_termination_uri_and_trunk_allow_list(world: Any, vendors_at_sandbox: str) -> None:
    synthflow_account, synthflow, client = _synthflow(world, vendors_at_sandbox)
    genesys_account = ProviderAccountFactory(tenant=world.tenant, kind="genesys")  # region us_west_2
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.GENESYS_SYNTHFLOW,
        accounts={"genesys": genesys_account, "synthflow": synthflow_account},
    )
    number = "+14155550178"
    integration.config = {
        **integration.config,
        "inbound_identifier": "pb-acme",
        "phone_number": number,
        "synthflow_assistant_id": synthflow["assistant_id"],
    }
    integration.save()
    _node(integration, "trunk", "genesys.trunk", "trunk-1", allow_list=["0.0.0.0/0"], state="active")
    client.import_custom_number(synthflow["workspace_id"], number, termination_uri="sip.synthflow.ai:32681")
    client.set_assistant_number(synthflow["assistant_id"], number)

    bad = _findings(integration)
    assert bad["termination-uri"].status == "problem"
    assert "pb-acme.byoc.usw2.pure.cloud" in bad["termination-uri"].evidence
    assert bad["allow-list"].status == "problem"

    ResourceNode.objects.filter(integration=integration, node="trunk").update(
        outputs={"allow_list": list(SIGNALLING_CIDRS["global"]), "state": "active"}
    )
    client.update_number(
        synthflow["workspace_id"], number, {"termination_uri": "pb-acme.byoc.usw2.pure.cloud"}
    )
    good = _findings(integration)
    assert good["termination-uri"].status == "ok"
    assert good["allow-list"].status == "ok"


def test_a_number_not_in_e164_is_a_problem(world: Any, vendors_at_sandbox: str) -> None:
    synthflow_account, _, _ = _synthflow(world, vendors_at_sandbox)
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind=IntegrationKind.GENESYS_SYNTHFLOW,
        accounts={
            "genesys": ProviderAccountFactory(tenant=world.tenant, kind="genesys"),
            "synthflow": synthflow_account,
        },
    )
    # Stored before validation existed (or edited in the database): the check must still catch it.
    Integration.objects.filter(pk=integration.pk).update(
        config={**integration.config, "phone_number": "415-555-0100"}
    )
    finding = _findings(integration)["number-e164"]
    assert finding.status == "problem"
    assert "'415-555-0100' is not an E.164 number" in finding.message
    assert "E.164" in finding.fix
