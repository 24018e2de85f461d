"""A call end to end: the sandbox's Twilio rings the number, POSTs Patchbay's webhook on a live server,
signed as Twilio signs it, and the `<Dial><Sip>` it gets back is INVITEd at the sandbox's Synthflow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from integrations.tests.twilio_webhook_world import (
    CALLER,
    TWILIO_NUMBER,
    WebhookWorld,
    add_fault,
    invite,
    ring,
)
from sandbox.core.server import SandboxServer


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
