"""Warm transfers back to a human (issue 12, item 3): Synthflow dials its number's termination URI with a
new INVITE. Patchbay provisions that ingress in the customer's Twilio account, a SIP Domain open only to
an IP ACL of Synthflow's signalling addresses, whose Voice URL is Patchbay's signed warm-transfer
webhook: it dials only the integration's transfer targets. Here: the webhook, and the two resource
types against the sandbox's Twilio (create, observe no-op, drift healed, adopted after a lost create,
delete). The engine end to end is in test_engine_twilio_synthflow.py."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from django.urls import reverse

from integrations.blueprints.twilio_synthflow import BLUEPRINT, warm_transfer_domain
from integrations.engine.blueprint import SpecInputs
from integrations.kinds.twilio_synthflow import validate_config
from integrations.tests.resource_harness import Node
from integrations.tests.twilio_webhook_world import WebhookWorld
from integrations.vendors.synthflow import SIGNALLING_CIDRS
from integrations.vendors.twilio import TwilioClient
from sandbox.twilio import library_reference

AGENT = "+14155550123"
ELSEWHERE = "+19005550100"
GLOBAL_CIDRS = sorted(SIGNALLING_CIDRS["global"])
ACL_NAME = "pb-acme-phones-warm-transfer-acl"
DOMAIN_NAME = "pb-acme-phones-warm-transfer-domain"


# -- the webhook -------------------------------------------------------------------------------------------


def _domain_call(world: WebhookWorld, to_number: str, **overrides: str) -> dict[str, str]:
    """The parameters Twilio sends when Synthflow's INVITE for `to_number` reaches the domain."""
    domain = warm_transfer_domain(world.public_id)
    return world.call_params(
        From="sip:+14155550100@sip.synthflow.ai",
        To=f"sip:{to_number}@{domain}",
        Called=f"sip:{to_number}@{domain}",
        SipDomain=domain,
        SipDomainSid="SD" + "1" * 32,
        SipSourceIp="34.138.86.8",
        **overrides,
    )


def _path(world: WebhookWorld) -> str:
    return reverse("twilio-warm-transfer-webhook", kwargs={"public_id": world.public_id})


def test_a_warm_transfer_to_a_target_is_dialled_and_anything_else_rejected(
    webhook_world: Callable[..., WebhookWorld], caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config={"transfer_targets": [AGENT]})

    dialled = world.post(_domain_call(world, AGENT), path=_path(world))
    rejected = world.post(_domain_call(world, ELSEWHERE), path=_path(world))
    not_a_number = world.post(_domain_call(world, "reception"), path=_path(world))

    assert dialled.status_code == 200 and dialled["Content-Type"].startswith("text/xml")
    assert f"<Dial><Number>{AGENT}</Number></Dial>".encode() in dialled.content
    for refused in (rejected, not_a_number):
        assert (
            refused.status_code == 200 and b"<Reject" in refused.content and b"<Dial" not in refused.content
        )
    assert f"warm transfer to sip:{ELSEWHERE}@" in caplog.text
    answers = [dialled.content, rejected.content]
    assert [library_reference.twiml_problems(a) for a in answers] == [[], []]


def test_without_transfer_targets_every_warm_transfer_is_rejected(
    webhook_world: Callable[..., WebhookWorld],
) -> None:
    world = webhook_world()

    assert b"<Reject" in world.post(_domain_call(world, AGENT), path=_path(world)).content


def test_an_unsigned_or_wrongly_signed_request_is_refused(webhook_world: Callable[..., WebhookWorld]) -> None:
    world = webhook_world(config={"transfer_targets": [AGENT]})
    params = _domain_call(world, AGENT)

    assert world.client.post(_path(world), params).status_code == 403
    assert world.post(params, path=_path(world), token="not-the-token").status_code == 403
    other = reverse("twilio-warm-transfer-webhook", kwargs={"public_id": "no-such-integration"})
    assert world.post(params, path=other).status_code == 404


def test_a_repeated_call_gets_its_first_answer(webhook_world: Callable[..., WebhookWorld]) -> None:
    world = webhook_world(config={"transfer_targets": [AGENT]})
    first = _domain_call(world, AGENT)
    assert b"<Dial>" in world.post(first, path=_path(world)).content

    world.reconfigure(transfer_targets=[])
    again = world.post(first, path=_path(world))
    fresh = world.post(_domain_call(world, AGENT), path=_path(world))

    assert b"<Dial>" in again.content  # Twilio retrying the same call: the same answer
    assert b"<Reject" in fresh.content  # a new call sees the new config


# -- the blueprint ------------------------------------------------------------------------------------------


def _inputs(region: str = "global", **config: Any) -> SpecInputs:
    base = {"twilio_number": "+14155550100", "synthflow_assistant_id": "a" * 12}
    return SpecInputs(
        config=validate_config({**base, **config}),
        accounts={"synthflow": {"workspace_id": "ws", "region": region}},
        integration_name="phones",
        tenant_slug="acme",
        public_id="Ab_c-9xYZ",
        outputs={"warm_transfer_acl": {"sid": "AL" + "2" * 32}},
    )


