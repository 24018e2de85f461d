"""Bounded work per trace upload: linear reading, the caps (each a 400 naming it), and bodies refused
while they stream.

Times are compared with a normal trace of the same size read on the same machine, never with a fixed
number of seconds: the machine is shared and its speed varies, the ratio does not.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import dpkt
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, ClientHandler, RequestFactory, encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import SipCall, SipTrace
from calls.tests import capture_files
from calls.tests.sip_samples import CONNECTOR_IP, VAPI_IP, invite
from calls.tests.trace_support import (
    SLOWDOWN_ALLOWED,
    START,
    answered_packets,
    endless_invite,
    headers_without_end,
    many_messages_in_one_tcp_segment,
    normal_tcp_capture,
    normal_text_trace,
    one_call_with_a_new_host_per_message,
    seconds,
    upload,
    work_of_an_upload,
)
from calls.trace_reading import (
    MAX_CALLS_PER_FILE,
    MAX_LINES_PER_MESSAGE,
    MAX_MESSAGES_PER_CALL,
    MAX_MESSAGES_PER_FILE,
)
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld


@pytest.mark.parametrize(
    ("pathological", "normal"),
    [
        (endless_invite, normal_text_trace),
        (headers_without_end, normal_text_trace),
        (many_messages_in_one_tcp_segment, normal_tcp_capture),
        (one_call_with_a_new_host_per_message, normal_text_trace),
    ],
    ids=[
        "content-length-never-filled",
        "no-blank-line",
        "tcp-segment-of-tiny-messages",
        "one-call-many-hosts",
    ],
)
def test_a_pathological_trace_costs_no_more_than_a_normal_one_of_its_size(
    pathological: Callable[[], bytes], normal: Callable[[int], bytes]
) -> None:
    bad = pathological()
    good = normal(len(bad))

    bad_seconds = seconds(lambda: work_of_an_upload(bad))
    good_seconds = seconds(lambda: work_of_an_upload(good))

    assert bad_seconds < SLOWDOWN_ALLOWED * good_seconds, (len(bad), bad_seconds, len(good), good_seconds)


def sip_log(messages: list[str]) -> bytes:
    return "\n\n".join(m.replace("\r\n", "\n") for m in messages).encode()


@pytest.mark.parametrize(
    ("content", "code", "cap"),
    [
        (endless_invite, "too_many_lines", f"more than {MAX_LINES_PER_MESSAGE:,} lines"),
        (headers_without_end, "too_many_lines", f"more than {MAX_LINES_PER_MESSAGE:,} lines"),
        (
            lambda: (invite().split("\r\n\r\n")[0] + "\nX-Long: " + "y" * 70_000 + "\n\n").encode(),
            "message_too_large",
            "larger than 65,535 bytes",
        ),
        (
            lambda: sip_log([invite(f"c{i}@x") for i in range(MAX_MESSAGES_PER_FILE + 1)]),
            "too_many_messages",
            f"more than {MAX_MESSAGES_PER_FILE:,} SIP messages",
        ),
        (
            lambda: sip_log([invite(f"c{i}@x") for i in range(MAX_CALLS_PER_FILE + 1)]),
            "too_many_calls",
            f"up to {MAX_CALLS_PER_FILE:,}",
        ),
        (
            lambda: sip_log([invite("c@x", cseq=i + 1) for i in range(MAX_MESSAGES_PER_CALL + 1)]),
            "too_many_messages_in_call",
            f"up to {MAX_MESSAGES_PER_CALL:,}",
        ),
    ],
    ids=[
        "lines-per-message",
        "header-lines",
        "message-bytes",
        "messages-per-file",
        "calls-per-file",
        "messages-per-call",
    ],
)
def test_a_trace_over_a_cap_is_a_400_naming_it_and_stores_nothing(
    world: TenantWorld, content: Callable[[], bytes], code: str, cap: str
) -> None:
    answer = upload(world, content(), "over.log")

    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == code
    assert cap in answer.json()["detail"]
    assert "the limit per" in answer.json()["detail"]
    assert not SipTrace.objects.exists() and not SipCall.objects.exists()
    assert not AuditEvent.objects.filter(action="trace.uploaded").exists()


def test_a_capture_with_more_sip_messages_than_the_cap_is_refused(world: TenantWorld) -> None:
    packets = [(START, CONNECTOR_IP, 5060, VAPI_IP, 5060, "SIP/2.0 200 OK\r\n\r\n")] * (
        MAX_MESSAGES_PER_FILE + 1
    )

    answer = upload(world, capture_files.pcap(packets), "flood.pcap")

    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_messages"


@pytest.mark.parametrize(
    "content",
    [
        re.sub(r"Content-Length: \d+", "Content-Length: " + "9" * 5000, invite()).encode(),
        (
            "10:00:00.1 IP 10.0.0.1."
            + "5" * 5000
            + " > 10.0.0.2.5060: SIP: INVITE\n"
            + invite().replace("\r\n", "\n")
        ).encode(),
        (
            "2026/11/23 10:00:00.1 10.0.0.1:"
            + "5" * 5000
            + " -> 10.0.0.2:5060\n"
            + invite().replace("\r\n", "\n")
        ).encode(),
    ],
    ids=["content-length-digits", "tcpdump-port-digits", "sngrep-port-digits"],
)
def test_numbers_too_long_for_int_are_no_500(world: TenantWorld, content: bytes) -> None:
    answer = upload(world, content, "digits.log")

    assert answer.status_code in (201, 400), answer.content
    assert answer["Content-Type"] == "application/json"


def test_a_pcapng_timestamp_out_of_range_is_a_400(world: TenantWorld) -> None:
    out = io.BytesIO()
    writer = dpkt.pcapng.Writer(out)
    for at, src, sport, dst, dport, text in answered_packets():
        # 10^13 s fits pcapng's 64-bit microseconds but is past year 9999, so no date holds it.
        writer.writepkt(capture_files.frame(src, sport, dst, dport, text.encode()), ts=1e13 + at.timestamp())

    answer = upload(world, out.getvalue(), "future.pcapng")

    assert answer.status_code == 400
    assert answer.json()["code"] == "unreadable_capture"
    assert "timestamp" in answer.json()["detail"]


def test_the_upload_answer_and_the_list_carry_summaries_and_the_audit_counts(world: TenantWorld) -> None:
    data = capture_files.pcap(answered_packets() + answered_packets("call-2@x", START + timedelta(seconds=9)))

    created = upload(world, data)
    listed = world.api(Role.VIEWER).get(reverse("trace-list"), {"page_size": 1})

    assert created.status_code == 201
    body = created.json()
    assert (body["call_count"], body["message_count"]) == (2, 14)
    assert [(c["call_id"], c["message_count"]) for c in body["calls"]] == [
        ("call-1@3.80.16.5", 7),
        ("call-2@x", 7),
    ]
    assert all("messages" not in call for call in body["calls"])
    assert listed.json()["results"] == [body]
    audit = AuditEvent.objects.get(action="trace.uploaded")
    assert audit.diff["calls"] == [None, 2]
    assert audit.diff["messages"] == [None, 14]


def test_a_page_of_traces_is_at_most_twenty(world: TenantWorld) -> None:
    data = capture_files.pcap(answered_packets())
    for _ in range(21):
        upload(world, data)

    page = world.api(Role.VIEWER).get(reverse("trace-list"), {"page_size": 200}).json()

    assert page["count"] == 21 and len(page["results"]) == 20


class CountingInput(io.BytesIO):
    """A request body that counts what the server read of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


