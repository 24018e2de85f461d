"""A call end to end: the sandbox's Twilio rings the number, POSTs Patchbay's webhook on a live server,
signed as Twilio signs it, and the `<Dial><Sip>` it gets back is INVITEd at the sandbox's Synthflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from integrations.tests.twilio_webhook_world import (  # noqa: F401  (fixture)
    CALLER,
    TWILIO_NUMBER,
    TWILIO_SIP_SOURCE,
    WebhookWorld,
    add_fault,
    webhook_world_fixture,
)
from integrations.vendors.twilio import TwilioClient
from sandbox.core.server import SandboxServer

MakeWorld = Callable[..., WebhookWorld]


@pytest.fixture
def live_world(
    webhook_world: MakeWorld, live_server: Any, settings: Any, sandbox_url: str
) -> Callable[..., WebhookWorld]:
    """A world whose Twilio number (in the sandbox) has its VoiceUrl on Patchbay's live server."""
    settings.PUBLIC_BASE_URL = live_server.url

    def make(voice_method: str = "POST", **kwargs: Any) -> WebhookWorld:
        body = {"vendor": "twilio", "phone_number": TWILIO_NUMBER}
        twilio = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=10).json()
        world = webhook_world(account_sid=twilio["account_sid"], auth_token=twilio["auth_token"], **kwargs)
        voice_url = f"{live_server.url}{world.path}"
        TwilioClient(twilio["account_sid"], twilio["auth_token"]).update_voice(
            twilio["phone_number_sid"], voice_url=voice_url, voice_method=voice_method
        )
        return world

    return make


def ring(sandbox_server: SandboxServer) -> dict[str, Any]:
    """A caller dials the Twilio number; what Twilio did with Patchbay's answer."""
    return sandbox_server.sandbox.stand_in("twilio").place_call(TWILIO_NUMBER, CALLER)  # type: ignore[attr-defined]


def invite(sandbox_server: SandboxServer, placed: dict[str, Any]) -> dict[str, Any]:
    """The `<Sip>` dial Twilio would make, as Synthflow's SIP edge receives it."""
    synthflow = sandbox_server.sandbox.stand_in("synthflow")
    status, _ = synthflow.sip_invite(placed["sip_uri"], TWILIO_SIP_SOURCE, placed["sip_headers"])  # type: ignore[attr-defined]
    received = synthflow.received_calls[-1]  # type: ignore[attr-defined]
    return {**received, "status": status}


@pytest.mark.parametrize("voice_method", ["POST", "GET"])
def test_a_call_reaches_the_synthflow_assistant_with_its_prepared_id(
    live_world: Callable[..., WebhookWorld], sandbox_server: SandboxServer, voice_method: str
) -> None:
    world = live_world(
        voice_method=voice_method,
        config={
            "prepare_inbound": True,
            "custom_variables": {"caller": "From"},
            "sip_headers": {"X-To": "To"},
        },
    )

    placed = ring(sandbox_server)

    assert placed["error_code"] is None, placed["attempts"]
    assert placed["attempts"][0]["status"] == 200
    assert placed["sip_uri"] == f"sip:{TWILIO_NUMBER}@sip.synthflow.ai:32681"
    assert placed["warnings"] == []
    assert placed["sip_headers"]["X-EI"].startswith("S.")
    assert placed["sip_headers"]["X-To"] == TWILIO_NUMBER
    received = invite(sandbox_server, placed)
    assert received["status"] == 200
    assert received["prepared"] is True
    assert received["model_id"] == world.synthflow["assistant_id"]
    call = world.synthflow_client().get_call(received["call_id"])
    assert call.custom_variables["caller"] == CALLER
    assert call.custom_variables["X-To"] == TWILIO_NUMBER


def test_a_call_during_a_synthflow_outage_is_sent_to_the_fallback_number(
    live_world: Callable[..., WebhookWorld], sandbox_server: SandboxServer, sandbox_url: str
) -> None:
    live_world(config={"prepare_inbound": True, "fallback": {"dial": "+14155550199"}})
    add_fault(sandbox_url, vendor="synthflow", operation="PrepareInbound", mode="error", status=500, times=0)

    placed = ring(sandbox_server)

    assert placed["error_code"] is None, placed["attempts"]
    assert placed["attempts"][0]["status"] == 200
    assert placed["dial_number"] == "+14155550199"
    assert placed["sip_uri"] is None
