"""POST /api/v1/traces/: text logs, pcap and pcapng become calls with ladders; bad files are 400s."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from calls.models import SipCall, SipTrace
from calls.tests import capture_files
from calls.tests.capture_files import Packet
from calls.tests.sip_samples import CONNECTOR_IP, VAPI_HOST, VAPI_IP, answered_call, invite, response
from calls.tests.trace_support import START, answered_packets, upload
from tenants.choices import Role
from tenants.models import AuditEvent
from testing.world import TenantWorld


def refused_packets() -> list[Packet]:
    at = START + timedelta(seconds=5)
    return [
        (at, CONNECTOR_IP, 5060, VAPI_IP, 5060, invite("call-2@x")),
        (
            at + timedelta(milliseconds=80),
            VAPI_IP,
            5060,
            CONNECTOR_IP,
            5060,
            response(404, "Not Found", "call-2@x"),
        ),
    ]


def ladders(world: TenantWorld, response: Any) -> list[dict[str, Any]]:
    """The calls of an upload's answer with their messages, read where they live: `calls/{id}/`. The
    answer itself carries summaries (message counts), never messages."""
    client = world.api(Role.VIEWER)
    calls = []
    for summary in response.json()["calls"]:
        assert "messages" not in summary
        call = client.get(reverse("call-detail", kwargs={"pk": summary["id"]})).json()
        assert summary["message_count"] == len(call["messages"])
        calls.append(call)
    return calls


def assert_answered_ladder(call: dict[str, Any], src: str, dst: str) -> None:
    assert call["final_status"] == 200
    assert call["reason"] == ""
    assert [m["label"] for m in call["messages"]] == [
        "INVITE",
        "100 Trying",
        "180 Ringing",
        "200 OK",
        "ACK",
        "BYE",
        "200 OK",
    ]
    assert (call["messages"][0]["src"], call["messages"][0]["dst"]) == (src, dst)
    # Two parties, two columns, whatever names they went by (Vapi's Contact IP, its credential host).
    assert {m["src"] for m in call["messages"]} | {m["dst"] for m in call["messages"]} == {src, dst}
    assert (call["messages"][1]["src"], call["messages"][1]["dst"]) == (dst, src)
    assert call["messages"][0]["raw"].startswith(f"INVITE sip:+15551230000@{VAPI_HOST} SIP/2.0")


@pytest.mark.parametrize("ng", [False, True], ids=["pcap", "pcapng"])
def test_a_capture_becomes_one_ladder_per_call(world: TenantWorld, ng: bool) -> None:
    data = capture_files.pcap([*answered_packets(), *refused_packets()], ng=ng)

    response = upload(world, data, "call.pcapng" if ng else "call.pcap")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["format"] == ("pcapng" if ng else "pcap")
    answered, refused = ladders(world, response)
    assert answered["call_id"] == "call-1@3.80.16.5"
    assert answered["integration"] is None
    assert answered["started_at"] == "2026-11-23T10:00:00.250000Z"
    # A capture knows the real addresses: the columns are the two IPs.
    assert_answered_ladder(answered, CONNECTOR_IP, VAPI_IP)
    assert answered["messages"][1]["at"] == "2026-11-23T10:00:00.370000Z"
    assert refused["final_status"] == 404
    assert "not imported" in refused["reason"]
    assert refused["messages"][1]["is_failure"] is True
    trace = SipTrace.objects.get(pk=body["id"])
    assert trace.tenant == world.tenant
    assert trace.calls.count() == 2
    audit = AuditEvent.objects.get(action="trace.uploaded")
    assert audit.object_id == str(trace.pk) and audit.tenant == world.tenant


def test_sip_over_tcp_on_any_port_is_found_by_its_start_line(world: TenantWorld) -> None:
    packets = [
        (at, s, 15060 if sp == 5060 else sp, d, 15060, text) for at, s, sp, d, _dp, text in answered_packets()
    ]

    response = upload(world, capture_files.pcap(packets, tcp=True))

    assert response.status_code == 201, response.json()
    (call,) = ladders(world, response)
    assert_answered_ladder(call, f"{CONNECTOR_IP}:15060", f"{VAPI_IP}:15060")


def test_sngrep_text_export(world: TenantWorld) -> None:
    text = capture_files.sngrep_text([*answered_packets(), *refused_packets()])

    response = upload(world, text.encode(), "call.txt")

    assert response.status_code == 201, response.json()
    answered, refused = ladders(world, response)
    assert_answered_ladder(answered, CONNECTOR_IP, VAPI_IP)
    assert answered["started_at"] == "2026-11-23T10:00:00.250000Z"
    assert refused["final_status"] == 404


def test_tcpdump_ascii_output(world: TenantWorld) -> None:
    response = upload(world, capture_files.tcpdump_text(answered_packets()).encode(), "dump.txt")

    assert response.status_code == 201, response.json()
    (call,) = ladders(world, response)
    assert_answered_ladder(call, CONNECTOR_IP, VAPI_IP)
    assert call["messages"][0]["at"] == "2026-11-23T10:00:00.250000Z"


def test_plain_concatenated_messages_keep_their_order(world: TenantWorld) -> None:
    text = "\n\n".join(m.replace("\r\n", "\n") for m in answered_call())

    response = upload(world, text.encode(), "messages.log")

    assert response.status_code == 201, response.json()
    (call,) = ladders(world, response)
    # No addresses in the file: they come from Via, Contact and the request-URI.
    assert_answered_ladder(call, CONNECTOR_IP, VAPI_HOST)
    assert call["messages"][0]["raw"].count("m=audio 20000 RTP/AVP 0 8 101") == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_trace"),
        (b"hello, this is not a trace\nat all\n", "no_sip_messages"),
        (b"\xd4\xc3\xb2\xa1" + b"\x00" * 7, "unreadable_capture"),
        (b"\x0a\x0d\x0d\x0a\x00\x00", "unreadable_capture"),
        (bytes(range(256)) * 4, "unreadable_trace"),
    ],
    ids=["empty", "prose", "truncated-pcap", "truncated-pcapng", "binary"],
)
def test_a_file_without_sip_is_a_400_saying_so(world: TenantWorld, content: bytes, code: str) -> None:
    response = upload(world, content)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not SipCall.objects.exists()


def test_random_bytes_are_never_a_500(world: TenantWorld) -> None:
    rng = random.Random(20261123)
    good = capture_files.pcap(answered_packets())
    statuses = set()
    for _ in range(25):
        data = bytearray(good)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        response = upload(world, bytes(data[: rng.randint(0, len(data))]))
        statuses.add(response.status_code)
        assert response.status_code in (201, 400), response.content
        if response.status_code == 400:
            assert response.json()["code"] in {"empty_trace", "no_sip_messages", "unreadable_capture"}
    for size in (1, 7, 300, 5000):
        response = upload(world, rng.randbytes(size))
        assert response.status_code == 400, response.content
    assert 400 in statuses


def test_an_oversized_trace_is_refused_with_its_size(world: TenantWorld, settings: Any) -> None:
    settings.TRACE_MAX_BYTES = 1000

    response = upload(world, b"x" * 1001)

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The file is larger than 1,000 bytes; traces up to 1,000 bytes are accepted "
        "(TRACE_MAX_BYTES).",
        "code": "trace_too_large",
    }
    assert not SipTrace.objects.exists()


def test_no_file_field_is_a_field_error(world: TenantWorld) -> None:
    response = world.api(Role.OPERATOR).post(reverse("trace-list"), {"other": "x"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_viewers_list_traces_but_cannot_upload(world: TenantWorld) -> None:
    upload(world, capture_files.pcap(answered_packets()))

    refused = upload(world, capture_files.pcap(answered_packets()), role=Role.VIEWER)
    listed = world.api(Role.VIEWER).get(reverse("trace-list"))

    assert refused.status_code == 403
    assert listed.status_code == 200
    (trace,) = listed.json()["results"]
    assert trace["filename"] == "trace.pcap"
    assert trace["calls"][0]["final_status"] == 200


def test_a_log_with_a_timestamp_line_before_each_message(world: TenantWorld) -> None:
    lines = []
    for index, message in enumerate(answered_call()):
        lines.append(f"[2026-11-23 10:00:0{index}.500] received:")
        lines.append(message.replace("\r\n", "\n"))
    response = upload(world, "\n".join(lines).encode(), "app.log")

    assert response.status_code == 201, response.json()
    (call,) = ladders(world, response)
    assert_answered_ladder(call, CONNECTOR_IP, VAPI_HOST)
    assert [m["at"][11:23] for m in call["messages"]][:3] == ["10:00:00.500", "10:00:01.500", "10:00:02.500"]


def test_mangled_text_logs_are_never_a_500(world: TenantWorld) -> None:
    rng = random.Random(5060)
    text = capture_files.sngrep_text([*answered_packets(), *refused_packets()])
    pieces = ["\n", ": ", "SIP/2.0 ", "INVITE sip:", "Content-Length: 99\n", "\t", ";branch=", "<", ">"]
    statuses = []
    for _ in range(25):
        chars = list(text)
        for _ in range(rng.randint(1, 30)):
            chars.insert(rng.randrange(len(chars)), rng.choice(pieces))
            del chars[rng.randrange(len(chars))]
        response = upload(world, "".join(chars).encode(), "mangled.txt")
        statuses.append(response.status_code)
        assert response.status_code in (201, 400), response.content

    assert 201 in statuses  # most messages survive a few mangled characters
