"""A call's ladder end to end: apply connect_vapi in a real Celery worker against the sandbox, place a
simulated call through Connect, fetch it with the worker's task, and read the stored call.

The stored call joins the PSTN leg reaching the SIP media application (the SMA Lambda's log names it),
the Lambda's decision with the x- headers it chose, and the connector's SIP leg to Vapi with those
headers delivered. After the connector's IPs move (no reconcile), the next call is refused with 401 and
the stored call says why in words, naming the new source IP.
"""

from __future__ import annotations

from typing import Any

import pytest

from calls.choices import CallSource, Direction
from calls.models import SipCall
from calls.sma_log import LAMBDA_HOST, PSTN_HOST
from calls.tests.e2e_support import fetch, place_call, sip_call_id, wait_for_the_end
from integrations.tests.engine_support import narrow_vapi_gateways

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


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
    # The PSTN leg reaching the SIP media application (what invoked the Lambda), the Lambda's decision,
    # then exactly the SIP messages the connector exchanged with Vapi.
    # (The Lambda's log and the connector's log have their own clocks: the sandbox stamps a Lambda line
    # when it reads the function's output, sometimes a few ms after the INVITE's time. So the hops are
    # found by who sent them; their order between themselves is asserted below.)
    arrival = next(m for m in messages if m.src == PSTN_HOST)
    decision = next(m for m in messages if m.src == LAMBDA_HOST)
    assert messages.index(arrival) + 1 == messages.index(decision)
    pstn = answered["lambda"]["sma"]["invocations"][0]["event"]["CallDetails"]
    leg_a = next(p for p in pstn["Participants"] if p["ParticipantTag"] == "LEG-A")
    assert (arrival.src, arrival.dst, arrival.direction) == (PSTN_HOST, LAMBDA_HOST, Direction.INTERNAL)
    assert arrival.label.startswith("NEW_INBOUND_CALL (LEG-A")
    assert f'"call_id": "{leg_a["CallId"]}"' in arrival.raw
    connector_host = next(m.src for m in messages if m.label == "INVITE")
    assert decision.dst == connector_host and connector_host.endswith(".voiceconnector.chime.aws")
    assert decision.label == "NEW_INBOUND_CALL → CallAndBridge"
    assert decision.headers["transaction_id"] == pstn["TransactionId"]
    assert {"call_id": leg_a["CallId"], "leg": "LEG-A"}.items() <= decision.headers["legs"][0].items()
    assert {pstn["TransactionId"], leg_a["CallId"]} <= set(call.legs)
    sip = [m for m in messages if m.direction != Direction.INTERNAL]
    assert [m.label for m in sip] == [m["label"] for m in answered["sip"]]
    assert [m.raw for m in sip] == [m["raw"] for m in answered["sip"]]
    # Every answer the Lambda gave for this call's transaction, in order.
    decisions = [m for m in messages if m.src == LAMBDA_HOST]
    invocations = [i["event_type"] for i in answered["lambda"]["sma"]["invocations"]]
    assert [m.label.split(" → ")[0] for m in decisions] == invocations
    assert {PSTN_HOST, LAMBDA_HOST} <= {h["name"] for h in call.hosts}
    # Chime tells the Lambda of the bridge after Vapi's 200 OK, and of the hangup after the BYE: the
    # ladder shows each decision after the SIP message that caused it.
    order = [m.label.split(" → ")[0].split(" (")[0] for m in messages]
    assert order.index("200 OK") < order.index("ACTION_SUCCESSFUL")
    assert order.index("BYE") < order.index("HANGUP")
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


def test_a_call_refused_by_narrowed_gateways_carries_its_reason_in_words(applied: Any) -> None:
    sandbox, setup, worker = applied
    narrow_vapi_gateways(sandbox, setup, ["3.80.16.160", "3.80.16.161"])
    sandbox.post("options", {"chime": {"connector_source_ip": "3.80.17.160"}})
    refused = place_call(sandbox, setup)
    assert refused["status"] == 401, refused
    assert refused["source_ip"] == "3.80.17.160"
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
