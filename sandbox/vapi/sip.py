"""Vapi's SIP edge for BYO trunks: who may INVITE `sip:<number>@<credential-id>.sip.vapi.ai`."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

from sandbox.core.sip_uri import parse_sip_uri, same_number

if TYPE_CHECKING:
    from sandbox.vapi.stand_in import VapiStandIn

# Inbound BYO URI: sip:{phoneNumber}@{credentialId}.sip.vapi.ai (EU: .sip.eu.vapi.ai), PROVIDERS.md §2.5.
_CREDENTIAL_HOST = re.compile(r"^(?P<credential>[0-9a-f-]{36})\.sip(?:\.eu)?\.vapi\.ai$")


def receive_invite(
    vapi: VapiStandIn, request_uri: str, source_ip: str, headers: dict[str, str]
) -> tuple[int, str]:
    """Answer an INVITE as Vapi's SBC would and record it in `vapi.received_calls`."""
    record: dict[str, Any] = {
        "request_uri": request_uri,
        "source_ip": source_ip,
        "credential_id": None,
        "phone_number_id": None,
        "assistant_id": None,
        "headers": {},
        "variables": {},
        "at": vapi.now(),
    }
    status, reason = _decide(vapi, request_uri, source_ip, headers, record)
    record["status"], record["reason"] = status, reason
    vapi.received_calls.append(record)
    return status, reason


def _decide(
    vapi: VapiStandIn, request_uri: str, source_ip: str, headers: dict[str, str], record: dict[str, Any]
) -> tuple[int, str]:
    uri = parse_sip_uri(request_uri)
    found = _CREDENTIAL_HOST.match(uri.host) if uri else None
    credential = vapi.credentials.get(found["credential"]) if found else None
    if uri is None or credential is None:
        return 404, "Not Found"
    record["credential_id"] = credential["id"]
    # A source outside every inbound gateway is refused: "missing signalling IPs → inbound 401" (§2.5).
    if not _source_allowed(credential, source_ip):
        return 401, "Unauthorized"
    number = next(
        (
            n
            for n in vapi.phone_numbers.values()
            if n.get("credentialId") == credential["id"] and same_number(n.get("number") or "", uri.user)
        ),
        None,
    )
    if number is None:
        return 404, "Not Found"
    record["phone_number_id"] = number["id"]
    assistant_id = number.get("assistantId")
    if assistant_id is not None and assistant_id not in vapi.assistants:
        assistant_id = None
    record["assistant_id"] = assistant_id
    if assistant_id is None and not (number.get("server") or {}).get("url"):
        # Neither an assistant nor a server to send `assistant-request` to: Vapi hangs up (§2.3).
        return 480, "Temporarily Unavailable"
    delivered = {name: value for name, value in headers.items() if name.lower().startswith("x-")}
    record["headers"] = delivered
    # `x-foo` fills {{foo}}, case-insensitively; `x-first_name` fills {{first_name}} (docs:
    # advanced/sip/sip). A community answer says hyphens become underscores (UNCONFIRMED): the
    # stricter reading keeps the name as sent, so `x-first-name` fills {{first-name}}, not {{first_name}}.
    record["variables"] = {name[2:].lower(): value for name, value in delivered.items()}
    return 200, "OK"


def _source_allowed(credential: dict[str, Any], source_ip: str) -> bool:
    try:
        source = ipaddress.IPv4Address(source_ip)
    except ValueError:
        return False
    for gateway in credential["gateways"]:
        if not gateway.get("inboundEnabled", True):
            continue
        network = ipaddress.IPv4Network(f"{gateway['ip']}/{gateway.get('netmask', 32)}", strict=False)
        if source in network:
            return True
    return False
