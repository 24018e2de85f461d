"""TwiML the voice webhook answers: `<Dial><Sip>` to Synthflow with headers in the URI, or the fallback.

Twilio passes custom SIP headers as the `?X-Name=value&...` part of the
`<Sip>` URI, URL-encoded, and that part must stay under 1024 characters
(warning 21227; PROVIDERS.md §3). Synthflow reads `X-EI` (`S.<call id>;`,
`E.<external id>;`) and any `X-*` header as a variable (§1.5, §1.7).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from twilio.twiml.voice_response import VoiceResponse

#: Twilio refuses a `<Sip>` URI whose headers part is 1024 characters or more (warning 21227)
SIP_HEADERS_LIMIT = 1024
X_EI = "X-EI"
# `<Sip>` status callbacks Patchbay records (Twilio's statusCallbackEvent values for the noun).
SIP_STATUS_EVENTS = "initiated ringing answered completed"
# Stands for the SIP URI in the cached `<Dial><Sip>` document; plain letters survive XML escaping.
_URI_SLOT = "PATCHBAYSIPURISLOT"
# Twilio drops a header whose value carries these (errors 32111/32112), so Patchbay never sends one.
_FORBIDDEN_IN_VALUE = ("\r", "\n", "\0")


@dataclass(frozen=True)
class SipHeaders:
    """The encoded headers part of a `<Sip>` URI, and the configured headers left out of it."""

    text: str
    #: header names dropped to keep the part under the limit, lowest priority first
    dropped: tuple[str, ...] = ()
    #: header names whose values Twilio would refuse (CR, LF, NUL)
    refused: tuple[str, ...] = ()


def _encoded(name: str, value: str) -> str:
    # `;` in X-EI must travel as %3B and `+` as %2B (a bare `+` reads as a space in a query string).
    return f"{name}={quote(value, safe='')}"


def encode_sip_headers(x_ei: str | None, headers: Iterable[tuple[str, str]]) -> SipHeaders:
    """The `X-EI=...&X-Foo=...` part, under Twilio's limit: headers are in priority order, and the
    lowest-priority ones are dropped first when it is too long; X-EI is always kept."""
    refused: list[str] = []
    parts: list[tuple[str, str]] = []
    for name, value in headers:
        if any(char in value for char in _FORBIDDEN_IN_VALUE):
            refused.append(name)
        else:
            parts.append((name, _encoded(name, value)))
    kept = [_encoded(X_EI, x_ei)] if x_ei else []
    length = len(kept[0]) if kept else -1  # -1: the first part needs no `&` before it
    fitting = 0
    for _, part in parts:
        if length + 1 + len(part) >= SIP_HEADERS_LIMIT:
            break
        length += 1 + len(part)
        fitting += 1
    kept.extend(part for _, part in parts[:fitting])
    dropped = tuple(reversed([name for name, _ in parts[fitting:]]))
    return SipHeaders(text="&".join(kept), dropped=dropped, refused=tuple(refused))


def sip_uri(number: str, host: str, port: int, headers: SipHeaders) -> str:
    """`sip:<E.164>@<host>:<port>` with the headers part, as `<Sip>` takes it."""
    uri = f"sip:{number}@{host}:{port}"
    return f"{uri}?{headers.text}" if headers.text else uri


def dial_sip(uri: str, status_callback: str, refer_url: str) -> str:
    """TwiML that bridges the call to `uri`, reports the SIP leg's progress to `status_callback`, and
    sends a REFER from the far end (Synthflow's cold transfer) to `refer_url`: without `referUrl`
    Twilio refuses the REFER (error 13802, twilio.com/docs/api/errors/13802)."""
    before, after = _dial_template(status_callback, refer_url)
    return f"{before}{escape(uri)}{after}"


@functools.lru_cache(maxsize=4096)
def _dial_template(status_callback: str, refer_url: str) -> tuple[str, str]:
    """The `<Dial><Sip>` document around its URI, built once per integration by the twilio package;
    only the URI (XML-escaped as ElementTree escapes text) changes from call to call."""
    response = VoiceResponse()
    dial = response.dial(refer_url=refer_url, refer_method="POST")
    dial.sip(
        _URI_SLOT,
        status_callback=status_callback,
        status_callback_event=SIP_STATUS_EVENTS,
        status_callback_method="POST",
    )
    before, after = str(response).split(_URI_SLOT)
    return before, after


def dial_number(number: str) -> str:
    """TwiML that dials `number` (E.164): the answer to an allowed transfer."""
    response = VoiceResponse()
    response.dial().number(number)
    return str(response)


def reject() -> str:
    """TwiML that refuses a call without answering it (a warm transfer to a number that is no target)."""
    response = VoiceResponse()
    response.reject()
    return str(response)


def fallback(config: Mapping[str, str]) -> str:
    """The integration's fallback TwiML: `{"dial": "<E.164>"}` dials a number, `{"say": text}` speaks
    and hangs up."""
    response = VoiceResponse()
    if config.get("dial"):
        response.dial(config["dial"])
    else:
        response.say(config.get("say") or "")
        response.hangup()
    return str(response)
