"""Parsing single SIP messages: requests, responses, compact and folded headers, bodies, garbage."""

from __future__ import annotations

import random

import pytest

from calls.sip_message import SipParseError, parse_sip_message
from calls.tests.sip_samples import CONNECTOR_IP, OFFER, VAPI_HOST, invite, response


def test_invite_has_its_start_line_headers_and_body() -> None:
    message = parse_sip_message(invite(x_headers={"X-Customer-Id": "42", "x-lang": "en"}))

    assert message.is_request
    assert message.label == "INVITE"
    assert message.request_uri == f"sip:+15551230000@{VAPI_HOST}"
    assert message.request_host == VAPI_HOST
    assert message.call_id == "call-1@3.80.16.5"
    assert (message.cseq_number, message.cseq_method) == (1, "INVITE")
    assert message.vias[0].host == CONNECTOR_IP
    assert message.vias[0].branch == "z9hG4bK-inv-1"
    assert message.from_addr is not None and message.from_addr.tag == "from-1"
    assert message.from_addr.user == "+12065550100"
    assert message.to_addr is not None and message.to_addr.tag == ""
    assert message.contacts[0].host == CONNECTOR_IP
    assert message.x_headers == {"X-Customer-Id": "42", "x-lang": "en"}
    assert message.body == OFFER


def test_response_has_status_reason_and_received() -> None:
    message = parse_sip_message(response(486, "Busy Here", server="Vapi SBC"))

    assert not message.is_request
    assert message.label == "486 Busy Here"
    assert message.status_code == 486
    assert message.method == "INVITE"  # from CSeq
    assert message.vias[0].received == CONNECTOR_IP
    assert message.header("server") == "Vapi SBC"
    assert message.to_addr is not None and message.to_addr.tag == "to-1"


def test_compact_forms_folded_lines_and_repeated_headers() -> None:
    raw = (
        "OPTIONS sip:probe@example.com SIP/2.0\n"
        "v: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKa\n"
        "v: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb;received=203.0.113.9, "
        "SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKc\n"
        "f: Alice <sip:alice@example.com>;tag=1\n"
        "t: sip:probe@example.com\n"
        "i: abc@192.0.2.1\n"
        "CSeq: 9 OPTIONS\n"
        "m: <sip:alice@192.0.2.1>\n"
        "k: timer\n"
        "Subject: first part\n"
        "   and the folded rest\n"
        "l: 0\n"
        "\n"
    )
    message = parse_sip_message(raw)

    assert [hop.host for hop in message.vias] == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert message.vias[1].address == "203.0.113.9"
    assert message.vias[0].transport == "TCP"
    assert message.header("Call-ID") == message.header("i") == "abc@192.0.2.1"
    assert message.header("Supported") == "timer"
    assert message.header("SUBJECT") == "first part and the folded rest"
    assert message.from_addr is not None and message.from_addr.display_name == "Alice"
    assert message.body == ""


def test_body_stops_at_content_length() -> None:
    message = parse_sip_message(invite(body="v=0\r\n") + "INVITE sip:next SIP/2.0\r\n")

    assert message.body == "v=0\r\n"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "empty"),
        ("hello world\r\n\r\n", "not a SIP request or status line"),
        ("HTTP/1.1 200 OK\r\n\r\n", "not a SIP request or status line"),
        ("INVITE sip:a@b SIP/2.0\r\nthis line has no colon\r\n\r\n", "line 2 is not a header"),
        (
            "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 INVITE\r\n\r\n",
            "no Call-ID",
        ),
        (invite().replace("CSeq: 1 INVITE", "CSeq: one INVITE"), "CSeq is not"),
        (invite().replace("CSeq: 1 INVITE", "CSeq: 1 BYE"), "does not match"),
        (invite().replace("Content-Length: ", "Content-Length: 9"), "Content-Length says"),
        (invite().replace("Content-Length: ", "Content-Length: x"), "Content-Length is not a number"),
        (invite().replace(f"Via: SIP/2.0/UDP {CONNECTOR_IP}", "Via: nonsense"), "Via is not valid"),
        (invite().replace("From: <sip:", "From: <bogus:"), "From is not a valid address"),
        ("SIP/2.0 99 Too Low\r\n\r\n", "not a SIP request or status line"),
    ],
)
def test_bad_input_says_what_is_wrong(raw: str, says: str) -> None:
    with pytest.raises(SipParseError, match=says):
        parse_sip_message(raw)


def test_random_bytes_never_raise_anything_but_a_parse_error() -> None:
    rng = random.Random(8)
    seeds = [invite().encode(), response(200, "OK").encode(), b"\x00\xff" * 10]
    rejected = parsed = 0
    reasons: list[str] = []
    for _ in range(400):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            parse_sip_message(bytes(data[: rng.randint(0, len(data))]))
            parsed += 1
        except SipParseError as error:
            reasons.append(str(error))
            rejected += 1

    assert rejected > 100
    assert all(reasons), "every rejection says why"
    assert rejected + parsed == 400
