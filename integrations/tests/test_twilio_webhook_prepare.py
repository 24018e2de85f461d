"""The voice webhook with prepare_inbound (real HTTP to the sandbox's Synthflow).

A prepared call id travels in X-EI; the fallback answers when Synthflow says
failed, is slow, drops the connection, errors or cannot be reached.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from integrations.tests.twilio_webhook_world import (
    CALLER,
    TWILIO_NUMBER,
    TWILIO_SIP_SOURCE,
    WebhookWorld,
    add_fault,
    dialed_sip,
    fallback_of,
    ledger_operations,
    set_option,
)
from sandbox.core.server import SandboxServer
from testing.waits import poll_until, wait_until

MakeWorld = Callable[..., WebhookWorld]

PREPARED = {
    "prepare_inbound": True,
    "custom_variables": {"caller_city": "FromCity", "crm_id": "CrmId"},
    "sip_headers": {"X-Caller": "From"},
    "fallback": {"dial": "+14155550199"},
}


def test_prepared_call_id_travels_in_x_ei_and_synthflow_picks_it_up(
    webhook_world: MakeWorld, sandbox_server: SandboxServer
) -> None:
    world = webhook_world(config=PREPARED)
    params = world.call_params()

    response = world.post(params)

    assert response.status_code == 200
    dial = dialed_sip(response.content)
    x_ei = dial.headers["X-EI"]
    assert x_ei.startswith("S.")
    assert x_ei.endswith(";")
    assert "%3B&X-Caller=%2B12065550142" in dial.headers_part
    call_id = x_ei[2:-1]
    prepared = world.synthflow_client().get_call(call_id)
    assert prepared.call_status == "registered"
    assert prepared.phone_number_from == CALLER
    assert prepared.phone_number_to == TWILIO_NUMBER
    # CrmId was not among Twilio's parameters: that variable is skipped, not sent empty.
    assert prepared.custom_variables == {"caller_city": "SEATTLE"}
    synthflow = sandbox_server.sandbox.stand_in("synthflow")
    status, _ = synthflow.sip_invite(dial.uri, TWILIO_SIP_SOURCE, {})  # type: ignore[attr-defined]
    assert status == 200
    assert synthflow.received_calls[-1]["prepared"] is True  # type: ignore[attr-defined]
    assert world.synthflow_client().get_call(call_id).call_status == "in-progress"


def test_synthflow_outage_answer_plays_the_fallback(
    webhook_world: MakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config={**PREPARED, "fallback": {"say": "We will call you back shortly."}})
    set_option(world.sandbox_url, "synthflow", prepare_inbound_outage=True)

    response = world.post(world.call_params())

    assert response.status_code == 200
    assert fallback_of(response.content) == {"say": "We will call you back shortly."}
    assert "call_status 'failed'" in caplog.text
    assert world.synthflow["api_key"] not in caplog.text


def test_slow_synthflow_gets_the_caller_the_fallback_number(
    webhook_world: MakeWorld, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config=PREPARED)
    settings.SYNTHFLOW_PREPARE_TIMEOUT = 0.3
    add_fault(
        world.sandbox_url, vendor="synthflow", operation="PrepareInbound", mode="latency", latency_ms=3000
    )

    response = world.post(world.call_params())

    assert response.status_code == 200
    assert fallback_of(response.content) == {"dial": "+14155550199"}
    assert "ReadTimeout" in caplog.text
    wait_for_the_delayed_request(world.sandbox_url)


def wait_for_the_delayed_request(sandbox_url: str, deadline: float = 15.0) -> None:
    """Let the sandbox finish the request Patchbay gave up on, so it lands in this test's ledger,
    not in the next test's (the sandbox server is shared by the tests of a process)."""

    def answered() -> bool:
        ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger?vendor=synthflow", timeout=5).json()
        return any(r.get("fault") == "latency" for r in ledger["requests"])

    wait_until(answered, timeout=deadline, message="the delayed PrepareInbound was not answered")


@pytest.mark.parametrize(("mode", "status"), [("error", 500), ("error", 503), ("error", 400), ("drop", 500)])
def test_synthflow_errors_get_the_fallback_after_a_single_attempt(
    webhook_world: MakeWorld, mode: str, status: int
) -> None:
    world = webhook_world(config=PREPARED)
    add_fault(
        world.sandbox_url, vendor="synthflow", operation="PrepareInbound", mode=mode, status=status, times=0
    )

    response = world.post(world.call_params())

    assert response.status_code == 200
    assert fallback_of(response.content) == {"dial": "+14155550199"}
    assert ledger_operations(world.sandbox_url, "synthflow").count("PrepareInbound") == 1


