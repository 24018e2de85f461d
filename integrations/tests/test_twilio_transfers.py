"""Cold transfers back to a human (issue 12, item 3): Synthflow sends Twilio a SIP REFER; Twilio asks the
`<Dial referUrl>` Patchbay gave it, and Patchbay dials only the integration's transfer targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from rest_framework.exceptions import ValidationError

from integrations.blueprints.twilio_synthflow import BLUEPRINT, TWILIO_TERMINATION_URI, warm_transfer_domain
from integrations.engine.blueprint import SpecInputs
from integrations.hooks.transfers import target_number
from integrations.kinds.twilio_synthflow import validate_config
from integrations.tests.twilio_webhook_world import WebhookWorld, ring
from sandbox.core.server import SandboxServer

AGENT = "+14155550123"
ELSEWHERE = "+19005550100"


def refer(sandbox_server: SandboxServer, placed: dict[str, Any], refer_to: str) -> dict[str, Any]:
    """Synthflow, on the `<Dial><Sip>` leg of `placed`, sends Twilio a REFER to `refer_to`."""
    return sandbox_server.sandbox.stand_in("twilio").sip_refer(placed["call_sid"], refer_to)  # type: ignore[attr-defined]


def test_a_cold_transfer_to_an_allowed_number_reaches_it(
    live_world: Callable[..., WebhookWorld],
    sandbox_server: SandboxServer,
) -> None:
    world = live_world(config={"transfer_targets": [AGENT]})
    placed = ring(sandbox_server)
    assert placed["sip_uri"], placed

    answer = refer(sandbox_server, placed, f"<sip:{AGENT}@sip.twilio.com;transport=udp?X-Reason=billing>")

    assert answer["error_code"] is None, answer
    assert (answer["status"], answer["transferred_to"]) == (202, AGENT)
    assert answer["refer_url"].endswith(f"/hooks/twilio/refer/{world.public_id}")


@pytest.mark.parametrize(
    "refer_to",
    [f"<sip:{ELSEWHERE}@sip.twilio.com>", f"<tel:{ELSEWHERE}>", "<sip:agent@pbx.example.com>", "<sip:+1@x>"],
)
def test_a_transfer_anywhere_else_is_refused(
    live_world: Callable[..., WebhookWorld],
    sandbox_server: SandboxServer,
    refer_to: str,
) -> None:
    live_world(config={"transfer_targets": [AGENT]})
    placed = ring(sandbox_server)

    answer = refer(sandbox_server, placed, refer_to)

    assert answer["status"] == 603 and answer["transferred_to"] is None
    assert answer["request"]["status"] == 403


def test_without_transfer_targets_every_transfer_is_refused_but_none_is_lost_to_13802(
    live_world: Callable[..., WebhookWorld],
    sandbox_server: SandboxServer,
    sandbox_url: str,
) -> None:
    live_world()
    placed = ring(sandbox_server)

    # Through the control API this time, as a demo or a soak would.
    body = {"call_sid": placed["call_sid"], "refer_to": f"<tel:{AGENT}>"}
    answer = httpx.post(f"{sandbox_url}/_sandbox/calls/refer", json=body, timeout=30).json()

    assert answer["error_code"] != 13802
    assert answer["status"] == 603 and answer["request"]["status"] == 403


def test_an_unsigned_refer_request_is_refused(webhook_world: Callable[..., WebhookWorld]) -> None:
    world = webhook_world(config={"transfer_targets": [AGENT]})
    path = f"/hooks/twilio/refer/{world.public_id}"
    params = {**world.call_params(), "ReferTransferTarget": f"<tel:{AGENT}>"}

    assert world.client.post(path, params).status_code == 403
    assert world.post(params, path=path, token="not-the-token").status_code == 403
    signed = world.post(params, path=path)
    assert signed.status_code == 200 and AGENT.encode() in signed.content


def test_transfer_targets_must_be_valid_numbers() -> None:
    base = {"twilio_number": "+14155550100", "synthflow_assistant_id": "a" * 12}
    config = validate_config({**base, "transfer_targets": ["+1 415 555 0123", AGENT]})
    assert config["transfer_targets"] == [AGENT]
    with pytest.raises(ValidationError) as raised:
        validate_config({**base, "transfer_targets": ["4155550123"]})
    assert "transfer_targets" in raised.value.detail


def test_the_refer_target_is_read_from_sip_and_tel_uris() -> None:
    assert target_number(f"<sip:{AGENT}@sip.twilio.com;user=phone>") == AGENT
    assert target_number(f"sip:{AGENT}@10.0.0.1:5060") == AGENT
    assert target_number("<tel:+1-415-555-0123>") == AGENT
    assert target_number("<sip:reception@pbx.example.com>") is None
    assert target_number("<sip:+1" + "5" * 600 + "@x>") is None


@pytest.mark.parametrize(
    ("config", "termination"),
    [
        ({"warm_transfer_uri": "acme.sip.twilio.com"}, "acme.sip.twilio.com"),
        ({}, warm_transfer_domain("pub")),
    ],
)
def test_warm_transfers_go_to_the_customers_own_twilio_ingress(
    config: dict[str, Any], termination: str
) -> None:
    base = {"twilio_number": "+14155550100", "synthflow_assistant_id": "a" * 12}
    inputs = SpecInputs(
        config=validate_config({**base, **config}),
        accounts={"synthflow": {"workspace_id": "ws"}},
        integration_name="support",
        tenant_slug="acme",
        public_id="pub",
        outputs={},
    )
    node = next(n for n in BLUEPRINT.nodes if n.name == "synthflow_number")

    assert node.spec(inputs)["termination_uri"] == termination != TWILIO_TERMINATION_URI