def test_the_domain_admits_only_synthflows_region_and_sends_calls_to_the_webhook(settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://pb.example.com"
    nodes = BLUEPRINT.by_name
    domain = nodes["warm_transfer_domain"].spec(_inputs())

    assert nodes["warm_transfer_acl"].spec(_inputs("eu")) == {"cidrs": sorted(SIGNALLING_CIDRS["eu"])}
    assert domain["domain_name"] == warm_transfer_domain("Ab_c-9xYZ")
    assert domain["domain_name"].startswith("pb-") and domain["domain_name"].endswith(".sip.twilio.com")
    assert domain["domain_name"] == domain["domain_name"].lower() and "_" not in domain["domain_name"]
    assert domain["voice_url"] == "https://pb.example.com/hooks/twilio/warm-transfer/Ab_c-9xYZ"
    assert domain["acl_sids"] == ["AL" + "2" * 32]
    assert nodes["synthflow_number"].depends_on == ("warm_transfer_domain",)


# -- the resource types, against the sandbox's Twilio --------------------------------------------------------


@pytest.fixture
def twilio(sandbox_url: str, settings: Any) -> TwilioClient:
    settings.TWILIO_BASE_URL = f"{sandbox_url}/twilio"
    made = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}, timeout=10).json()
    return TwilioClient(made["account_sid"], made["auth_token"])


def _acl_node(twilio: TwilioClient, cidrs: list[str] = GLOBAL_CIDRS) -> Node:
    return Node("twilio.ip_access_control_list", ACL_NAME, {"cidrs": cidrs}, SimpleNamespace(twilio=twilio))


def _domain_node(twilio: TwilioClient, acl_sid: str) -> Node:
    url = "https://pb.example.com/hooks/twilio/warm-transfer/abc"
    spec = {
        "domain_name": "pb-0123456789abcdef0123.sip.twilio.com",
        "voice_url": url,
        "voice_method": "POST",
        "voice_fallback_url": url,
        "voice_fallback_method": "POST",
        "acl_sids": [acl_sid],
    }
    return Node("twilio.sip_domain", DOMAIN_NAME, spec, SimpleNamespace(twilio=twilio))


def test_the_acl_is_created_healed_after_hand_edits_and_deleted(twilio: TwilioClient) -> None:
    node = _acl_node(twilio)
    assert not node.observe().exists

    created = node.create()
    assert created.up_to_date and created.outputs["cidrs"] == GLOBAL_CIDRS
    assert node.observe().diff == {}  # observe again: nothing to do
    # Someone removes an entry in Twilio's console and opens the list to the world.
    first = twilio.list_acl_addresses(node.external_id)[0]
    twilio.delete_acl_address(node.external_id, first.sid)
    twilio.add_acl_address(node.external_id, "everyone", "0.0.0.0", 8)
    drifted = node.observe()
    assert set(drifted.diff) == {"cidrs"} and "0.0.0.0/8" in drifted.diff["cidrs"][0]

    healed = node.update(drifted.diff)

    assert healed.up_to_date
    assert sorted(a.cidr for a in twilio.list_acl_addresses(node.external_id)) == GLOBAL_CIDRS
    node.delete()
    assert not node.observe().exists and twilio.list_acls() == []
    node.delete()  # already gone: done


def test_a_lost_acl_create_is_adopted_by_name(twilio: TwilioClient) -> None:
    # The worker created the list and one entry, then died before saving the list's SID.
    lost = twilio.create_acl(ACL_NAME)
    twilio.add_acl_address(lost.sid, "x", "34.138.86.8", 32)
    node = _acl_node(twilio)

    seen = node.observe()
    assert seen.exists and seen.external_id == lost.sid and not seen.up_to_date
    assert node.create().up_to_date

    assert node.external_id == lost.sid
    assert [acl.sid for acl in twilio.list_acls()] == [lost.sid]
    assert sorted(a.cidr for a in twilio.list_acl_addresses(lost.sid)) == GLOBAL_CIDRS


def test_the_domain_is_created_mapped_healed_and_deleted_before_its_acl(twilio: TwilioClient) -> None:
    acl = _acl_node(twilio)
    acl.create()
    node = _domain_node(twilio, acl.external_id)
    assert not node.observe().exists

    created = node.create()
    assert created.up_to_date and node.external_id.startswith("SD")
    domain = twilio.get_domain(node.external_id)
    assert (domain.friendly_name, domain.auth_type) == (DOMAIN_NAME, "IP_ACL")
    assert twilio.list_call_acl_mappings(node.external_id) == [acl.external_id]
    assert node.observe().diff == {}
    # Someone points the domain elsewhere and drops its mapping (it would then take no calls at all).
    twilio.update_domain(node.external_id, VoiceUrl="https://elsewhere.example.com/voice")
    twilio.unmap_call_acl(node.external_id, acl.external_id)
    drifted = node.observe()
    assert set(drifted.diff) == {"voice_url", "acl_sids"}

    assert node.update(drifted.diff).up_to_date
    assert twilio.get_domain(node.external_id).voice_url == node.spec["voice_url"]
    assert twilio.list_call_acl_mappings(node.external_id) == [acl.external_id]
    # Teardown order: the domain (which maps the list) goes first, then the list.
    node.delete()
    acl.delete()
    assert twilio.list_domains() == [] and twilio.list_acls() == []
    node.delete()


def test_a_lost_domain_create_is_adopted_by_its_domain_name(twilio: TwilioClient) -> None:
    acl = _acl_node(twilio)
    acl.create()
    node = _domain_node(twilio, acl.external_id)
    lost = twilio.create_domain(node.spec["domain_name"], FriendlyName=DOMAIN_NAME)  # answer lost, unmapped

    assert node.create().up_to_date

    assert node.external_id == lost.sid and [d.sid for d in twilio.list_domains()] == [lost.sid]
    assert twilio.list_call_acl_mappings(lost.sid) == [acl.external_id]
    assert twilio.get_domain(lost.sid).voice_url == node.spec["voice_url"]
