"""The SIP messages of a simulated Voice Connector leg, and their CloudWatch SIP log.

The connector INVITEs the origination target; the far end answers 100 Trying
and a final response; the connector ACKs; after a bridged call the far end
(the AI agent) hangs up with BYE, answered 200 OK. With the connector's
`EnableSIPLogs` on, each message is written as a JSON event
`{voice_connector_id, aws_region, event_timestamp (ms), call_id, sip_message}`
to `/aws/ChimeVoiceConnectorSipMessages/<id>` (AWS.md §5.1), the group created
if missing, as AWS does. `call_id` is the connector's own call id, not the
SIP Call-ID header (AWS.md §5.1).
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

SIP_LOG_GROUP = "/aws/ChimeVoiceConnectorSipMessages/{}"
# Offsets of each message from the INVITE, in ms: a short, plausible call.
_TRYING_MS, _FINAL_MS, _ACK_MS, _BYE_OK_MS = 12, 420, 435, 15


@dataclass(frozen=True)
class SipMessage:
    """One SIP message on the wire, as Patchbay's call ladder shows it."""

    at_ms: int
    src: str
    dst: str
    label: str  # the method, or the status line's code and reason
    raw: str

    def as_dict(self) -> dict[str, Any]:
        at = datetime.fromtimestamp(self.at_ms / 1000, UTC).isoformat(timespec="milliseconds")
        return {
            "at": at.replace("+00:00", "Z"),
            "src": self.src,
            "dst": self.dst,
            "label": self.label,
            "raw": self.raw,
        }


def _message(start: str, headers: list[tuple[str, str]], body: str = "") -> str:
    lines = [start, *(f"{name}: {value}" for name, value in headers)]
    lines.append(f"Content-Length: {len(body.encode())}")
    return "\r\n".join(lines) + "\r\n\r\n" + body


@dataclass
class Dialog:
    """One INVITE dialog from a Voice Connector signalling address to a far end."""

    request_uri: str  # sip:<user>@<host>:<port>
    transport: str  # UDP | TCP
    connector_ip: str
    far_host: str
    far_port: int
    caller_id: str
    callee: str
    headers: dict[str, str]

    def __post_init__(self) -> None:
        self.call_id = f"{uuid.uuid4()}"
        self.from_tag = secrets.token_hex(4)
        self.to_tag = secrets.token_hex(4)
        self.branch = f"z9hG4bK{secrets.token_hex(8)}"
        self.vc = f"{self.connector_ip}:5060"
        self.far = f"{self.far_host}:{self.far_port}"

    def _dialog_headers(self, cseq: str, *, to_tag: bool) -> list[tuple[str, str]]:
        to = f"<sip:{self.callee}@{self.far_host}>" + (f";tag={self.to_tag}" if to_tag else "")
        return [
            ("Via", f"SIP/2.0/{self.transport} {self.vc};branch={self.branch}"),
            ("From", f"<sip:{self.caller_id}@{self.connector_ip}:5060>;tag={self.from_tag}"),
            ("To", to),
            ("Call-ID", self.call_id),
            ("CSeq", cseq),
        ]

    def ladder(self, start_ms: int, status: int, reason: str, duration_ms: int) -> list[SipMessage]:
        """The messages of this dialog for a final `status`, the call lasting `duration_ms` if answered."""
        sdp = (
            f"v=0\r\no=- {start_ms} 1 IN IP4 {self.connector_ip}\r\ns=-\r\nc=IN IP4 {self.connector_ip}\r\n"
            "t=0 0\r\nm=audio 16384 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
        )
        invite_headers = [
            *self._dialog_headers("1 INVITE", to_tag=False),
            ("Max-Forwards", "70"),
            ("Contact", f"<sip:{self.caller_id}@{self.vc};transport={self.transport.lower()}>"),
            *self.headers.items(),
            ("Content-Type", "application/sdp"),
        ]
        messages = [
            SipMessage(
                start_ms,
                self.vc,
                self.far,
                "INVITE",
                _message(f"INVITE {self.request_uri} SIP/2.0", invite_headers, sdp),
            ),
            SipMessage(
                start_ms + _TRYING_MS,
                self.far,
                self.vc,
                "100 Trying",
                _message("SIP/2.0 100 Trying", self._dialog_headers("1 INVITE", to_tag=False)),
            ),
            SipMessage(
                start_ms + _FINAL_MS,
                self.far,
                self.vc,
                f"{status} {reason}",
                _message(f"SIP/2.0 {status} {reason}", self._dialog_headers("1 INVITE", to_tag=True)),
            ),
            SipMessage(
                start_ms + _ACK_MS,
                self.vc,
                self.far,
                "ACK",
                _message(f"ACK {self.request_uri} SIP/2.0", self._dialog_headers("1 ACK", to_tag=True)),
            ),
        ]
        if status == 200:
            bye_at = start_ms + _ACK_MS + duration_ms
            far_to_vc = [
                ("Via", f"SIP/2.0/{self.transport} {self.far};branch=z9hG4bK{secrets.token_hex(8)}"),
                ("From", f"<sip:{self.callee}@{self.far_host}>;tag={self.to_tag}"),
                ("To", f"<sip:{self.caller_id}@{self.connector_ip}:5060>;tag={self.from_tag}"),
                ("Call-ID", self.call_id),
                ("CSeq", "1 BYE"),
            ]
            messages += [
                SipMessage(
                    bye_at,
                    self.far,
                    self.vc,
                    "BYE",
                    _message(f"BYE sip:{self.caller_id}@{self.vc} SIP/2.0", far_to_vc),
                ),
                SipMessage(
                    bye_at + _BYE_OK_MS, self.vc, self.far, "200 OK", _message("SIP/2.0 200 OK", far_to_vc)
                ),
            ]
        return messages


def write_sip_log(
    sandbox: Sandbox, *, connector_id: str, region: str, call_id: str, messages: list[SipMessage]
) -> str:
    """Write the messages to the connector's SIP log group; returns the group name."""
    group = SIP_LOG_GROUP.format(connector_id)
    stream = f"{datetime.now(UTC):%Y/%m/%d}/{call_id}"  # stream naming is UNCONFIRMED (AWS.md §5.1)
    events = [
        {
            "timestamp": m.at_ms,
            "message": json.dumps(
                {
                    "voice_connector_id": connector_id,
                    "aws_region": region,
                    "event_timestamp": m.at_ms,
                    "call_id": call_id,
                    "sip_message": m.raw,
                }
            ),
        }
        for m in messages
    ]
    with sandbox.lock:
        logs = sandbox.moto_backend("logs", region)
        if group not in logs.groups:
            logs.create_log_group(group, {})
        logs.create_log_stream(group, stream)
        logs.put_log_events(group, stream, events)
    return group
