"""SIP messages for tests, written as a Chime Voice Connector (3.80.16.5) and Vapi (44.229.228.186)
would exchange them, with helpers to vary them."""

from __future__ import annotations

CONNECTOR_IP = "3.80.16.5"
CONNECTOR_HOST = "abcdef1234567890abcdef.voiceconnector.chime.aws"
VAPI_HOST = "0d5e7c1a-1111-2222-3333-444455556666.sip.vapi.ai"
VAPI_IP = "44.229.228.186"

OFFER = (
    "v=0\r\n"
    "o=- 1 1 IN IP4 3.80.16.5\r\n"
    "s=-\r\n"
    "c=IN IP4 3.80.16.5\r\n"
    "t=0 0\r\n"
    "m=audio 20000 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
)


def invite(
    call_id: str = "call-1@3.80.16.5",
    cseq: int = 1,
    branch: str = "z9hG4bK-inv-1",
    x_headers: dict[str, str] | None = None,
    authorization: bool = False,
    body: str = OFFER,
) -> str:
    """An INVITE from the connector to Vapi's credential host, with an SDP offer."""
    lines = [
        f"INVITE sip:+15551230000@{VAPI_HOST} SIP/2.0",
        f"Via: SIP/2.0/UDP {CONNECTOR_IP}:5060;branch={branch};rport",
        "Max-Forwards: 70",
        f"From: <sip:+12065550100@{CONNECTOR_IP}>;tag=from-1",
        f"To: <sip:+15551230000@{VAPI_HOST}>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} INVITE",
        f"Contact: <sip:+12065550100@{CONNECTOR_IP}:5060>",
    ]
    lines += [f"{name}: {value}" for name, value in (x_headers or {}).items()]
    if authorization:
        lines.append(
            'Authorization: Digest username="pb", realm="vapi", nonce="n", uri="sip:x", response="r"'
        )
    lines += ["Content-Type: application/sdp", f"Content-Length: {len(body.encode())}", "", body]
    return "\r\n".join(lines)


def response(
    code: int,
    phrase: str,
    call_id: str = "call-1@3.80.16.5",
    cseq: int = 1,
    method: str = "INVITE",
    branch: str = "z9hG4bK-inv-1",
    contact: bool = False,
    server: str = "",
) -> str:
    """Vapi's answer to the connector's request."""
    lines = [
        f"SIP/2.0 {code} {phrase}",
        f"Via: SIP/2.0/UDP {CONNECTOR_IP}:5060;branch={branch};rport=5060;received={CONNECTOR_IP}",
        f"From: <sip:+12065550100@{CONNECTOR_IP}>;tag=from-1",
        f"To: <sip:+15551230000@{VAPI_HOST}>;tag=to-1",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} {method}",
    ]
    if contact:
        lines.append(f"Contact: <sip:+15551230000@{VAPI_IP}:5060>")
    if server:
        lines.append(f"Server: {server}")
    if code == 401:
        lines.append('WWW-Authenticate: Digest realm="vapi", nonce="n"')
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines)


def ack(call_id: str = "call-1@3.80.16.5", cseq: int = 1, to_vapi_ip: bool = True) -> str:
    """The connector's ACK (to Vapi's Contact after a 2xx)."""
    host = VAPI_IP if to_vapi_ip else VAPI_HOST
    return "\r\n".join(
        [
            f"ACK sip:+15551230000@{host}:5060 SIP/2.0",
            f"Via: SIP/2.0/UDP {CONNECTOR_IP}:5060;branch=z9hG4bK-ack-{cseq}",
            f"From: <sip:+12065550100@{CONNECTOR_IP}>;tag=from-1",
            f"To: <sip:+15551230000@{VAPI_HOST}>;tag=to-1",
            f"Call-ID: {call_id}",
            f"CSeq: {cseq} ACK",
            "Content-Length: 0",
            "",
            "",
        ]
    )


def bye_from_vapi(call_id: str = "call-1@3.80.16.5") -> str:
    """Vapi hangs up: a BYE to the connector's Contact."""
    return "\r\n".join(
        [
            f"BYE sip:+12065550100@{CONNECTOR_IP}:5060 SIP/2.0",
            f"Via: SIP/2.0/UDP {VAPI_IP}:5060;branch=z9hG4bK-bye-1",
            f"From: <sip:+15551230000@{VAPI_HOST}>;tag=to-1",
            f"To: <sip:+12065550100@{CONNECTOR_IP}>;tag=from-1",
            f"Call-ID: {call_id}",
            "CSeq: 7 BYE",
            f"Contact: <sip:+15551230000@{VAPI_IP}:5060>",
            "Content-Length: 0",
            "",
            "",
        ]
    )


def answered_call(call_id: str = "call-1@3.80.16.5", x_headers: dict[str, str] | None = None) -> list[str]:
    """INVITE, 100, 180, 200 (with Contact), ACK, BYE from Vapi, 200 to the BYE."""
    bye_ok = response(200, "OK", call_id=call_id, cseq=7, method="BYE", branch="z9hG4bK-bye-1").replace(
        f"Via: SIP/2.0/UDP {CONNECTOR_IP}:5060;branch=z9hG4bK-bye-1;rport=5060;received={CONNECTOR_IP}",
        f"Via: SIP/2.0/UDP {VAPI_IP}:5060;branch=z9hG4bK-bye-1",
    )
    return [
        invite(call_id, x_headers=x_headers),
        response(100, "Trying", call_id),
        response(180, "Ringing", call_id, contact=True),
        response(200, "OK", call_id, contact=True, server="Vapi SBC"),
        ack(call_id),
        bye_from_vapi(call_id),
        bye_ok,
    ]
