"""The `<Sip>` noun's status callbacks: Twilio POSTs the dialled leg's progress, signed, to `statusCallback`.

`<Sip statusCallback=... statusCallbackEvent="initiated ringing answered completed">`
(TwiML `<Sip>` attributes) asks for one request per listed event (default: completed
only) with the child leg's `CallSid`, `ParentCallSid`, `CallStatus` (initiated, ringing,
in-progress, completed, busy, no-answer, failed), `Direction: outbound-dial`,
`CallbackSource: call-progress-events`, `SequenceNumber`, `Timestamp`, signed with
`X-Twilio-Signature` like the voice webhook. On `completed` the sandbox adds
`CallDuration` and `SipResponseCode` (the far end's final SIP answer; that Twilio's
status callbacks carry it is UNCONFIRMED, the `<Dial action>` request does as
`DialSipResponseCode`).
"""

from __future__ import annotations

import secrets
from email.utils import formatdate
from typing import Any

import httpx
from twilio.request_validator import RequestValidator

#: the final CallStatus of a `<Sip>` leg per far-end SIP answer that is not a 200
_UNANSWERED = {486: "busy", 600: "busy", 480: "no-answer", 408: "no-answer", 487: "canceled"}
TALK_SECONDS = 4


def leg_events(status: int | None) -> list[tuple[str, str]]:
    """(statusCallbackEvent, CallStatus) of the leg in order, for the far end's final SIP answer."""
    if status == 200:
        return [
            ("initiated", "initiated"),
            ("ringing", "ringing"),
            ("answered", "in-progress"),
            ("completed", "completed"),
        ]
    final = _UNANSWERED.get(status or 408, "failed")
    early = [("initiated", "initiated")] + ([("ringing", "ringing")] if final != "failed" else [])
    return [*early, ("completed", final)]


def send_status_callbacks(
    placed: dict[str, Any], auth_token: str, status: int | None, timeout: float
) -> list[dict[str, Any]]:
    """POST the leg's status callbacks the TwiML asked for; what was sent and the HTTP status of each."""
    url = placed.get("sip_status_callback") or ""
    if not url:
        return []
    wanted = set((placed.get("sip_status_callback_event") or "completed").split())
    child_sid = "CA" + secrets.token_hex(16)
    validator = RequestValidator(auth_token)
    sent: list[dict[str, Any]] = []
    for sequence, (event, call_status) in enumerate(leg_events(status)):
        if event not in wanted:
            continue
        params = {
            "AccountSid": placed["account_sid"],
            "CallSid": child_sid,
            "ParentCallSid": placed["call_sid"],
            "From": placed["from"],
            "To": placed.get("sip_uri") or "",
            "CallStatus": call_status,
            "Direction": "outbound-dial",
            "ApiVersion": "2010-04-01",
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(sequence),
            "Timestamp": formatdate(usegmt=True),
        }
        if event == "completed":
            params["CallDuration"] = str(TALK_SECONDS if status == 200 else 0)
            if status is not None:
                params["SipResponseCode"] = str(status)
        headers = {"X-Twilio-Signature": validator.compute_signature(url, params)}
        answer: int | str
        try:
            answer = httpx.post(url, data=params, headers=headers, timeout=timeout).status_code
        except httpx.HTTPError as error:
            answer = f"failed: {error}"
        sent.append({"event": event, "params": params, "http_status": answer})
    return sent
