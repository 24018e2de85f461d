"""The Twilio voice webhook: signature, TwiML to Synthflow's SIP edge, headers, 404s, cache and queries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from twilio.twiml.voice_response import VoiceResponse

from integrations import actions
from integrations.choices import IntegrationKind
from integrations.hooks.twiml import SIP_HEADERS_LIMIT, SIP_STATUS_EVENTS, dial_sip
from integrations.models import Integration, TwilioCallEvent, TwilioEventKind
from integrations.tests.factories import IntegrationFactory
from integrations.tests.twilio_webhook_world import (
    PUBLIC_BASE_URL,
    TWILIO_NUMBER,
    TWILIO_SIP_SOURCE,
    WebhookWorld,
    dialed_sip,
    fallback_of,
)
from sandbox.core.server import SandboxServer
from tenants.audit import Actor
from testing import resets
from testing.waits import wait_until

MakeWorld = Callable[..., WebhookWorld]


def invite(sandbox_server: SandboxServer, uri: str) -> tuple[int, dict[str, Any]]:
    """Send the dialled URI to the sandbox's Synthflow SIP edge; (status, what it recorded)."""
    synthflow = sandbox_server.sandbox.stand_in("synthflow")
    status, _ = synthflow.sip_invite(uri, TWILIO_SIP_SOURCE, {})  # type: ignore[attr-defined]
    return status, synthflow.received_calls[-1]  # type: ignore[attr-defined]


def test_signed_call_is_dialled_to_synthflow_with_the_call_sid_in_x_ei(
    webhook_world: MakeWorld, sandbox_server: SandboxServer
) -> None:
    world = webhook_world(config={"sip_headers": {"X-Caller": "From", "X-City": "FromCity"}})
    params = world.call_params()

    response = world.post(params)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    dial = dialed_sip(response.content)
    assert dial.uri.startswith(f"sip:{TWILIO_NUMBER}@sip.synthflow.ai:32681?")
    assert dial.headers_part.startswith(f"X-EI=E.{params['CallSid']}%3B&")
    assert "X-Caller=%2B12065550142" in dial.headers_part
    assert dial.headers == {
        "X-EI": f"E.{params['CallSid']};",
        "X-Caller": "+12065550142",
        "X-City": "SEATTLE",
    }
    assert dial.status_callback == f"{PUBLIC_BASE_URL}/hooks/twilio/status/{world.public_id}"
    status, received = invite(sandbox_server, dial.uri)
    assert status == 200
    assert received["external_id"] == params["CallSid"]
    assert received["variables"]["X-City"] == "SEATTLE"


@pytest.mark.parametrize(("region", "host"), [("us", "sip.us.synthflow.ai"), ("eu", "sip.eu.synthflow.ai")])
def test_the_sip_host_follows_the_synthflow_workspace_region(
    webhook_world: MakeWorld, sandbox_server: SandboxServer, region: str, host: str
) -> None:
    world = webhook_world(region=region)

    dial = dialed_sip(world.post(world.call_params()).content)

    assert dial.parsed.host == host
    assert dial.parsed.port == 32681
    assert invite(sandbox_server, dial.uri)[0] == 200


def test_get_variant_is_signed_on_the_query_string(webhook_world: MakeWorld) -> None:
    world = webhook_world(config={"sip_headers": {"X-Caller": "From"}})
    params = world.call_params()

    response = world.get(params)

    assert response.status_code == 200
    assert dialed_sip(response.content).headers["X-Caller"] == params["From"]


