"""The SIP messages a simulated Genesys call leaves in the org's SIP trace search (SearchSipTraces).

Genesys Cloud's `GET /api/v2/telephony/siptraces` answers `SipSearchResult {count, data:
[HomerRecord]}` (Genesys platform SDK models): one record per SIP message the trunk sent or
received, with `callid`, `date`, `method` (the method of a request, the status code of a
response), `replyReason`, `fromUser`, `toUser`, `sourceIp`/`destinationIp` and their ports,
`conversationId` and the message text in `msg`. The simulated call records what the BYOC trunk
sees on the wire to the far end: the INVITE, Synthflow's digest challenge and the ACK when it
challenges, the INVITE again with credentials, 100 Trying, the final answer and its ACK, and,
for an answered call, the BYE from Genesys and its 200. A far end that never answers leaves the
INVITE and its retransmissions only. Calls Architect could not place (no route, inactive trunk)
send no SIP and leave no trace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

#: retransmission times of an unanswered INVITE over UDP (RFC 3261 timer A: 0.5 s, doubling)
RETRANSMIT_MS = (0, 500, 1500, 3500)
#: how long an answered simulated call lasts before Genesys hangs up
TALK_MS = 4000


@dataclass
class TrunkLeg:
    """One call over the trunk, as the trunk sees it."""

    caller: str
    callee: str
    request_uri: str
    far_host: str
    far_ip: str
    far_port: int
    own_ip: str
    transport: str
    headers: dict[str, str]
    conversation_id: str
    call_id: str = field(default_factory=lambda: f"{secrets.token_hex(12)}@genesys.sandbox")
    from_tag: str = field(default_factory=lambda: secrets.token_hex(6))
    to_tag: str = field(default_factory=lambda: secrets.token_hex(6))
    messages: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _digest(user: str, realm: str, password: str, uri: str, nonce: str) -> str:
    # RFC 2617 without qop: the response only proves the password, it does not carry it.
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"INVITE:{uri}".encode()).hexdigest()
    return hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()


def _sdp(ip: str) -> str:
    return (
        f"v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
        "m=audio 16384 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
    )


class TraceWriter:
    """Builds one trunk leg's messages in the order and at the offsets (ms) Genesys would log them."""

    def __init__(self, leg: TrunkLeg) -> None:
        self.leg = leg
        self.cseq = 0
        self.branch = ""
        self.nonce = ""

    def _via(self) -> str:
        return f"Via: SIP/2.0/{self.leg.transport.upper()} {self.leg.own_ip}:5060;branch={self.branch}"

    def _common(self, *, to_tag: bool, method: str) -> list[str]:
        leg = self.leg
        to = f"To: <sip:{leg.callee}@{leg.far_host}>" + (f";tag={leg.to_tag}" if to_tag else "")
        return [
            self._via(),
            f"From: <sip:{leg.caller}@{leg.own_ip}>;tag={leg.from_tag}",
            to,
            f"Call-ID: {leg.call_id}",
            f"CSeq: {self.cseq} {method}",
        ]

    def _record(
        self, at_ms: int, text: str, *, outbound: bool, method: str, cseq_method: str, reason: str = ""
    ) -> None:
        leg = self.leg
        own, far = (leg.own_ip, "5060"), (leg.far_ip, str(leg.far_port))
        src, dst = (own, far) if outbound else (far, own)
        record = {
            "id": secrets.token_hex(8),
            "method": method,
            "replyReason": reason,
            "ruri": leg.request_uri,
            "fromUser": leg.caller,
            "toUser": leg.callee,
            "callid": leg.call_id,
            "cseq": f"{self.cseq} {cseq_method}",
            "sourceIp": src[0],
            "sourcePort": src[1],
            "destinationIp": dst[0],
            "destinationPort": dst[1],
            "proto": leg.transport,
            "conversationId": leg.conversation_id,
            "msg": text,
        }
        leg.messages.append((at_ms, record))

    def invite(self, at_ms: int, *, new_transaction: bool = True, authorization: str = "") -> None:
        leg = self.leg
        if new_transaction:
            self.cseq += 1
            self.branch = "z9hG4bK" + secrets.token_hex(8)
        body = _sdp(leg.own_ip)
        lines = [f"INVITE {leg.request_uri} SIP/2.0", *self._common(to_tag=False, method="INVITE")]
        lines += [f"Contact: <sip:{leg.caller}@{leg.own_ip}:5060>", "Max-Forwards: 70"]
        lines += [f"{name}: {value}" for name, value in leg.headers.items()]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        lines += ["Content-Type: application/sdp", f"Content-Length: {len(body)}", "", body]
        self._record(at_ms, "\r\n".join(lines), outbound=True, method="INVITE", cseq_method="INVITE")

    def response(
        self, at_ms: int, code: int, reason: str, *, method: str = "INVITE", extra: tuple[str, ...] = ()
    ) -> None:
        leg = self.leg
        body = _sdp(leg.far_ip) if code == 200 and method == "INVITE" else ""
        lines = [f"SIP/2.0 {code} {reason}", *self._common(to_tag=code != 100, method=method)]
        if code == 200 and method == "INVITE":
            lines.append(f"Contact: <sip:{leg.callee}@{leg.far_ip}:{leg.far_port}>")
        lines += [*extra, "Server: Synthflow SIP (sandbox)"]
        lines += ["Content-Type: application/sdp"] if body else []
        lines += [f"Content-Length: {len(body)}", "", body]
        text = "\r\n".join(lines)
        self._record(at_ms, text, outbound=False, method=str(code), cseq_method=method, reason=reason)

    def ack(self, at_ms: int, *, for_2xx: bool) -> None:
        if for_2xx:  # the ACK of a 2xx is a transaction of its own (RFC 3261 §13.2.2.4)
            self.branch = "z9hG4bK" + secrets.token_hex(8)
        leg = self.leg
        lines = [f"ACK {leg.request_uri} SIP/2.0", *self._common(to_tag=True, method="ACK")]
        lines += ["Max-Forwards: 70", "Content-Length: 0", "", ""]
        self._record(at_ms, "\r\n".join(lines), outbound=True, method="ACK", cseq_method="ACK")

    def bye(self, at_ms: int) -> None:
        self.cseq += 1
        self.branch = "z9hG4bK" + secrets.token_hex(8)
        leg = self.leg
        target = f"sip:{leg.callee}@{leg.far_ip}:{leg.far_port}"
        lines = [f"BYE {target} SIP/2.0", *self._common(to_tag=True, method="BYE")]
        lines += ["Max-Forwards: 70", "Content-Length: 0", "", ""]
        self._record(at_ms, "\r\n".join(lines), outbound=True, method="BYE", cseq_method="BYE")