def post_counting(path: str, fields: dict[str, Any], **headers: str) -> tuple[Any, int, int]:
    """POST a multipart body through Django's handler; the answer, the body's size, and the bytes read."""
    body = encode_multipart(BOUNDARY, fields)
    stream = CountingInput(body)
    environ = RequestFactory()._base_environ(
        REQUEST_METHOD="POST",
        PATH_INFO=path,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
        **headers,
    )
    return ClientHandler(enforce_csrf_checks=False)(environ), len(body), stream.taken


@pytest.mark.parametrize("declared", [True, False], ids=["content-length-over", "file-over-while-read"])
def test_an_oversized_upload_is_refused_while_it_streams(
    world: TenantWorld, settings: Any, declared: bool
) -> None:
    settings.TRACE_MAX_BYTES = 100_000 if declared else 300_000
    size = 5_000_000 if declared else 360_000  # the second stays within the multipart envelope's room

    answer, body_size, read = post_counting(
        reverse("trace-list"),
        {"file": SimpleUploadedFile("big.log", b"x" * size)},
        HTTP_AUTHORIZATION=f"Token {world.key(Role.OPERATOR)}",
    )

    assert answer.status_code == 413
    assert json.loads(answer.content)["code"] == "trace_too_large"
    assert "traces up to" in json.loads(answer.content)["detail"]
    # Stopped where the cap was seen (Django reads 64 KiB chunks): the rest was never read nor spooled.
    seen_at = 0 if declared else settings.TRACE_MAX_BYTES
    assert read <= seen_at + 2 * 65_536 and read < body_size, (read, body_size)
    assert not SipTrace.objects.exists()


def test_the_dashboard_refuses_an_oversized_upload_while_it_streams_and_says_why(
    world: TenantWorld, settings: Any
) -> None:
    settings.TRACE_MAX_BYTES = 1000
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.OPERATOR])
    client.get(reverse("calls:trace-list"))
    token = client.cookies["csrftoken"].value

    answer = client.post(
        reverse("calls:trace-list"),
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("big.log", b"x" * 5_000_000)},
    )

    assert answer.status_code == 413  # the CSRF token before the file was read: not a 403
    assert "traces up to 1,000 bytes are accepted" in answer.content.decode()
    assert not SipTrace.objects.exists()


def test_the_trace_list_costs_the_same_queries_for_one_trace_or_five(world: TenantWorld) -> None:
    client = world.api(Role.VIEWER)
    data = capture_files.pcap(answered_packets())
    upload(world, data)
    client.get(reverse("trace-list"))  # the token's first use writes its last_used_at
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("trace-list"))
    for _ in range(4):
        upload(world, data)
    with CaptureQueriesContext(connection) as five:
        listed = client.get(reverse("trace-list"))

    assert listed.json()["count"] == 5
    assert len(five.captured_queries) == len(one.captured_queries)
