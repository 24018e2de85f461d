"""`POST /_sandbox/calls` with `via: twilio`: a caller dials a Twilio number and Twilio runs its voice URL.

Body: `{"via": "twilio", "from": "<caller E.164>", "to": "<Twilio number E.164>"}`.

1. The Twilio stand-in's `place_call` POSTs (or GETs) the number's VoiceUrl,
   signed with `X-Twilio-Signature` from the account's auth token, falling back
   to VoiceFallbackUrl as Twilio does (`voice_call.py`).
2. The TwiML's `<Dial><Sip>` is dialed: its URI goes, with the headers Twilio
   sends (the `?` part, minus what Twilio drops), as an INVITE from a Twilio
   signalling address to the stand-in serving its host: `sip[.us|.eu].synthflow.ai`
   → Synthflow (which parses `X-EI` and needs an imported number bound to an
   inbound assistant), `<id>.sip[.eu].vapi.ai` → Vapi; any other host does not
   answer (408). A `<Dial><Number>` or a `<Say>` ends the call without SIP.

Answer (HTTP 200 whatever the call's fate): `{"status": <final SIP code or null>,
"reason", "detail", "outcome": "sip"|"dial_number"|"say"|"webhook_failed",
"far_end", "request_uri", "source_ip", "delivered_headers", "received": <the far
end's record of the INVITE, Synthflow's `received_calls` entry> | null,
"twilio": <the placed call: attempts, twiml, sip_uri, sip_headers, warnings, ...>,
"status_callbacks": [{event, params, http_status}] (the `<Sip>` leg's, status_callbacks.py)}`.
Refused: 400 (bad `from`/`to`), 404 (`to` is not a Twilio number of the sandbox),
501 (the Twilio stand-in is not served).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sandbox.core.sip_uri import parse_sip_uri

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

#: where Twilio's INVITEs come from in the simulation (a Twilio US1 signalling address)
TWILIO_SIP_SOURCE = "54.172.60.1"
_FAR_ENDS = (
    ("synthflow", re.compile(r"^sip(\.us|\.eu)?\.synthflow\.ai$")),
    ("vapi", re.compile(r"^[^.]+\.sip(\.eu)?\.vapi\.ai$")),
)


class TwilioCallError(ValueError):
    """A request the control API refuses, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def run_twilio_call(sandbox: Sandbox, caller: str, callee: str) -> dict[str, Any]:
    """Ring `callee` (a Twilio number) from `caller` and follow the TwiML to its end."""
    if not sandbox.has_stand_in("twilio"):
        raise TwilioCallError(501, f"the twilio stand-in is not served ({sandbox.absent.get('twilio')})")
    try:
        # Outside the sandbox lock: the webhook may call the sandbox back (prepare_inbound).
        placed = sandbox.stand_in("twilio").place_call(callee, caller)
    except ValueError as unknown:
        raise TwilioCallError(404, str(unknown)) from None
    answer: dict[str, Any] = {
        "status": None,
        "reason": "",
        "detail": "",
        "outcome": "",
        "far_end": "",
        "request_uri": "",
        "source_ip": "",
        "delivered_headers": {},
        "received": None,
        "twilio": placed,
    }
    if placed.get("sip_uri"):
        return _dial_sip(sandbox, placed, answer)
    if placed.get("error_code") is not None:
        answer.update(
            outcome="webhook_failed",
            detail=f"Twilio error {placed['error_code']}: no usable TwiML from the voice URLs",
        )
    elif placed.get("dial_number"):
        answer.update(
            outcome="dial_number", detail=f"Twilio dialed {placed['dial_number']} (PSTN, not simulated)"
        )
    else:
        answer.update(outcome="say", detail=" ".join(placed.get("say") or []) or "the TwiML ended the call")
    return answer


def _dial_sip(sandbox: Sandbox, placed: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    request_uri = str(placed["sip_uri"])
    headers = dict(placed.get("sip_headers") or {})
    answer.update(outcome="sip", request_uri=request_uri, source_ip=TWILIO_SIP_SOURCE)
    uri = parse_sip_uri(request_uri)
    host = uri.host if uri else ""
    name, stand_in = next(
        ((n, sandbox.stand_in(n)) for n, p in _FAR_ENDS if p.match(host) and sandbox.has_stand_in(n)),
        ("", None),
    )
    if stand_in is None:
        answer.update(status=408, reason="Request Timeout", far_end=host)
        answer["detail"] = f"nothing in the sandbox answers SIP at {host or request_uri}"
        answer["status_callbacks"] = sandbox.stand_in("twilio").send_sip_status_callbacks(placed, 408)
        return answer
    with sandbox.lock:
        status, reason = stand_in.sip_invite(request_uri, TWILIO_SIP_SOURCE, headers)  # type: ignore[attr-defined]
        received = list(getattr(stand_in, "received_calls", []) or [])
    answer.update(status=status, reason=reason, far_end=name)
    answer["delivered_headers"] = headers if status == 200 else {}
    answer["received"] = dict(received[-1]) if received else None
    # Outside the sandbox lock: Patchbay's status callback handler answers these.
    answer["status_callbacks"] = sandbox.stand_in("twilio").send_sip_status_callbacks(placed, status)
    return answer
