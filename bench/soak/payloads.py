"""What the soak sends: SIP trace files (pathological ones from issue 13 and normal ones of the same size)
and Twilio webhook bodies. Plain functions of their size; nothing here needs Django or a server.

Traces are sngrep text exports ("save as .txt"): a line with date, time and addresses before each
message, one blank line between messages, the format `calls/trace_text.py` reads.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

MB = 1024 * 1024
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CONNECTOR = "3.80.16.5"
AGENT = "44.229.228.186"
AGENT_HOST = "0d5e7c1a-1111-2222-3333-444455556666.sip.vapi.ai"
SDP = (
    "v=0\no=- 1 1 IN IP4 {ip}\ns=-\nc=IN IP4 {ip}\nt=0 0\nm=audio 20000 RTP/AVP 0 8 101\n"
    "a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\n"
)


def _stamp(at: datetime, src: str, dst: str) -> str:
    return f"{at:%Y/%m/%d %H:%M:%S.%f} {src}:5060 -> {dst}:5060"


def _token(call_id: str) -> str:
    """A Via branch or tag part made of the Call-ID (token characters only)."""
    return call_id.split("@", 1)[0]


def _request(method: str, call_id: str, cseq: int, body: str = "") -> str:
    lines = [
        f"{method} sip:+15551230000@{AGENT_HOST} SIP/2.0",
        f"Via: SIP/2.0/UDP {CONNECTOR}:5060;branch=z9hG4bK-{_token(call_id)}-{cseq}-{method};rport",
        "Max-Forwards: 70",
        f"From: <sip:+12065550100@{CONNECTOR}>;tag=from-{_token(call_id)}",
        f"To: <sip:+15551230000@{AGENT_HOST}>" + (";tag=to-1" if method != "INVITE" else ""),
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        f"Contact: <sip:+12065550100@{CONNECTOR}:5060>",
        "User-Agent: Amazon Chime Voice Connector",
    ]
    if body:
        lines.append("Content-Type: application/sdp")
    lines += [f"Content-Length: {len(body)}", "", body]
    return "\n".join(lines)


def _response(code: int, phrase: str, call_id: str, cseq: int, method: str, body: str = "") -> str:
    lines = [
        f"SIP/2.0 {code} {phrase}",
        f"Via: SIP/2.0/UDP {CONNECTOR}:5060;branch=z9hG4bK-{_token(call_id)}-{cseq}-{method};rport=5060",
        f"From: <sip:+12065550100@{CONNECTOR}>;tag=from-{_token(call_id)}",
        f"To: <sip:+15551230000@{AGENT_HOST}>" + (";tag=to-1" if code > 100 else ""),
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
        "Server: Vapi",
    ]
    if body:
        lines += [f"Contact: <sip:+15551230000@{AGENT}:5060>", "Content-Type: application/sdp"]
    lines += [f"Content-Length: {len(body)}", "", body]
    return "\n".join(lines)


def answered_call(index: int) -> str:
    """One answered and hung-up call as sngrep exports it: 7 messages, about 3.7 KB."""
    call_id = f"call-{index}@{CONNECTOR}"
    at = START + timedelta(seconds=index)
    exchange = [
        (CONNECTOR, _request("INVITE", call_id, 1, SDP.format(ip=CONNECTOR))),
        (AGENT, _response(100, "Trying", call_id, 1, "INVITE")),
        (AGENT, _response(180, "Ringing", call_id, 1, "INVITE")),
        (AGENT, _response(200, "OK", call_id, 1, "INVITE", SDP.format(ip=AGENT))),
        (CONNECTOR, _request("ACK", call_id, 1)),
        (CONNECTOR, _request("BYE", call_id, 2)),
        (AGENT, _response(200, "OK", call_id, 2, "BYE")),
    ]
    blocks = []
    for step, (sender, text) in enumerate(exchange):
        receiver = AGENT if sender == CONNECTOR else CONNECTOR
        blocks.append(f"{_stamp(at + timedelta(milliseconds=150 * step), sender, receiver)}\n{text}\n")
    return "\n".join(blocks) + "\n"


def normal_trace(size: int) -> bytes:
    """Answered calls, one after the other, until the trace holds about `size` bytes."""
    parts, total, index = [], 0, 0
    while total < size:
        part = answered_call(index)
        parts.append(part)
        total += len(part)
        index += 1
    return "".join(parts).encode()


def calls_trace(calls: int) -> bytes:
    """`calls` answered calls (7 messages each): 500 is the most a trace may hold."""
    return "".join(answered_call(index) for index in range(calls)).encode()


def endless_invite(lines: int = 60_000) -> bytes:
    """Issue 13 item 1: an INVITE whose `Content-Length: 999999999` nothing fills, then short lines."""
    head = _request("INVITE", "endless@x", 1, "x").replace("Content-Length: 1", "Content-Length: 999999999")
    head = head.rsplit("\n\n", 1)[0]
    return (_stamp(START, CONNECTOR, AGENT) + "\n" + head + "\n\n" + "a=x\n" * lines).encode()


def headers_without_end(lines: int = 60_000) -> bytes:
    """Issue 13 item 1: a request line and `lines` header lines, no blank line ever."""
    first = f"INVITE sip:+15551230000@{AGENT_HOST} SIP/2.0"
    return (_stamp(START, CONNECTOR, AGENT) + "\n" + first + "\n" + "X-Filler: y\n" * lines).encode()


def many_short_messages(count: int = 70_000, size: int = int(16.6 * MB)) -> bytes:
    """Issue 13 item 2: a trace of `count` small messages (OPTIONS pings) of `size` bytes in all."""
    per_message = size // count
    messages = []
    for index in range(count):
        at = START + timedelta(milliseconds=10 * index)
        text = (
            f"OPTIONS sip:{AGENT} SIP/2.0\nCall-ID: ping-{index}@{CONNECTOR}\nCSeq: 1 OPTIONS\n"
            f"From: <sip:p@{CONNECTOR}>;tag=t\nTo: <sip:{AGENT}>\nContent-Length: 0\n"
        )
        block = f"{_stamp(at, CONNECTOR, AGENT)}\n{text}"
        padding = max(0, per_message - len(block) - len("X-Pad: \n\n"))
        messages.append(f"{block}X-Pad: {'p' * padding}\n\n")
    return "".join(messages).encode()


def multipart(field: str, filename: str, content: bytes, boundary: str) -> bytes:
    """A multipart/form-data body with one file field."""
    return b"".join(
        [
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'.encode(),
            b"Content-Type: application/octet-stream\r\n\r\n",
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )


def streamed_multipart(
    field: str, filename: str, size: int, boundary: str, chunk: int = 256 * 1024
) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of a multipart body whose file has `size` bytes, made as it is sent."""
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{field}"; filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    line = b"a=x\n" * (chunk // 4)

    def chunks() -> Iterator[bytes]:
        yield head
        left = size
        while left > 0:
            yield line[:left]
            left -= min(left, len(line))
        yield tail

    return len(head) + size + len(tail), chunks()


# --- Twilio's voice webhook -------------------------------------------------------------------------


def call_params(account_sid: str, to: str, **overrides: str) -> dict[str, str]:
    """The form Twilio posts for an inbound call (PROVIDERS.md §3), a fresh CallSid each time."""
    params = {
        "CallSid": "CA" + secrets.token_hex(16),
        "AccountSid": account_sid,
        "From": "+12065550142",
        "To": to,
        "Caller": "+12065550142",
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "FromCity": "SEATTLE",
    }
    params.update(overrides)
    return params


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """`X-Twilio-Signature` as Twilio computes it (twilio.request_validator)."""
    return RequestValidator(auth_token).compute_signature(url, params)


def form(params: dict[str, str]) -> bytes:
    return urlencode(params).encode()


def many_fields(params: dict[str, str], count: int = 1_500) -> dict[str, str]:
    """More fields than Django parses (`DATA_UPLOAD_MAX_NUMBER_FIELDS`, 1000)."""
    return {**params, **{f"Extra{index}": "x" for index in range(count)}}


def big_form(params: dict[str, str], size: int = int(2.6 * MB)) -> dict[str, str]:
    """A form over `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB) in one field."""
    return {**params, "Filler": "f" * size}
