"""Fetching a connector's SIP log (and the SMA Lambda's log) from the sandbox's CloudWatch Logs."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from calls.choices import CallSource, Direction
from calls.fetch import fetch_calls
from calls.fetch_schedule import due_integration_ids, fetch_since_cursor
from calls.ladder import render_ladder_svg
from calls.models import CallLogCursor, SipCall
from calls.tests.sandbox_logs import CONNECTOR_HOST, SIP_GROUP, ConnectorLogs, sma_answer
from calls.tests.sip_samples import CONNECTOR_IP, VAPI_HOST, answered_call, invite, response
from integrations.models import Integration
from integrations.vendors.aws import logs as aws_logs
from integrations.vendors.errors import AuthFailed
from tenants.choices import Role
from tenants.tests.factories import ApiTokenFactory


def test_a_fetched_call_shows_the_lambda_decision_and_the_sip_leg_to_vapi(
    connector_logs: ConnectorLogs,
) -> None:
    headers = {"x-customer-id": "42", "x-intent": "billing"}
    connector_logs.write_lambda(sma_answer("tx-1", "leg-a-1", headers), connector_logs.now_ms - 60_500)
    connector_logs.write_sip("tx-1", answered_call("sip-call-1@3.80.16.5", x_headers=headers))

    report = fetch_calls(connector_logs.integration)

    assert report.log_group == SIP_GROUP
    assert report.events == 7
    (call,) = report.calls
    assert call.source == CallSource.CLOUDWATCH
    assert call.call_id == "sip-call-1@3.80.16.5"
    assert call.final_status == 200 and call.reason == ""
    assert "tx-1" in call.legs
    messages = list(call.messages.all())
    # The caller's leg reaching the SIP media application, the Lambda's decision, the SIP leg to Vapi.
    assert [(m.src, m.dst, m.label) for m in messages[:4]] == [
        ("PSTN", "sma-lambda", "NEW_INBOUND_CALL (LEG-A Connected)"),
        ("sma-lambda", CONNECTOR_HOST, "NEW_INBOUND_CALL → CallAndBridge"),
        (CONNECTOR_HOST, VAPI_HOST, "INVITE"),
        (VAPI_HOST, CONNECTOR_HOST, "100 Trying"),
    ]
    assert [m.direction for m in messages[:2]] == [Direction.INTERNAL, Direction.INTERNAL]
    assert '"call_id": "leg-a-1"' in messages[0].raw
    assert messages[1].headers["x_headers"] == [["x-customer-id", "42"], ["x-intent", "billing"]]
    assert [m.direction for m in messages[2:5]] == [Direction.OUTBOUND, Direction.INBOUND, Direction.INBOUND]
    assert [h["name"] for h in call.hosts] == ["PSTN", "sma-lambda", CONNECTOR_HOST, VAPI_HOST]
    assert {"tx-1", "leg-a-1"} <= set(call.legs)
    svg = render_ladder_svg(call, messages)
    assert svg.count("<a href=") == 9
    # The headers the Lambda chose, and the same headers on the INVITE that reached Vapi (highlighted).
    assert svg.count('<text class="x-header" ') == 2
    assert svg.count('<text class="x-header reached" ') == 2
    assert svg.count(">x-customer-id: 42</text>") == 2


def test_fetching_twice_or_a_duplicated_event_stores_each_message_once(connector_logs: ConnectorLogs) -> None:
    texts = answered_call("sip-call-2@3.80.16.5")
    connector_logs.write_sip("tx-2", texts, start_ms=connector_logs.now_ms - 30_000)
    # The same events again in another stream (a retried delivery).
    connector_logs.write_sip("tx-2", texts, start_ms=connector_logs.now_ms - 30_000, stream="again")

    first = fetch_calls(connector_logs.integration)
    second = fetch_calls(connector_logs.integration)

    assert first.events == 14
    assert [c.pk for c in first.calls] == [c.pk for c in second.calls]
    assert SipCall.objects.count() == 1
    assert SipCall.objects.get().messages.count() == 7


def test_a_call_seen_in_two_fetch_windows_is_one_call(connector_logs: ConnectorLogs) -> None:
    texts = answered_call("sip-call-3@3.80.16.5")
    start = connector_logs.now_ms - 40_000
    connector_logs.write_sip("tx-3", texts, start_ms=start)
    middle = datetime.fromtimestamp((start + 200) / 1000, UTC)  # after INVITE, 100 and 180

    fetch_calls(connector_logs.integration, end=middle)
    partial = SipCall.objects.get()
    assert partial.final_status is None
    assert partial.messages.count() == 3
    fetch_calls(connector_logs.integration, start=middle - timedelta(seconds=1))

    call = SipCall.objects.get()
    assert call.messages.count() == 7
    assert call.final_status == 200


def test_pages_are_followed(connector_logs: ConnectorLogs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aws_logs, "PAGE_LIMIT", 2)
    requests: list[dict[str, Any]] = []
    call = aws_logs.CloudWatchLogs._call

    def counted(self: aws_logs.CloudWatchLogs, operation: str, **params: Any) -> dict[str, Any]:
        requests.append(params)
        return call(self, operation, **params)

    monkeypatch.setattr(aws_logs.CloudWatchLogs, "_call", counted)
    connector_logs.write_sip("tx-4", answered_call("sip-call-4@3.80.16.5"))

    report = fetch_calls(connector_logs.integration)

    assert report.events == 7
    sip_pages = [r for r in requests if r["logGroupName"] == SIP_GROUP]
    assert len(sip_pages) >= 4 and all(r["limit"] == 2 for r in sip_pages)
    assert report.calls[0].messages.count() == 7


def test_a_401_from_vapi_names_the_connector_ip(connector_logs: ConnectorLogs) -> None:
    connector_logs.write_sip(
        "tx-5",
        [
            invite("sip-call-5@x"),
            response(100, "Trying", "sip-call-5@x"),
            response(401, "Unauthorized", "sip-call-5@x"),
        ],
    )

    (call,) = fetch_calls(connector_logs.integration).calls

    assert call.final_status == 401
    assert CONNECTOR_IP in call.reason and "gateway" in call.reason


def test_one_chime_call_id_fetches_only_that_call(connector_logs: ConnectorLogs) -> None:
    connector_logs.write_sip("tx-6", answered_call("sip-call-6@x"))
    connector_logs.write_sip("tx-7", answered_call("sip-call-7@x"), start_ms=connector_logs.now_ms - 20_000)

    report = fetch_calls(connector_logs.integration, chime_call_id="tx-7")

    assert [c.call_id for c in report.calls] == ["sip-call-7@x"]


def test_without_a_log_group_the_report_says_why(connector_logs: ConnectorLogs) -> None:
    report = fetch_calls(connector_logs.integration)

    assert report.calls == []
    assert "SIP logging is off or no call has been logged" in report.note


def test_the_periodic_fetch_reads_due_integrations_and_keeps_active_ones_due(
    connector_logs: ConnectorLogs, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CALLS_IDLE_FETCH_SECONDS = 3600
    integration = connector_logs.integration
    assert str(integration.pk) in due_integration_ids()  # never read

    fetch_since_cursor(integration)
    assert str(integration.pk) not in due_integration_ids()  # read just now, no call

    connector_logs.write_sip("tx-8", answered_call("sip-call-8@x"), start_ms=connector_logs.now_ms - 5_000)
    report = fetch_since_cursor(integration)
    assert [c.call_id for c in report.calls] == ["sip-call-8@x"]
    assert str(integration.pk) not in due_integration_ids()  # read just now
    later = timezone.now() + timedelta(seconds=settings.CALLS_ACTIVE_FETCH_SECONDS)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert str(integration.pk) in due_integration_ids()  # a call ended minutes ago: read every 10 s


def test_a_failing_read_keeps_the_cursor_and_says_why(
    connector_logs: ConnectorLogs, sandbox_url: str
) -> None:
    integration = connector_logs.integration
    fetch_since_cursor(integration)
    before = CallLogCursor.objects.get(integration=integration).fetched_until
    fault = {
        "vendor": "logs",
        "operation": "FilterLogEvents",
        "mode": "error",
        "status": 400,
        "code": "AccessDeniedException",
        "message": "not authorized to perform logs:FilterLogEvents",
        "times": 0,
    }
    assert httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault, timeout=30).status_code == 201

    with pytest.raises(AuthFailed):
        fetch_since_cursor(integration)

    cursor = CallLogCursor.objects.get(integration=integration)
    assert cursor.fetched_until == before
    assert "AccessDeniedException" in cursor.last_note
    assert "logs:FilterLogEvents" in cursor.last_note


def test_a_decision_naming_no_known_id_joins_the_invite_that_follows_with_its_headers(
    connector_logs: ConnectorLogs,
) -> None:
    # Chime's SIP log `call_id` need not be any id the SMA sees (AWS.md §5.1: UNCONFIRMED).
    now = connector_logs.now_ms
    headers = {"x-customer-id": "77"}
    connector_logs.write_lambda(sma_answer("tx-a", "leg-a", headers), now - 61_000)
    connector_logs.write_lambda(sma_answer("tx-b", "leg-b", {"x-customer-id": "other"}), now - 60_800)
    hangup = {**sma_answer("tx-a", "leg-a", {}), "invocation": "HANGUP", "actions": []}
    connector_logs.write_lambda(hangup, now - 50_000)
    connector_logs.write_sip("connector-call-1", answered_call("joined@x", x_headers=headers))

    (call,) = fetch_calls(connector_logs.integration).calls

    decisions = [m.label for m in call.messages.all() if m.src == "sma-lambda"]
    assert decisions == ["NEW_INBOUND_CALL → CallAndBridge", "HANGUP → no action"]


def test_a_decision_stamped_a_little_after_its_invite_still_joins_it(connector_logs: ConnectorLogs) -> None:
    # Two logs, two clocks: the Lambda's line may carry a time a few ms after the connector's INVITE.
    now = connector_logs.now_ms
    headers = {"x-customer-id": "88"}
    connector_logs.write_sip(
        "connector-call-2", answered_call("skewed@x", x_headers=headers), start_ms=now - 60_000
    )
    connector_logs.write_lambda(sma_answer("tx-s", "leg-s", headers), now - 59_995)

    (call,) = fetch_calls(connector_logs.integration).calls

    assert call.call_id == "skewed@x"
    assert [m.label for m in call.messages.all() if m.src == "sma-lambda"] == [
        "NEW_INBOUND_CALL → CallAndBridge"
    ]
    assert {"tx-s", "leg-s"} <= set(call.legs)


def test_a_lambda_that_answered_no_action_shows_as_a_call_until_its_sip_leg_appears(
    connector_logs: ConnectorLogs,
) -> None:
    now = connector_logs.now_ms
    silent = {**sma_answer("tx-f", "leg-f", {}), "actions": []}
    connector_logs.write_lambda(silent, now - 40_000)

    (call,) = fetch_calls(connector_logs.integration).calls

    assert call.call_id == "sma-transaction:tx-f"
    assert call.final_status is None
    assert call.reason == (
        "The SMA Lambda answered NEW_INBOUND_CALL → no action, and the connector logged no SIP message: "
        "the caller was never bridged to the far end."
    )
    assert [(m.src, m.label, m.is_failure) for m in call.messages.all()] == [
        ("PSTN", "NEW_INBOUND_CALL (LEG-A Connected)", False),
        ("sma-lambda", "NEW_INBOUND_CALL → no action", True),
    ]

    # The connector's log arrives late and names the transaction: the decision joins that call instead.
    connector_logs.write_sip("tx-f", answered_call("late@x"), start_ms=now - 39_000)
    report = fetch_calls(connector_logs.integration)

    assert [c.call_id for c in report.calls] == ["late@x"]
    assert list(SipCall.objects.values_list("call_id", flat=True)) == ["late@x"]
    assert [m.label for m in SipCall.objects.get().messages.all()[:2]] == [
        "NEW_INBOUND_CALL (LEG-A Connected)",
        "NEW_INBOUND_CALL → no action",
    ]


def api_client(integration: Integration, role: str) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(tenant=integration.tenant, role=role).key}"
    )
    return client


def test_operators_fetch_calls_now_through_the_api(connector_logs: ConnectorLogs) -> None:
    integration = connector_logs.integration
    connector_logs.write_sip("tx-api", answered_call("api-call@x"), start_ms=connector_logs.now_ms - 8_000)
    url = reverse("integration-calls-list", kwargs={"integration_id": integration.pk})
    client = functools.partial(api_client, integration)

    refused = client(Role.VIEWER).post(url)
    fetched = client(Role.OPERATOR).post(url)
    listed = client(Role.VIEWER).get(url)

    assert refused.status_code == 403
    assert fetched.status_code == 200, fetched.json()
    assert fetched.json()["log_group"] == SIP_GROUP
    assert [c["call_id"] for c in fetched.json()["calls"]] == ["api-call@x"]
    assert [c["call_id"] for c in listed.json()["results"]] == ["api-call@x"]


def test_a_log_that_cannot_be_read_is_a_502_saying_why(
    connector_logs: ConnectorLogs, sandbox_url: str
) -> None:
    fault = {"vendor": "logs", "operation": "FilterLogEvents", "mode": "error", "status": 400}
    fault |= {"code": "AccessDeniedException", "message": "no logs:FilterLogEvents", "times": 0}
    assert httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault, timeout=30).status_code == 201
    integration = connector_logs.integration
    url = reverse("integration-calls-list", kwargs={"integration_id": integration.pk})

    response = api_client(integration, Role.OPERATOR).post(url)

    assert response.status_code == 502
    assert response.json()["code"] == "call_log_unavailable"
    assert "AccessDeniedException" in response.json()["detail"]
