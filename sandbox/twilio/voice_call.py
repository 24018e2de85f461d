"""An inbound Twilio call as Twilio runs it: a signed voice webhook, then the `<Dial>` in the TwiML.

Twilio POSTs (or GETs) the number's VoiceUrl with the standard voice parameters,
signed with `X-Twilio-Signature` (HMAC-SHA1 of URL + sorted params with the
account's auth token), falls back to VoiceFallbackUrl when the first answer is an
error, and reads `<Dial><Sip>` headers from the SIP URI's query string
(PROVIDERS.md §3).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

#: non-`X-` headers Twilio lets `<Sip>` send (PROVIDERS.md §3)
ALLOWED_PLAIN_HEADERS = ("user-to-user", "remote-party-id", "p-preferred-identity", "p-called-party-id")
#: the `?headers` part of a `<Sip>` URI must stay under this many characters (warning 21227)
MAX_HEADERS_PART = 1024
_HEADER_NAME = re.compile(r"^[A-Za-z0-9\-_.!%*+`'~]+$")
# Twilio error codes of a failed webhook (twilio.com/docs/api/errors): 11200 HTTP retrieval failure,
# 11205 HTTP connection failure, 12100 Document parse failure, 21227/32111/32112 <Sip> header problems.
HTTP_RETRIEVAL_FAILURE, HTTP_CONNECTION_FAILURE, DOCUMENT_PARSE_FAILURE = 11200, 11205, 12100


@dataclass
class WebhookAttempt:
    """One request Twilio made to a voice URL and what came of it."""

    url: str
    method: str
    signature: str
    status: int | None = None
    twiml: str = ""
    error_code: int | None = None
    error: str = ""


@dataclass
class PlacedCall:
    """What a simulated inbound Twilio call did: the webhook requests and the dial it ended in."""

    call_sid: str
    account_sid: str
    to: str
    from_: str
    params: dict[str, str]
    attempts: list[WebhookAttempt] = field(default_factory=list)
    sip_uri: str | None = None  # the `<Sip>` URI without its `?headers` part
    sip_headers: dict[str, str] = field(default_factory=dict)  # headers Twilio would send
    sip_username: str | None = None
    sip_status_callback: str | None = None  # the `<Sip statusCallback>` URL, if any
    sip_status_callback_event: str | None = None
    #: the `<Dial referUrl referMethod>` Twilio asks when the SIP far end sends a REFER (refer.py)
    refer_url: str | None = None
    refer_method: str | None = None
    dial_number: str | None = None
    say: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error_code: int | None = None  # set when neither URL gave usable TwiML

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (`from` for `from_`)."""
        data = {k: v for k, v in vars(self).items() if k not in ("from_", "attempts")}
        data["from"] = self.from_
        data["attempts"] = [vars(a) for a in self.attempts]
        data["twiml"] = next((a.twiml for a in reversed(self.attempts) if a.twiml), "")
        return data


def voice_params(call_sid: str, account_sid: str, to: str, from_: str) -> dict[str, str]:
    """The standard voice webhook parameters of an inbound call (PROVIDERS.md §3)."""
    return {
        "CallSid": call_sid,
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
        "CallStatus": "ringing",
        "ApiVersion": "2010-04-01",
        "Direction": "inbound",
    }


def new_call_sid() -> str:
    """`CA` + 32 hex, Twilio's call SID format."""
    return "CA" + secrets.token_hex(16)


def run_webhooks(call: PlacedCall, number: dict[str, Any], auth_token: str, timeout: float) -> PlacedCall:
    """Request the voice URL (then the fallback URL on failure) and read the TwiML that came back."""
    targets = [(number["voice_url"], number["voice_method"] or "POST")]
    if number.get("voice_fallback_url"):
        targets.append((number["voice_fallback_url"], number["voice_fallback_method"] or "POST"))
    params = dict(call.params)
    for url, method in targets:
        if not url:
            continue
        attempt = _request(url, method, params, auth_token, timeout)
        call.attempts.append(attempt)
        if attempt.error_code is None and _read_twiml(call, attempt):
            call.error_code = None
            return call
        call.error_code = attempt.error_code
        # The fallback request carries what went wrong with the first one.
        params = {**call.params, "ErrorCode": str(attempt.error_code), "ErrorUrl": url}
    if not call.attempts:
        call.error_code = HTTP_RETRIEVAL_FAILURE
    return call