def test_unreachable_synthflow_gets_the_fallback(
    webhook_world: MakeWorld, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config=PREPARED)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.SYNTHFLOW_BASE_URL = f"http://127.0.0.1:{port}/synthflow"  # nobody listens there

    response = world.post(world.call_params())

    assert response.status_code == 200
    assert fallback_of(response.content) == {"dial": "+14155550199"}
    assert "cannot connect" in caplog.text


def test_a_withheld_caller_is_connected_without_prepare_inbound(
    webhook_world: MakeWorld, sandbox_server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config=PREPARED)
    caplog.set_level(logging.INFO)
    params = world.call_params(From="anonymous", Caller="anonymous")

    dial = dialed_sip(world.post(params).content)

    assert dial.headers["X-EI"] == f"E.{params['CallSid']};"
    assert "PrepareInbound" not in ledger_operations(world.sandbox_url, "synthflow")
    assert "skips prepare_inbound" in caplog.text


def test_synthflow_failing_again_and_again_gets_callers_the_fallback_without_asking(
    webhook_world: MakeWorld, settings: Any
) -> None:
    world = webhook_world(config=PREPARED)
    settings.SYNTHFLOW_BREAKER_FAILURES = 3
    settings.SYNTHFLOW_BREAKER_SECONDS = 3600.0
    add_fault(world.sandbox_url, vendor="synthflow", operation="PrepareInbound", mode="error", times=0)

    answers = [world.post(world.call_params()) for _ in range(5)]

    assert all(fallback_of(a.content) == {"dial": "+14155550199"} for a in answers)
    # Three failures asked Synthflow; the next two calls got the fallback without asking.
    assert ledger_operations(world.sandbox_url, "synthflow").count("PrepareInbound") == 3


def test_after_the_breaker_s_time_one_call_asks_again_and_a_success_closes_it(
    webhook_world: MakeWorld, settings: Any
) -> None:
    world = webhook_world(config=PREPARED)
    settings.SYNTHFLOW_BREAKER_FAILURES = 2
    settings.SYNTHFLOW_BREAKER_SECONDS = 0.0
    add_fault(world.sandbox_url, vendor="synthflow", operation="PrepareInbound", mode="error", times=2)
    for _ in range(2):
        assert fallback_of(world.post(world.call_params()).content) == {"dial": "+14155550199"}

    probe = world.post(world.call_params())
    after = world.post(world.call_params())

    assert dialed_sip(probe.content).headers["X-EI"].startswith("S.")
    assert dialed_sip(after.content).headers["X-EI"].startswith("S.")
    assert ledger_operations(world.sandbox_url, "synthflow").count("PrepareInbound") == 4


def test_a_stalled_synthflow_lets_one_call_at_a_time_ask_after_its_first_timeout(
    webhook_world: MakeWorld, settings: Any
) -> None:
    """A call that waited the whole timeout held a web thread that long, and calls queue behind it:
    after one stall a single call probes, and a second stall opens the breaker (issue 15's stalled
    Synthflow at 50 connections: callers waited two timeouts for the fallback)."""
    world = webhook_world(config=PREPARED)
    settings.SYNTHFLOW_PREPARE_TIMEOUT = 0.3
    settings.SYNTHFLOW_BREAKER_SECONDS = 3600.0
    add_fault(
        world.sandbox_url,
        vendor="synthflow",
        operation="PrepareInbound",
        mode="latency",
        latency_ms=1500,
        times=0,
    )

    answers = [world.post(world.call_params()) for _ in range(4)]

    assert all(fallback_of(a.content) == {"dial": "+14155550199"} for a in answers)

    # The sandbox logs a delayed request when it answers it (1.5 s on): a third ask would show by then.
    def asked() -> int:
        return ledger_operations(world.sandbox_url, "synthflow").count("PrepareInbound")

    third = poll_until(lambda: asked() >= 3, timeout=2.5)
    # The first call stalled, the second probed and stalled too; the next two were not kept waiting.
    assert third is None and asked() == 2


def test_one_slow_answer_costs_one_probe_not_the_breakers_time(
    webhook_world: MakeWorld, settings: Any
) -> None:
    world = webhook_world(config=PREPARED)
    settings.SYNTHFLOW_PREPARE_TIMEOUT = 0.3
    settings.SYNTHFLOW_BREAKER_SECONDS = 3600.0
    add_fault(
        world.sandbox_url,
        vendor="synthflow",
        operation="PrepareInbound",
        mode="latency",
        latency_ms=1500,
        times=1,
    )

    slow, probe, after = (world.post(world.call_params()) for _ in range(3))

    assert fallback_of(slow.content) == {"dial": "+14155550199"}
    assert dialed_sip(probe.content).headers["X-EI"].startswith("S.")
    assert dialed_sip(after.content).headers["X-EI"].startswith("S.")
    wait_for_the_delayed_request(world.sandbox_url)
