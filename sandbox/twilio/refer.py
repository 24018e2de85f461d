"""A SIP REFER from the far end of a `<Dial><Sip>` leg (Synthflow's cold transfer), as Twilio handles it.

Sources (twilio.com):
- /docs/voice/api/refer-to-twilio: a REFER on a `<Dial>` call makes Twilio request the
  `referUrl` of that `<Dial>` (method `referMethod`, default POST), signed like every
  webhook, with the call's parameters and the REFER's `Refer-To` contents in
  `ReferTransferTarget`; the TwiML it answers handles the transfer (e.g. `<Dial><Number>`).
  The account must have "Enhanced Programmable SIP Features" on.
- /docs/api/errors/13802 "Dial: No referUrl attribute specified": a REFER on a `<Dial>`
  without `referUrl` is refused.
- Synthflow: a cold transfer is a SIP REFER (PROVIDERS.md §1.7).

UNCONFIRMED (the pages do not say): the SIP answer to a refused REFER (the sandbox
answers 603 Decline), and what Twilio does when the referUrl answers an HTTP error
or TwiML without a `<Dial>` (the sandbox refuses the REFER with 603 and the call
with the far end goes on). An accepted REFER is answered 202 Accepted (RFC 3515).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

#: Twilio error 13802 "Dial: No referUrl attribute specified"
NO_REFER_URL = 13802
#: the webhook failed or answered no usable TwiML (Twilio's 11200 HTTP retrieval failure / 12100)
HTTP_RETRIEVAL_FAILURE, DOCUMENT_PARSE_FAILURE = 11200, 12100
ACCEPTED, DECLINED = (202, "Accepted"), (603, "Decline")
_REFER_TO = re.compile(r"^<?\s*(sip:|sips:|tel:)", re.IGNORECASE)


def refer(placed: dict[str, Any], refer_to: str, auth_token: str, timeout: float) -> dict[str, Any]:
    """What Twilio does with a REFER (Refer-To `refer_to`) on the SIP leg of `placed`: the SIP answer to
    the REFER, the referUrl request made, and where the caller was sent."""
    answer: dict[str, Any] = {
        "refer_to": refer_to,
        "status": None,
        "reason": "",
        "error_code": None,
        "refer_url": placed.get("refer_url") or "",
        "request": None,
        "transferred_to": None,
    }
    if not placed.get("sip_uri"):
        # Twilio honours a REFER only on a SIP leg (error 13801 is the <Refer> verb's form of this).
        answer.update(status=481, reason="Call/Transaction Does Not Exist")
        return answer
    if not _REFER_TO.match(refer_to or ""):
        answer.update(status=400, reason="Bad Request (Refer-To is not a SIP or tel URI)")
        return answer
    if not answer["refer_url"]:
        status, reason = DECLINED
        answer.update(status=status, reason=reason, error_code=NO_REFER_URL)
        return answer
    params = {
        **placed["params"],
        "CallStatus": "in-progress",
        "ReferTransferTarget": refer_to,
    }
    method = (placed.get("refer_method") or "POST").upper()
    url = answer["refer_url"]
    validator = RequestValidator(auth_token)
    if method == "GET":
        request_url = str(httpx.URL(url, params=params))
        signature = validator.compute_signature(request_url, {})
        kwargs: dict[str, Any] = {}
    else:
        request_url, signature, kwargs = url, validator.compute_signature(url, params), {"data": params}
    request: dict[str, Any] = {"url": request_url, "method": method, "params": params}
    answer["request"] = request
    try:
        response = httpx.request(
            method, request_url, headers={"X-Twilio-Signature": signature}, timeout=timeout, **kwargs
        )
    except httpx.HTTPError as error:
        request["error"] = str(error)
        answer.update(status=DECLINED[0], reason=DECLINED[1], error_code=HTTP_RETRIEVAL_FAILURE)
        return answer
    request.update(status=response.status_code, twiml=response.text)
    if response.status_code >= 400:
        answer.update(status=DECLINED[0], reason=DECLINED[1], error_code=HTTP_RETRIEVAL_FAILURE)
        return answer
    target = _dial_target(response.text)
    if target is None:
        answer.update(status=DECLINED[0], reason=DECLINED[1], error_code=DOCUMENT_PARSE_FAILURE)
        return answer
    answer.update(status=ACCEPTED[0], reason=ACCEPTED[1], transferred_to=target)
    return answer


def _dial_target(twiml: str) -> str | None:
    """The `<Dial>` target (`<Number>`, `<Sip>` or the bare text) of a TwiML answer, or None."""
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        return None
    dial = root.find("Dial") if root.tag == "Response" else None
    if dial is None:
        return None
    for noun in ("Number", "Sip"):
        element = dial.find(noun)
        if element is not None and (element.text or "").strip():
            return (element.text or "").strip()
    return (dial.text or "").strip() or None
