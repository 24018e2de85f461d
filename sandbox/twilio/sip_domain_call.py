"""An INVITE to a Twilio SIP Domain (`<name>.sip.twilio.com`), as Twilio handles it: Synthflow's warm
transfer dials its number's termination URI with a new INVITE whose Request-URI user is the target.

Sources (twilio.com):
- /docs/voice/sip/api/sip-domain-resource and /docs/api/twilio-sip/sip-domains: a domain routes to the
  account that reserved it; "if auth_type is not defined, the domain will not be able to receive any
  traffic"; an authenticated INVITE makes Twilio request the domain's Voice URL, the Request-URI in
  `To`, with SIP parameters such as `SipDomain`, `SipDomainSid`, `SipCallId`, `SipSourceIp`.
- /docs/voice/sip/api/sip-ipaccesscontrollistmapping-resource: "When an INVITE is received for a SIP
  Domain, the source IP address must be in one of the mapped lists to be accepted."
- /docs/voice/twiml/reject: `<Reject>` refuses the call without answering it (reason `rejected`, the
  default, or `busy`).

UNCONFIRMED: the SIP statuses Twilio answers. The sandbox answers 404 for a host that is no domain
(like the placeholder `sip.twilio.com`), 403 for a source outside every mapped list (or no mapping),
603 Decline for `<Reject>` (486 Busy Here for reason busy), 500 when the Voice URL gave no TwiML.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from typing import Any
from xml.etree import ElementTree

from sandbox.twilio.sip import acl_networks
from sandbox.twilio.voice_call import PlacedCall, new_call_sid, run_webhooks, voice_params

_REQUEST_URI = re.compile(r"^sips?:(?P<user>[^@;>]+)@(?P<host>[^:;>?]+)", re.IGNORECASE)


def parse_request_uri(uri: str) -> tuple[str, str] | None:
    """(user, host) of a `sip:user@host[:port]` URI, the host lower-cased; None when it is not one."""
    match = _REQUEST_URI.match(uri.strip())
    if match is None:
        return None
    return match.group("user"), match.group("host").lower()


def route_invite(
    domains: list[dict[str, Any]], acls: dict[str, dict[str, Any]], host: str, source_ip: str
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the domain the INVITE reaches, or None; the SIP answer so far): 404 for an unknown host, 403 for
    a source address no mapped list holds. An empty answer means the INVITE is accepted."""
    domain = next((d for d in domains if d["domain_name"] == host), None)
    if domain is None:
        return None, {"status": 404, "reason": "Not Found (no Twilio SIP Domain of that name)"}
    try:
        source = ipaddress.IPv4Address(source_ip)
    except ValueError:
        return domain, {"status": 403, "reason": "Forbidden (source is no IPv4 address)"}
    allowed = any(source in network for sid in domain["call_acls"] for network in acl_networks(acls[sid]))
    if not allowed:
        reason = (
            "no IpAccessControlList is mapped for calls" if not domain["call_acls"] else "source not in ACL"
        )
        return domain, {"status": 403, "reason": f"Forbidden ({reason})"}
    return domain, {}


def domain_params(
    call_sid: str, domain: dict[str, Any], request_uri: str, from_uri: str, source_ip: str
) -> dict[str, str]:
    """The voice parameters of a call to a SIP Domain: `To` is the Request-URI, plus the Sip* ones."""
    params = voice_params(call_sid, domain["account_sid"], request_uri, from_uri)
    params.update(
        SipDomain=domain["domain_name"],
        SipDomainSid=domain["sid"],
        SipCallId=f"{secrets.token_hex(16)}@{source_ip}",
        SipSourceIp=source_ip,
    )
    return params


def run_domain_call(
    domain: dict[str, Any], request_uri: str, from_uri: str, source_ip: str, auth_token: str, timeout: float
) -> dict[str, Any]:
    """Request the domain's Voice URL (then its fallback), signed, and read what the TwiML did."""
    call_sid = new_call_sid()
    params = domain_params(call_sid, domain, request_uri, from_uri, source_ip)
    placed = PlacedCall(call_sid, domain["account_sid"], request_uri, from_uri, params)
    urls = {
        "voice_url": domain.get("voice_url") or "",
        "voice_method": domain.get("voice_method") or "POST",
        "voice_fallback_url": domain.get("voice_fallback_url") or "",
        "voice_fallback_method": domain.get("voice_fallback_method") or "POST",
    }
    result = run_webhooks(placed, urls, auth_token, timeout).as_dict()
    answer: dict[str, Any] = {"call": result, "dialled": None, "rejected": False}
    if result["error_code"] is not None:
        answer.update(status=500, reason="Server Internal Error (the Voice URL gave no TwiML)")
        return answer
    reject = _reject_reason(result["twiml"])
    if reject is not None:
        status = (486, "Busy Here") if reject == "busy" else (603, "Decline")
        answer.update(status=status[0], reason=status[1], rejected=True)
    elif result["dial_number"] or result["sip_uri"]:
        answer.update(status=200, reason="OK", dialled=result["dial_number"] or result["sip_uri"])
    else:
        answer.update(status=200, reason="OK (answered, nothing dialled)")
    return answer


def _reject_reason(twiml: str) -> str | None:
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        return None
    reject = root.find("Reject")
    return None if reject is None else (reject.get("reason") or "rejected")
