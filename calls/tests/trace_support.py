"""SIP traces for the upload tests: the packets of an answered call, an upload through the API, and the
pathological traces of the upload limits with their normal counterparts (moved out of
test_trace_upload.py and test_trace_limits.py, imported by other tests and bench/bench_trace_uploads.py)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.grouping import group_calls
from calls.tests import capture_files
from calls.tests.capture_files import Packet
from calls.tests.sip_samples import CONNECTOR_IP, VAPI_IP, answered_call, invite, response
from calls.trace_files import TraceError, read_trace
from calls.trace_reading import MAX_MESSAGES_PER_CALL
from tenants.choices import Role
from testing.world import TenantWorld

START = datetime(2026, 11, 23, 10, 0, 0, 250000, tzinfo=UTC)
# Which side sent each message of `answered_call`: the connector (C) or Vapi (V).
SENDERS = "CVVVCVC"


def answered_packets(call_id: str = "call-1@3.80.16.5", start: datetime = START) -> list[Packet]:
    packets: list[Packet] = []
    for index, (sender, text) in enumerate(zip(SENDERS, answered_call(call_id), strict=True)):
        at = start + timedelta(milliseconds=120 * index)
        if sender == "C":
            packets.append((at, CONNECTOR_IP, 5060, VAPI_IP, 5060, text))
        else:
            packets.append((at, VAPI_IP, 5060, CONNECTOR_IP, 5060, text))
    return packets


def upload(world: TenantWorld, content: bytes, name: str = "trace.pcap", role: str = Role.OPERATOR) -> Any:
    client = world.api(role)
    return client.post(reverse("trace-list"), {"file": SimpleUploadedFile(name, content)}, format="multipart")


#: a pathological file may cost at most this many times a normal trace of its size (it used to cost
#: hundreds of times more: 20 s against a tenth of a second)
SLOWDOWN_ALLOWED = 3.0


def calls_packets(count: int) -> list[Any]:
    packets: list[Any] = []
    for index in range(count):
        packets += answered_packets(f"call-{index}@x", START + timedelta(seconds=index))
    return packets


def normal_text_trace(size: int) -> bytes:
    """An sngrep export of answered calls, about `size` bytes."""
    one_call = len(capture_files.sngrep_text(calls_packets(1)))
    return capture_files.sngrep_text(calls_packets(size // one_call + 1)).encode()


def normal_tcp_capture(size: int) -> bytes:
    """A pcap of answered calls over TCP, about `size` bytes."""
    one_call = len(capture_files.pcap(calls_packets(1), tcp=True))
    return capture_files.pcap(calls_packets(size // one_call + 1), tcp=True)


def work_of_an_upload(data: bytes) -> None:
    """What an upload computes before it stores anything: reading the trace and grouping its calls."""
    with contextlib.suppress(TraceError):  # refused: also an answer
        group_calls(read_trace(data).messages)


def seconds(work: Callable[[], None]) -> float:
    """The fastest of three runs (the least disturbed by the other processes of the machine)."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def endless_invite() -> bytes:
    """An INVITE whose Content-Length nothing fills, followed by 60,000 short lines (240 KB)."""
    head = re.sub(r"Content-Length: \d+", "Content-Length: 999999999", invite().split("\r\n\r\n")[0])
    return (head + "\n\n" + "a=x\n" * 60_000).encode()


def headers_without_end() -> bytes:
    """A request with 60,000 header lines and no blank line."""
    return (invite().split("\r\n")[0] + "\n" + "X-Filler: y\n" * 60_000).encode()


def many_messages_in_one_tcp_segment() -> bytes:
    """TCP segments to port 5060 each holding thousands of tiny header-only messages."""
    packets = [(START, CONNECTOR_IP, 5060, VAPI_IP, 5060, "A: b\r\n\r\n" * 3000) for _ in range(60)]
    return capture_files.pcap(packets, tcp=True)


def one_call_with_a_new_host_per_message() -> bytes:
    """A call of 1,000 messages, each with its own Via and Contact host (names to merge)."""
    messages = []
    for index in range(MAX_MESSAGES_PER_CALL // 2):
        host = f"10.1.{index // 256}.{index % 256}"
        request = invite("one@x", cseq=index + 1, branch=f"z9hG4bK-{index}").replace(CONNECTOR_IP, host)
        answer = response(401, "Unauthorized", "one@x", cseq=index + 1, branch=f"z9hG4bK-{index}")
        messages += [
            request,
            answer.replace(CONNECTOR_IP, host).replace("Via:", f"Contact: <sip:c@h{index}>\r\nVia:"),
        ]
    return "\n\n".join(m.replace("\r\n", "\n") for m in messages).encode()