def test_missing_signature_is_refused_and_logged_without_secrets(
    webhook_world: MakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world()
    caplog.set_level(logging.INFO)

    response = world.client.post(world.path, world.call_params())

    assert response.status_code == 403
    assert b"<Response" not in response.content
    assert world.public_id in caplog.text
    assert "no X-Twilio-Signature header" in caplog.text
    assert world.auth_token not in caplog.text


def test_forged_signature_is_refused_and_neither_token_nor_signature_is_logged(
    webhook_world: MakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world()
    caplog.set_level(logging.INFO)
    params = world.call_params()
    forged = world.sign(f"{PUBLIC_BASE_URL}{world.path}", params, token="not-the-auth-token")

    response = world.client.post(world.path, params, HTTP_X_TWILIO_SIGNATURE=forged)

    assert response.status_code == 403
    assert "does not match" in caplog.text
    assert forged not in caplog.text
    assert world.auth_token not in caplog.text
    assert world.synthflow["api_key"] not in caplog.text


def test_tampered_parameter_breaks_the_signature(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    params = world.call_params()
    signature = world.sign(f"{PUBLIC_BASE_URL}{world.path}", params)

    response = world.client.post(
        world.path, {**params, "From": "+19005550000"}, HTTP_X_TWILIO_SIGNATURE=signature
    )

    assert response.status_code == 403


def test_refused_requests_are_recorded_once_per_minute_for_diagnostics(webhook_world: MakeWorld) -> None:
    world = webhook_world()

    for _ in range(3):
        assert world.client.post(world.path, world.call_params()).status_code == 403

    events = TwilioCallEvent.objects.for_tenant(world.tenant).filter(kind=TwilioEventKind.SIGNATURE_REJECTED)
    assert events.count() == 1
    assert events.get().params["reason"] == "missing"


def test_signature_is_checked_against_the_public_url_not_the_host_django_sees(
    webhook_world: MakeWorld,
) -> None:
    world = webhook_world()
    params = world.call_params()
    as_seen_inside = world.sign(f"http://testserver{world.path}", params)

    response = world.client.post(world.path, params, HTTP_X_TWILIO_SIGNATURE=as_seen_inside)

    assert response.status_code == 403


def test_forwarded_host_and_proto_count_only_when_the_deployment_trusts_its_proxy(
    webhook_world: MakeWorld, settings: Any
) -> None:
    world = webhook_world()
    params = world.call_params()
    signature = world.sign(f"https://edge.example.net{world.path}", params)
    proxied = {"HTTP_X_FORWARDED_HOST": "edge.example.net", "HTTP_X_FORWARDED_PROTO": "https"}
    settings.PUBLIC_BASE_URL = "http://patchbay.internal:8000"

    untrusted = world.client.post(world.path, params, HTTP_X_TWILIO_SIGNATURE=signature, **proxied)
    settings.TWILIO_WEBHOOK_TRUST_FORWARDED_HOST = True
    settings.TRUST_X_FORWARDED_PROTO = True
    trusted = world.client.post(world.path, params, HTTP_X_TWILIO_SIGNATURE=signature, **proxied)

    assert untrusted.status_code == 403
    assert trusted.status_code == 200
    assert dialed_sip(trusted.content).parsed.user == TWILIO_NUMBER


def test_unknown_public_id_is_a_plain_404(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    path = "/hooks/twilio/voice/no-such-integration"

    response = world.post(world.call_params(), path=path)

    assert response.status_code == 404
    assert b"<Response" not in response.content


def test_an_integration_of_another_kind_is_a_404(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    other = IntegrationFactory(tenant=world.tenant, kind=IntegrationKind.CONNECT_VAPI)
    path = f"/hooks/twilio/voice/{other.public_id}"

    response = world.post(world.call_params(), path=path)

    assert response.status_code == 404


def test_many_long_headers_are_cut_to_twilios_limit_keeping_x_ei(
    webhook_world: MakeWorld, sandbox_server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {f"X-Note-{n:02d}": f"Note{n:02d}" for n in range(20)}
    world = webhook_world(config={"sip_headers": headers})
    params = world.call_params(**{f"Note{n:02d}": f"{n:02d}:" + "x" * 97 for n in range(20)})
    caplog.set_level(logging.WARNING)

    dial = dialed_sip(world.post(params).content)

    assert len(dial.headers_part) < SIP_HEADERS_LIMIT
    assert dial.headers["X-EI"] == f"E.{params['CallSid']};"
    kept = [name for name in dial.headers if name != "X-EI"]
    assert 0 < len(kept) < 20
    dropped = [name for name in headers if name not in kept]
    assert all(name in caplog.text for name in dropped)
    assert "limit" in caplog.text
    assert invite(sandbox_server, dial.uri)[0] == 200


def test_headers_for_parameters_twilio_did_not_send_are_left_out(webhook_world: MakeWorld) -> None:
    world = webhook_world(config={"sip_headers": {"X-Forwarded-From": "ForwardedFrom", "X-Caller": "From"}})

    dial = dialed_sip(world.post(world.call_params()).content)

    assert set(dial.headers) == {"X-EI", "X-Caller"}


def test_a_cached_call_makes_no_sql_queries(webhook_world: MakeWorld, django_assert_num_queries: Any) -> None:
    world = webhook_world(config={"sip_headers": {"X-Caller": "From"}})
    assert world.post(world.call_params()).status_code == 200

    with django_assert_num_queries(0):
        response = world.post(world.call_params())

    assert dialed_sip(response.content).headers["X-Caller"] == "+12065550142"


def test_a_config_change_reaches_the_next_call(webhook_world: MakeWorld) -> None:
    world = webhook_world(config={"sip_headers": {"X-Caller": "From"}})
    assert "X-Caller" in dialed_sip(world.post(world.call_params()).content).headers

    world.reconfigure(sip_headers={"X-City": "FromCity"}, fallback={"dial": "+14155550199"})

    assert set(dialed_sip(world.post(world.call_params()).content).headers) == {"X-EI", "X-City"}
    assert world.public_id in resets.cached_public_ids()


def test_a_rotated_auth_token_is_used_at_once(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    assert world.post(world.call_params()).status_code == 200

    actions.update_provider_account(
        world.twilio_account, actor=Actor.system(), secrets={"auth_token": "rotated-token-0123"}
    )

    assert world.post(world.call_params()).status_code == 403
    assert world.post(world.call_params(), token="rotated-token-0123").status_code == 200


def test_a_change_made_by_another_process_is_seen_after_the_cache_ttl(
    webhook_world: MakeWorld, settings: Any
) -> None:
    world = webhook_world(config={"sip_headers": {"X-Caller": "From"}})
    settings.WEBHOOK_CACHE_SECONDS = 2.0
    assert "X-Caller" in dialed_sip(world.post(world.call_params()).content).headers
    # A queryset update sends no signals, as a save in a worker or another web process would not here.
    config = {**world.integration.config, "sip_headers": {"X-City": "FromCity"}}
    Integration.objects.filter(pk=world.integration.pk).update(config=config)

    first = dialed_sip(world.post(world.call_params()).content).headers
    assert "X-Caller" in first

    def changed() -> bool:
        return "X-City" in dialed_sip(world.post(world.call_params()).content).headers

    wait_until(changed, timeout=10, message="the webhook still answers with the cached config")


def test_deleting_the_integration_stops_answering_for_it(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    assert world.post(world.call_params()).status_code == 200

    Integration.objects.filter(pk=world.integration.pk).get().delete()

    assert world.post(world.call_params()).status_code == 404


def test_unreadable_secrets_get_the_caller_a_message_not_an_error_page(
    webhook_world: MakeWorld, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world()
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]  # the stored secrets' key is gone

    response = world.post(world.call_params())

    assert response.status_code == 200
    assert "say" in fallback_of(response.content)
    assert "cannot load the integration" in caplog.text


def test_sip_leg_status_callbacks_are_recorded(webhook_world: MakeWorld) -> None:
    world = webhook_world()
    params = {
        "CallSid": "CA" + "1" * 32,
        "ParentCallSid": "CA" + "2" * 32,
        "CallStatus": "completed",
        "SipResponseCode": "200",
        "CallDuration": "42",
    }

    response = world.post(params, path=world.status_path)
    forged = world.post(params, path=world.status_path, token="wrong")

    assert response.status_code == 204
    assert forged.status_code == 403
    event = TwilioCallEvent.objects.for_tenant(world.tenant).get(kind=TwilioEventKind.SIP_STATUS)
    assert event.call_sid == params["CallSid"]
    assert event.integration_id == world.integration.pk
    assert event.params["SipResponseCode"] == "200"
    assert event.params["CallStatus"] == "completed"


def test_the_cached_dial_document_is_what_the_twilio_package_builds() -> None:
    uri = "sip:+14155550100@sip.synthflow.ai:32681?X-EI=E.CA1%3B&X-Note=<b>&X-Q='\""
    callback = "https://patchbay.example.com/hooks/twilio/status/abc?x=1&y=2"
    refer = "https://patchbay.example.com/hooks/twilio/refer/abc"
    built = VoiceResponse()
    built.dial(refer_url=refer, refer_method="POST").sip(
        uri, status_callback=callback, status_callback_event=SIP_STATUS_EVENTS, status_callback_method="POST"
    )

    assert dial_sip(uri, callback, refer) == str(built)
    assert dial_sip(uri + "&X-More=1", callback, refer) == str(built).replace("</Sip>", "&amp;X-More=1</Sip>")
