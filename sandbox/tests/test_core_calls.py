"""Simulated calls to a Chime number: SIP rule → SMA → the deployed Lambda code → connector → Vapi.

Calls to a Connect number, whose contact flow transfers to the Chime number: test_connect_calls.py.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.tests.call_deployment import (
    CALLER,
    REGION,
    VAPI_NUMBER,
    Deployment,
    deploy,
)


def call(deployment: Deployment, **extra: Any) -> dict[str, Any]:
    body = {"via": "connect", "from": CALLER, "to": deployment.chime_number, **extra}
    response = httpx.post(f"{deployment.url}/_sandbox/calls", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def sip_log_events(aws_client: Callable[..., Any], connector_id: str) -> list[dict[str, Any]]:
    events = aws_client("logs").filter_log_events(
        logGroupName=f"/aws/ChimeVoiceConnectorSipMessages/{connector_id}"
    )
    return [json.loads(e["message"]) for e in events["events"]]


def test_call_delivers_the_lambdas_x_headers_to_vapi_and_logs_the_sip_messages(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client, extra_headers={"x-plan": "gold"})

    result = call(deployment)

    assert (result["status"], result["far_end"]) == (200, "vapi")
    assert result["delivered_headers"] == {"x-customername": "John", "x-plan": "gold"}
    assert ipaddress.IPv4Address(result["source_ip"]) in ipaddress.IPv4Network("3.80.16.0/23")
    assert [m["label"] for m in result["sip"]] == ["INVITE", "100 Trying", "200 OK", "ACK", "BYE", "200 OK"]
    invite = result["sip"][0]["raw"]
    assert invite.startswith(f"INVITE sip:{VAPI_NUMBER}@")
    assert "\r\nx-customername: John\r\n" in invite
    logged = sip_log_events(aws_client, deployment.connector_id)
    assert [e["sip_message"] for e in logged] == [m["raw"] for m in result["sip"]]
    assert {tuple(sorted(e)) for e in logged} == {
        ("aws_region", "call_id", "event_timestamp", "sip_message", "voice_connector_id")
    }
    assert {(e["voice_connector_id"], e["aws_region"]) for e in logged} == {(deployment.connector_id, REGION)}
    sma = result["lambda"]["sma"]
    assert sma["outcome"] == "ACTION_SUCCESSFUL"
    assert [i["event_type"] for i in sma["invocations"]] == [
        "NEW_INBOUND_CALL",
        "ACTION_SUCCESSFUL",
        "HANGUP",
    ]
    assert sma["invocations"][0]["event"]["CallDetails"]["Participants"][0]["From"] == CALLER


def test_gateways_of_only_the_dns_answers_refuse_a_call_from_the_rest_of_the_range(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    """Chime sends from anywhere in the region's range, not only from its DNS answers (issue 12.2)."""
    deployment = deploy(sandbox_url, aws_client, dns_gateways_only=True)
    pin = {"chime": {"connector_source_ip": deployment.connector_ips[0]}}
    assert httpx.post(f"{sandbox_url}/_sandbox/options", json=pin).status_code == 200
    assert call(deployment)["status"] == 200
    elsewhere = next(ip for ip in ("3.80.17.201", "3.80.17.202") if ip not in deployment.connector_ips)
    pin = {"chime": {"connector_source_ip": elsewhere}}
    assert httpx.post(f"{sandbox_url}/_sandbox/options", json=pin).status_code == 200

    result = call(deployment)

    assert (result["status"], result["reason"]) == (401, "Unauthorized")
    assert result["source_ip"] == elsewhere
    assert result["delivered_headers"] == {}
    assert [m["label"] for m in result["sip"]] == ["INVITE", "100 Trying", "401 Unauthorized", "ACK"]
    assert result["lambda"]["sma"]["error_type"] == "CallNotAnswered"
    assert [e["sip_message"].split("\r\n")[0] for e in sip_log_events(aws_client, deployment.connector_id)][
        -2:
    ] == [
        "SIP/2.0 401 Unauthorized",
        f"ACK {result['request_uri']} SIP/2.0",
    ]


def test_reserved_x_amzn_header_fails_the_action_as_chime_does(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client, extra_headers={"X-Amzn-Trace": "1"})

    result = call(deployment)

    sma = result["lambda"]["sma"]
    assert (sma["outcome"], sma["error_type"]) == ("ACTION_FAILED", "InvalidActionParameter")
    assert "Invalid SIP header(s) provided: X-AMZN" in sma["detail"]
    failed = sma["invocations"][1]["event"]
    assert failed["InvocationEventType"] == "ACTION_FAILED"
    assert failed["ActionData"]["ErrorType"] == "InvalidActionParameter"
    assert result["sip"] == []


def test_lambda_without_chime_invoke_permission_hangs_up(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client, permit=False)

    result = call(deployment)

    assert result["status"] == 480
    assert "does not allow voiceconnector.chime.amazonaws.com" in result["detail"]
    assert result["lambda"]["sma"]["invocations"] == []


def test_lambda_output_goes_to_its_cloudwatch_log_group(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    deployment = deploy(sandbox_url, aws_client)

    call(deployment)

    events = aws_client("logs").filter_log_events(logGroupName=f"/aws/lambda/{deployment.function_name}")[
        "events"
    ]
    lines = [e["message"] for e in events]
    assert lines[0].startswith("START RequestId: ")
    assert '{"seen": "NEW_INBOUND_CALL", "sequence": 1}' in lines
    assert sum(line.startswith("REPORT RequestId: ") for line in lines) == 3


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"via": "twilio", "from": CALLER, "to": "+15105550199"}, 404, "not a number of any Twilio account"),
        ({"via": "twilio", "from": "5105550101", "to": "+15105550199"}, 400, "'from' must be an E.164"),
        ({"via": "fax", "from": CALLER, "to": "+15105550199"}, 400, "'via' must be one of"),
        (
            {"via": "connect", "from": "5105550101", "to": "+15105550199"},
            400,
            "'from' must be an E.164 number",
        ),
        ({"via": "connect", "from": CALLER, "to": "+15105550199"}, 404, "is not a Chime phone number"),
        (
            {"via": "connect", "from": CALLER, "to": "+15105550199", "attributes": {"a": "b"}},
            400,
            "'to' must be a Connect number",
        ),
    ],
)
def test_bad_call_requests_are_refused(
    sandbox_url: str, body: dict[str, Any], status: int, detail: str
) -> None:
    response = httpx.post(f"{sandbox_url}/_sandbox/calls", json=body)

    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_the_lambda_hears_of_the_bridge_and_the_hangup_after_the_sip_messages_that_caused_them(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    # Chime invokes ACTION_SUCCESSFUL once LEG-B answered and HANGUP once a leg hung up (AWS.md §3.1,
    # §3.3): the Lambda's log lines for them come after the far end's 200 OK and BYE in the SIP log.
    deployment = deploy(sandbox_url, aws_client)

    result = call(deployment, duration_seconds=5)

    assert result["status"] == 200
    sip = sip_log_events(aws_client, deployment.connector_id)
    invite, _trying, answer, _ack, bye, bye_ok = (e["event_timestamp"] for e in sip)
    events = aws_client("logs").filter_log_events(logGroupName=f"/aws/lambda/{deployment.function_name}")[
        "events"
    ]
    heard = {
        json.loads(e["message"])["seen"]: e["timestamp"] for e in events if e["message"].startswith('{"seen"')
    }
    assert heard["NEW_INBOUND_CALL"] <= invite
    assert heard["ACTION_SUCCESSFUL"] >= answer
    assert heard["HANGUP"] >= bye_ok >= bye
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