def _request(
    url: str, method: str, params: dict[str, str], auth_token: str, timeout: float
) -> WebhookAttempt:
    validator = RequestValidator(auth_token)
    headers = {"User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": secrets.token_hex(16)}
    started = time.monotonic()
    if method.upper() == "GET":
        parts = urlsplit(url)
        query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
        url = urlunsplit(parts._replace(query=query))
        signature = validator.compute_signature(url, {})
        request_kwargs: dict[str, Any] = {}
    else:
        signature = validator.compute_signature(url, params)
        request_kwargs = {"data": params}
    attempt = WebhookAttempt(url=url, method=method.upper(), signature=signature)
    headers["X-Twilio-Signature"] = signature
    try:
        response = httpx.request(method.upper(), url, headers=headers, timeout=timeout, **request_kwargs)
    except httpx.TimeoutException as error:
        attempt.error_code, attempt.error = HTTP_RETRIEVAL_FAILURE, f"timed out after {timeout}s: {error}"
        return attempt
    except httpx.TransportError as error:
        attempt.error_code, attempt.error = HTTP_CONNECTION_FAILURE, f"connection failure: {error}"
        return attempt
    attempt.status, attempt.twiml = response.status_code, response.text
    if response.status_code >= 400:
        attempt.error_code = HTTP_RETRIEVAL_FAILURE
        attempt.error = f"HTTP {response.status_code} after {time.monotonic() - started:.3f}s"
    return attempt


def _read_twiml(call: PlacedCall, attempt: WebhookAttempt) -> bool:
    """Fill the call from the TwiML; False (with 12100) when the document is not TwiML."""
    try:
        root = ElementTree.fromstring(attempt.twiml)
    except ElementTree.ParseError as error:
        attempt.error_code, attempt.error = DOCUMENT_PARSE_FAILURE, f"TwiML parse failure: {error}"
        return False
    if root.tag != "Response":
        attempt.error_code, attempt.error = (
            DOCUMENT_PARSE_FAILURE,
            f"root element is <{root.tag}>, not <Response>",
        )
        return False
    call.say = [(verb.text or "").strip() for verb in root.iter("Say")]
    dial = root.find("Dial")
    if dial is None:
        return True
    call.refer_url = dial.get("referUrl")
    call.refer_method = dial.get("referMethod")
    sip = dial.find("Sip")
    number = dial.find("Number")
    if sip is not None:
        _read_sip(call, (sip.text or "").strip())
        call.sip_username = sip.get("username")
        call.sip_status_callback = sip.get("statusCallback")
        call.sip_status_callback_event = sip.get("statusCallbackEvent")
    elif number is not None:
        call.dial_number = (number.text or "").strip()
    elif (dial.text or "").strip():
        call.dial_number = (dial.text or "").strip()
    return True


def _read_sip(call: PlacedCall, uri: str) -> None:
    """Split `sip:...?X-A=1&X-B=2` into the URI and the headers Twilio would actually send."""
    base, _, header_part = uri.partition("?")
    call.sip_uri = base
    if not header_part:
        return
    if len(header_part) >= MAX_HEADERS_PART:
        call.warnings.append({"code": 21227, "message": f"SIP headers part is {len(header_part)} characters"})
        return
    for name, value in parse_qsl(header_part, keep_blank_values=True):
        lowered = name.lower()
        custom = lowered.startswith("x-") and not lowered.startswith("x-twilio")
        if not _HEADER_NAME.match(name) or not (custom or lowered in ALLOWED_PLAIN_HEADERS):
            call.warnings.append(
                {"code": 32111, "message": f"SIP header {name!r} dropped: not an allowed name"}
            )
        elif any(c in value for c in "\r\n\0"):
            call.warnings.append({"code": 32112, "message": f"SIP header {name!r} dropped: illegal value"})
        else:
            call.sip_headers[name] = value