def unanswered(leg: TrunkLeg) -> TrunkLeg:
    """An INVITE nobody answers: the first send and its retransmissions, same transaction."""
    writer = TraceWriter(leg)
    for index, at in enumerate(RETRANSMIT_MS):
        writer.invite(at, new_transaction=index == 0)
    return leg


def challenge(writer: TraceWriter, at: int, realm: str, *, authorization: str = "") -> int:
    """INVITE (with `authorization` when given) → 401 with a digest challenge → ACK; returns the
    offset after it."""
    nonce = secrets.token_hex(8)
    header = f'WWW-Authenticate: Digest realm="{realm}", nonce="{nonce}"'
    writer.invite(at, authorization=authorization)
    writer.nonce = nonce
    writer.response(at + 20, 401, "Unauthorized", extra=(header,))
    writer.ack(at + 22, for_2xx=False)
    return at + 30


def authorization(writer: TraceWriter, user: str, realm: str, password: str) -> str:
    leg, nonce = writer.leg, writer.nonce
    response = _digest(user, realm, password, leg.request_uri, nonce)
    return (
        f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{leg.request_uri}", '
        f'response="{response}", algorithm=MD5'
    )


def finish(writer: TraceWriter, at: int, status: int, reason: str, *, authorization_value: str = "") -> None:
    """The INVITE that reaches the far end, 100 Trying, the final answer and what follows it."""
    writer.invite(at, authorization=authorization_value)
    writer.response(at + 15, 100, "Trying")
    writer.response(at + 120, status, reason)
    if status == 200:
        writer.ack(at + 125, for_2xx=True)
        writer.bye(at + 125 + TALK_MS)
        writer.response(at + 140 + TALK_MS, 200, "OK", method="BYE")
    else:
        writer.ack(at + 122, for_2xx=False)


def stamped(leg: TrunkLeg, now: dt.datetime) -> list[dict[str, Any]]:
    """The leg's records with `date`/`milliTs`, ending now (the call is over when it is searched)."""
    last = max(at for at, _ in leg.messages)
    records = []
    for at, record in leg.messages:
        moment = now - dt.timedelta(milliseconds=last - at)
        records.append(
            {
                **record,
                "date": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "milliTs": str(int(moment.timestamp() * 1000)),
            }
        )
    return records
