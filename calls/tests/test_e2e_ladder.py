"""A call's ladder end to end: apply connect_vapi in a real Celery worker against the sandbox, place a
simulated call through Connect, fetch it with the worker's task, and read the stored call.

The stored call joins the PSTN leg reaching the SIP media application (the SMA Lambda's log names it),
the Lambda's decision with the x- headers it chose, and the connector's SIP leg to Vapi with those
headers delivered. After the connector's IPs move (no reconcile), the next call is refused with 401 and
the stored call says why in words, naming the new source IP.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from calls.choices import CallSource, Direction
from calls.models import SipCall
from calls.sma_log import LAMBDA_HOST
from calls.tasks import fetch_integration_calls_task
from integrations.models.engine import ResourceNode, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    ConnectVapiSetup,
    Sandbox,
    apply_settings,
    events_text,
    make_connect_vapi,
    run_to_end,
    sandbox_settings,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CALLER = "+15105550101"
# Seconds for the fetch task through a worker on 2 shared cores (two log groups read, calls stored).
FETCH_DEADLINE = 90


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any) -> dict[str, str]:
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}


@pytest.fixture(scope="module")
def engine_worker(celery_worker_factory: Any, engine_env: dict[str, str]) -> Iterator[Any]:
    worker = celery_worker_factory(env=engine_env)
    yield worker
    worker.stop()


@pytest.fixture
def applied(sandbox_url: str, engine_env: dict[str, str], engine_worker: Any, monkeypatch: Any) -> Any:
    apply_settings(monkeypatch, engine_env)
    sandbox = Sandbox(sandbox_url)
    setup = make_connect_vapi(sandbox, forward_attributes=["CustomerName", "Plan"])
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    return sandbox, setup, engine_worker


def outputs(setup: ConnectVapiSetup, node: str) -> dict[str, Any]:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=node).outputs


def place_call(sandbox: Sandbox, setup: ConnectVapiSetup) -> dict[str, Any]:
    return sandbox.call(
        via="connect",
        to=outputs(setup, "phone_number")["e164"],
        connect_lambda=outputs(setup, "connect_lambda")["name"],
        attributes={"CustomerName": "John", "Plan": "gold"},
        duration_seconds=1,
        **{"from": CALLER},
    )


def wait_for_the_end(answered: dict[str, Any]) -> None:
    """The sandbox answers at once with the whole ladder, timestamped as the call unfolds: wait until
    its last message is in the past, as a fetch after the call's end would."""
    last = datetime.fromisoformat(answered["sip"][-1]["at"].replace("Z", "+00:00"))
    while timezone.now() <= last + timedelta(milliseconds=100):
        time.sleep(0.1)


def fetch(setup: ConnectVapiSetup, worker: Any) -> int:
    result = fetch_integration_calls_task.delay(str(setup.integration.pk))
    try:
        return int(result.get(timeout=FETCH_DEADLINE))
    except Exception:
        pytest.fail(f"fetch task failed or timed out:\n{worker.log()[-4000:]}")


def sip_call_id(raw: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in raw.split("\r\n") if line.startswith("Call-ID:"))


def test_a_call_joins_the_pstn_leg_the_lambdas_decision_and_the_sip_leg_to_vapi(applied: Any) -> None:
    sandbox, setup, worker = applied
    answered = place_call(sandbox, setup)
    assert answered["status"] == 200, answered
    fetch(setup, worker)  # during the call: what is logged so far
    wait_for_the_end(answered)

    assert fetch(setup, worker) >= 1  # after its end: the rest joins the same call

    call = SipCall.objects.get(integration=setup.integration, call_id=sip_call_id(answered["sip"][0]["raw"]))
    assert call.source == CallSource.CLOUDWATCH
    assert (call.final_status, call.reason) == (200, "")
    messages = list(call.messages.all())
    # The Lambda's decision first, then exactly the SIP messages the connector exchanged with Vapi.
    assert messages[0].direction == Direction.INTERNAL
    decisions = [m for m in messages if m.direction == Direction.INTERNAL]
    sip = [m for m in messages if m.direction != Direction.INTERNAL]
    assert [m.label for m in sip] == [m["label"] for m in answered["sip"]]
    assert [m.raw for m in sip] == [m["raw"] for m in answered["sip"]]
    # Every answer the Lambda gave for this call's transaction, in order.
    invocations = [i["event_type"] for i in answered["lambda"]["sma"]["invocations"]]
    assert [m.label.split(" → ")[0] for m in decisions] == invocations
    decision = decisions[0]
    # The PSTN leg reaching the SIP media application: the NEW_INBOUND_CALL the Lambda answered.
    pstn = answered["lambda"]["sma"]["invocations"][0]["event"]["CallDetails"]
    leg_a = next(p for p in pstn["Participants"] if p["ParticipantTag"] == "LEG-A")
    assert decision.direction == Direction.INTERNAL and decision.src == LAMBDA_HOST
    assert decision.label == "NEW_INBOUND_CALL → CallAndBridge"
    assert decision.headers["transaction_id"] == pstn["TransactionId"]
    assert {"call_id": leg_a["CallId"], "leg": "LEG-A"}.items() <= decision.headers["legs"][0].items()
    assert {pstn["TransactionId"], leg_a["CallId"]} <= set(call.legs)
    # The x- headers the Lambda chose are the ones that reached Vapi on the INVITE.
    chosen = dict(decision.headers["x_headers"])
    assert chosen == {"x-customername": "John", "x-plan": "gold"} == answered["delivered_headers"]
    invite = sip[0]
    assert invite.label == "INVITE" and invite.dst.endswith(".sip.vapi.ai")
    for name, value in chosen.items():
        assert f"\r\n{name}: {value}\r\n" in invite.raw
    # Fetching again (the next beat tick) stores nothing twice.
    fetch(setup, worker)
    assert SipCall.objects.filter(integration=setup.integration).count() == 1
    assert call.messages.count() == len(messages)


def test_a_call_refused_after_the_connector_ips_move_carries_its_reason_in_words(applied: Any) -> None:
    sandbox, setup, worker = applied
    connector = ResourceNode.objects.get(integration_id=setup.integration.pk, node="voice_connector")
    moved = ["99.77.253.160", "99.77.253.161"]
    sandbox.put(f"dns/{connector.external_id}", {"ips": moved})
    refused = place_call(sandbox, setup)
    assert refused["status"] == 401, refused
    assert refused["source_ip"] in moved
    wait_for_the_end(refused)

    fetch(setup, worker)

    call = SipCall.objects.get(integration=setup.integration, call_id=sip_call_id(refused["sip"][0]["raw"]))
    assert call.final_status == 401
    assert call.is_failure
    # In words, naming what to fix: the connector's new address is missing from Vapi's allow list.
    assert refused["source_ip"] in call.reason, call.reason
    assert "allow list" in call.reason and "Vapi credential's gateways" in call.reason, call.reason
    # Red on the ladder: Vapi's 401, and the Lambda told that its bridge was not answered.
    failed = {m.label for m in call.messages.all() if m.is_failure}
    assert failed == {"401 Unauthorized", "ACTION_FAILED → Hangup (CallNotAnswered)"}
