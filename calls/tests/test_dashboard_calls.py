"""Dashboard pages of calls: an integration's calls, a call's ladder, the integration page's panel,
trace upload, probe history with "probe now", and "fetch now"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from calls.choices import CallSource
from calls.grouping import ObservedMessage, Perspective
from calls.models import ProbeRequest, ProbeResult, SipCall, SipTrace
from calls.sip_message import parse_sip_message
from calls.storing import store_integration_calls
from calls.tasks import run_probe_request_task
from calls.tests import capture_files
from calls.tests.factories import integration_with_sip_peer
from calls.tests.sandbox_logs import ConnectorLogs, sma_answer
from calls.tests.sip_peers import SIPP_SERVER
from calls.tests.sip_samples import CONNECTOR_HOST, CONNECTOR_IP, answered_call, invite, response
from calls.tests.stored_calls import stored_call
from calls.tests.trace_support import answered_packets
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld, member

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def member_of(call: SipCall, role: str = Role.VIEWER) -> Any:
    return member(call.tenant, role)


def arrow_count(html: str) -> int:
    return len(re.findall(r'<a href="#msg-\d+" class="arrow', html))


def refused_call() -> SipCall:
    return stored_call(
        [
            invite("refused@x"),
            response(100, "Trying", "refused@x"),
            response(401, "Unauthorized", "refused@x"),
        ]
    )


def test_the_calls_list_shows_status_reason_in_words_and_links_each_ladder(
    dashboard_client: Login,
) -> None:
    call = refused_call()
    user = member_of(call)

    page = dashboard_client(user).get(reverse("calls:integration-calls", args=[call.integration_id]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "refused@x" in html
    assert '<span class="badge badge-red">401</span>' in html
    # The reason in words: Vapi's allow list misses the connector's address.
    assert CONNECTOR_IP in call.reason and escape(call.reason) in html
    assert reverse("calls:call-detail", args=[call.pk]) in html
    # Viewers read, only operators fetch.
    assert "Fetch now" not in html


def test_the_call_page_draws_an_arrow_per_message_and_shows_the_raw_invite_with_x_headers(
    dashboard_client: Login,
) -> None:
    call = stored_call(answered_call("ok@x", x_headers={"x-customer-id": "42"}))
    user = member_of(call)

    page = dashboard_client(user).get(reverse("calls:call-detail", args=[call.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert arrow_count(html) == call.messages.count() == 7
    invite_row = call.messages.order_by("at", "seq").first()
    assert f'id="msg-{invite_row.pk}" class="sip-raw"' in html
    assert "<mark>x-customer-id: 42</mark>" in html
    assert "<script" not in html.split('<div class="ladder-scroll">', 1)[1].split("</svg>", 1)[0]


def test_the_integration_page_lists_recent_calls_and_draws_the_latest(dashboard_client: Login) -> None:
    older = refused_call()
    integration = older.integration
    user = member_of(older, Role.OPERATOR)
    later = START + timedelta(minutes=5)
    observed = [
        ObservedMessage(
            at=later + timedelta(milliseconds=40 * i), message=parse_sip_message(t), fingerprint=f"n{i}"
        )
        for i, t in enumerate(answered_call("newest@x"))
    ]
    store_integration_calls(
        integration, CallSource.CLOUDWATCH, observed, view=Perspective(name=CONNECTOR_HOST)
    )

    page = dashboard_client(user).get(reverse("integrations:integration-detail", args=[integration.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    panel = html.split('data-testid="recent-calls"', 1)[1]
    assert panel.index("newest@x") < panel.index("refused@x")  # newest first
    assert arrow_count(panel) == 7  # the latest call (7 messages) drawn; the refused one only listed
    assert "Fetch now" in panel  # operators may read the log now


def test_the_call_list_costs_the_same_queries_for_one_call_or_twenty(dashboard_client: Login) -> None:
    call = refused_call()
    user = member_of(call)
    client = dashboard_client(user)
    url = reverse("calls:integration-calls", args=[call.integration_id])
    client.get(url)  # warm the session and membership caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in range(19):
        SipCall.objects.create(
            tenant=call.tenant,
            integration=call.integration,
            source=call.source,
            call_id=f"more-{index}@x",
            started_at=START,
            ended_at=START,
        )
    with CaptureQueriesContext(connection) as twenty:
        page = client.get(url)
    assert page.content.decode().count('class="call-row') == 20
    assert len(twenty) == len(one)


def test_uploading_a_trace_in_the_dashboard_draws_its_ladder(
    world: TenantWorld, dashboard_client: Login
) -> None:
    client = dashboard_client(world.users[Role.OPERATOR])
    content = capture_files.pcap(answered_packets("uploaded@x"))

    answer = client.post(
        reverse("calls:trace-list"), {"file": SimpleUploadedFile("from-genesys.pcap", content)}
    )

    trace = SipTrace.objects.get(tenant=world.tenant)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("calls:trace-detail", args=[trace.pk])
    page = client.get(answer["Location"])
    html = page.content.decode()
    assert "from-genesys.pcap" in html and "uploaded@x" in html
    assert arrow_count(html) == 7
    assert AuditEvent.objects.filter(tenant=world.tenant, action="trace.uploaded").count() == 1
    listed = client.get(reverse("calls:trace-list")).content.decode()
    assert "from-genesys.pcap" in listed


def test_a_file_without_sip_is_shown_as_a_form_error_not_a_500(
    world: TenantWorld, dashboard_client: Login
) -> None:
    client = dashboard_client(world.users[Role.OPERATOR])

    answer = client.post(
        reverse("calls:trace-list"), {"file": SimpleUploadedFile("notes.txt", b"hello, no SIP here\n" * 20)}
    )

    assert answer.status_code == 400
    assert 'class="errorlist"' in answer.content.decode()
    assert not SipTrace.objects.filter(tenant=world.tenant).exists()


def test_an_oversized_trace_is_refused_with_its_size(
    world: TenantWorld, dashboard_client: Login, settings: Any
) -> None:
    settings.TRACE_MAX_BYTES = 100
    client = dashboard_client(world.users[Role.OPERATOR])

    answer = client.post(reverse("calls:trace-list"), {"file": SimpleUploadedFile("big.txt", b"x" * 101)})

    assert answer.status_code == 413
    assert "The file is larger than 100 bytes; traces up to 100 bytes are accepted" in answer.content.decode()


def test_viewers_see_traces_but_cannot_upload(world: TenantWorld, dashboard_client: Login) -> None:
    client = dashboard_client(world.users[Role.VIEWER])

    page = client.get(reverse("calls:trace-list"))
    answer = client.post(
        reverse("calls:trace-list"),
        {"file": SimpleUploadedFile("t.pcap", capture_files.pcap(answered_packets()))},
    )

    assert page.status_code == 200 and "Upload and draw" not in page.content.decode()
    assert answer.status_code == 403
    assert not SipTrace.objects.filter(tenant=world.tenant).exists()


def test_probe_now_from_the_dashboard_is_queued_shown_running_then_shows_the_history(
    world: TenantWorld,
    dashboard_client: Login,
    sipp_peer: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    peer = sipp_peer("udp")
    integration = integration_with_sip_peer(world.tenant, peer.port)
    url = reverse("calls:integration-probes", args=[integration.pk])

    refused = dashboard_client(world.users[Role.VIEWER]).post(url)
    answer = dashboard_client(world.users[Role.OPERATOR]).post(url)  # queued: no worker runs it yet
    running = dashboard_client(world.users[Role.OPERATOR]).get(url).content.decode()
    ran_in_the_request = ProbeResult.objects.filter(integration=integration).exists()
    from controlplane.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    run_probe_request_task.delay(ProbeRequest.objects.get(integration=integration).pk)
    page = dashboard_client(world.users[Role.VIEWER]).get(url)

    assert refused.status_code == 403
    assert answer.status_code == 302
    assert "Probing the SIP targets" in running and "data-refresh-after" in running
    assert not ran_in_the_request
    result = ProbeResult.objects.get(integration=integration, target__host="127.0.0.1")
    assert result.response_code == 200
    html = page.content.decode()
    assert f"127.0.0.1:{peer.port}" in html
    assert "200 OK" in html and SIPP_SERVER in html
    assert "answered." in html and "data-refresh-after" not in html
    assert "Probe now" not in html  # viewers get no button


def test_fetch_now_reads_the_connector_log_into_the_calls_list(
    connector_logs: ConnectorLogs, dashboard_client: Login
) -> None:
    headers = {"x-customer-id": "7"}
    connector_logs.write_lambda(sma_answer("tx-d", "leg-d", headers), connector_logs.now_ms - 60_500)
    connector_logs.write_sip("tx-d", answered_call("dash-call@x", x_headers=headers))
    integration = connector_logs.integration
    operator = member(integration.tenant, Role.OPERATOR)
    client = dashboard_client(operator)
    url = reverse("calls:integration-calls", args=[integration.pk])

    answer = client.post(url, follow=True)

    html = answer.content.decode()
    assert "Read 7 log events: 1 call updated." in html
    assert "dash-call@x" in html
    call = SipCall.objects.get(integration=integration)
    assert "tx-d" in call.legs
    ladder = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    assert arrow_count(ladder) == 9  # the PSTN leg, the Lambda's decision, then the 7 SIP messages
    assert "NEW_INBOUND_CALL → CallAndBridge" in ladder


def test_fetch_now_on_a_twilio_integration_reads_its_webhook_events_without_error(
    world: TenantWorld, dashboard_client: Login
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="twilio_synthflow")
    url = reverse("calls:integration-calls", args=[integration.pk])

    answer = dashboard_client(world.users[Role.OPERATOR]).post(url, follow=True)

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "log events: 0 calls updated." in html
    assert not SipCall.objects.filter(integration=integration).exists()
