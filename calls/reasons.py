"""Why a call failed, in words an admin can act on (the vendor guides' troubleshooting tables).

The final status alone is ambiguous: a 401 from Vapi means either digest
credentials were wrong or the source IP is missing from the credential's
gateway list (PROVIDERS.md §2.5, "missing signalling IPs → inbound 401"), so
the reason names the source IP the ladder shows and whether credentials were
sent. A 488 names the codecs that were offered; a call with no final response
says whether the far end answered at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from calls.observed import ObservedMessage, PseudoHop
from calls.sdp import offered_codecs
from calls.sip_message import SipMessage


def final_response(
    observed: Sequence[ObservedMessage],
) -> tuple[SipMessage | None, ObservedMessage | None]:
    """The call's final response (the last final answer to an INVITE, else to the first request's
    method) and the request it answered; (None, first such request) when none came."""
    requests = [o for o in observed if o.message.is_request]
    if not requests:
        return None, None
    method = "INVITE" if any(o.message.method == "INVITE" for o in requests) else requests[0].message.method
    finals = [
        o
        for o in observed
        if not o.message.is_request
        and o.message.cseq_method == method
        and (o.message.status_code or 0) >= 200
    ]
    if not finals:
        return None, next(o for o in requests if o.message.method == method)
    final = finals[-1]
    branch = final.message.vias[0].branch
    answered = [
        o
        for o in requests
        if o.message.method == method
        and o.at <= final.at
        and (not branch or o.message.vias[0].branch == branch)
    ]
    return final.message, (answered[-1] if answered else None)


def _source(request: ObservedMessage | None) -> str:
    """The address the far end saw the request come from."""
    if request is None:
        return ""
    return request.src.rsplit(":", 1)[0] if request.src else request.message.vias[0].address


def _far_end(response: SipMessage, request: ObservedMessage | None) -> str:
    if request is not None:
        return request.dst or request.message.request_host or "the far end"
    return response.to_addr.host if response.to_addr else "the far end"


def _credentials_sent(request: ObservedMessage | None, code: int) -> bool:
    if request is None:
        return False
    return bool(request.message.header("Proxy-Authorization" if code == 407 else "Authorization"))


def _called(request: ObservedMessage | None, response: SipMessage) -> str:
    if request is not None and request.message.request_uri:
        return request.message.request_uri
    return response.to_addr.uri if response.to_addr else "the called number"


def _explain_auth(code: int, far: str, source: str, request: ObservedMessage | None) -> str:
    challenge = "Proxy-Authenticate" if code == 407 else "WWW-Authenticate"
    if _credentials_sent(request, code):
        return (
            f"{far} rejected the digest credentials that were sent ({code}): the SIP username, "
            f"password or realm does not match what {far} has (answered with {challenge})."
        )
    source_text = f"the source IP {source}" if source else "the source IP"
    return (
        f"{far} did not recognise the caller ({code}): {source_text} is not on its allow list or gateway "
        f"list (e.g. the Vapi credential's gateways or the trunk's IP allow list miss {source or 'it'}), "
        "or it expects digest credentials that the sender is not configured to send."
    )


def _explain_code(code: int, response: SipMessage, request: ObservedMessage | None) -> str:
    far = _far_end(response, request)
    phrase = f"{code} {response.reason_phrase}".strip()
    if code in (401, 407):
        return _explain_auth(code, far, _source(request), request)
    if code == 403:
        source = _source(request)
        return (
            f"{far} refused the call ({phrase}): the source {source or 'address'} or the account is not "
            "allowed to call this destination (check the allow list and the number's permissions)."
        )
    if code == 404:
        return (
            f"{far} does not know {_called(request, response)} ({phrase}): the number is not imported on "
            "the far end, or it is not bound to an assistant."
        )
    if code == 480:
        return (
            f"{far} was reachable but nobody could take the call ({phrase}): the far end is unavailable "
            "(no assistant or agent attached, or it is not registered yet)."
        )
    if code in (486, 600):
        return f"{far} declined the call as busy ({phrase})."
    if code == 603:
        return f"{far} declined the call ({phrase})."
    if code in (488, 606):
        codecs = offered_codecs(request.message.body) if request is not None else []
        offer = f"the offer had {', '.join(codecs)}" if codecs else "the offer carried no audio codec"
        return f"{far} accepts none of the offered codecs ({phrase}): {offer}."
    if code == 503:
        return f"{far} (or a proxy on the way) is overloaded, down, or has no route for the call ({phrase})."
    if code == 487:
        return f"The caller hung up before {far} answered ({phrase})."
    if code == 408:
        return f"{far} gave up waiting for the next hop ({phrase})."
    return f"{far} answered {phrase}."


def explain_failure(
    observed: Sequence[ObservedMessage],
    response: SipMessage | None,
    request: ObservedMessage | None,
    pseudo_hops: Sequence[PseudoHop] = (),
) -> str:
    """A sentence saying why the call failed; '' for an answered call."""
    lambda_failure = next((hop for hop in pseudo_hops if hop.is_failure), None)
    lambda_text = f" The SMA Lambda reported: {lambda_failure.label}." if lambda_failure else ""
    if response is not None:
        code = response.status_code or 0
        if 200 <= code < 300:
            return ""
        return _explain_code(code, response, request) + lambda_text
    if request is None and lambda_failure is not None:
        return (
            f"The SMA Lambda answered {lambda_failure.label}, and the connector logged no SIP message: "
            "the caller was never bridged to the far end."
        )
    if request is None:
        return "The log holds no request of this call." + lambda_text
    target = request.dst or request.message.request_host or "the far end"
    provisional = [
        o.message.status_code
        for o in observed
        if not o.message.is_request and (o.message.status_code or 0) < 200 and o.at >= request.at
    ]
    if provisional:
        return (
            f"No final response: {target} answered {provisional[0]} but never accepted or refused the "
            f"{request.message.method} (timeout)." + lambda_text
        )
    return (
        f"No final response: {target} never answered the {request.message.method} (timeout): it is "
        "unreachable, or a firewall drops SIP from the source." + lambda_text
    )
