"""Synthflow's SIP edge: which INVITEs to `sip[.us|.eu].synthflow.ai:32681` reach an inbound agent."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from sandbox.core.sip_uri import parse_sip_uri
from sandbox.synthflow.calls import connect, new_call
from sandbox.synthflow.network import SIP_HOSTS, SIP_PORT, SIP_TLS_PORT

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn

# X-EI tokens, "any subset, any order, each terminated by ;" (docs: x-ei-sip-header); the published
# pattern's unescaped `.` also matches any character, so the dotted form is the one both accept.
X_EI_TOKEN = re.compile(r"(S|E|O)\.([^;]+);")
# Custom headers become variables named like the header (docs: sip-x-headers-in-prompts, §1.7).
X_HEADER_NAME = re.compile(r"^X-[A-Za-z0-9\-_]+$")
_FORBIDDEN_IN_VALUE = ("\r", "\n", "\0")


def receive_invite(
    sf: SynthflowStandIn, request_uri: str, source_ip: str, headers: dict[str, str]
) -> tuple[int, str]:
    """Answer an INVITE as Synthflow's SIP edge would and record it in `sf.received_calls`."""
    record: dict[str, Any] = {
        "request_uri": request_uri,
        "source_ip": source_ip,
        "number": None,
        "model_id": None,
        "call_id": None,
        "prepared": False,
        "variables": {},
        "dropped_headers": [],
        "external_id": None,
        "diversion": None,
        "at": sf.now(),
    }
    status, reason = _decide(sf, request_uri, headers, record)
    record["status"], record["reason"] = status, reason
    sf.received_calls.append(record)
    return status, reason


def _decide(
    sf: SynthflowStandIn, request_uri: str, headers: dict[str, str], record: dict[str, Any]
) -> tuple[int, str]:
    uri = parse_sip_uri(request_uri)
    if uri is None:
        return 400, "Bad Request"
    region = next((r for r, host in SIP_HOSTS.items() if host == uri.host), None)
    if region is None:
        return 404, "Not Found"
    # UDP/TCP on 32681, TLS on 32682 (§1.6): on any other port nobody answers.
    expected = SIP_TLS_PORT if uri.transport == "tls" else SIP_PORT
    if (uri.port or (5061 if uri.transport == "tls" else 5060)) != expected:
        return 408, "Request Timeout"
    # The Request-URI user must be the imported number in E.164, bound to an inbound agent (§1.6).
    assistant, number = sf.inbound_assistant_for(uri.user, region)
    if assistant is None or number is None:
        return 404, "Not Found"
    record["number"], record["model_id"] = number["phone_number"], assistant["model_id"]
    # Headers in the URI's `?` part are sent as real headers (RFC 3261 §19.1.5), as Twilio's <Sip> does.
    delivered = {**dict(uri.headers), **headers}
    tokens = _x_ei_tokens(delivered)
    record["external_id"], record["diversion"] = tokens.get("E"), tokens.get("O")
    variables: dict[str, str] = {}
    for name, value in delivered.items():
        if X_HEADER_NAME.match(name) and not any(c in value for c in _FORBIDDEN_IN_VALUE):
            variables[name] = value
        elif name.lower().startswith("x-"):
            record["dropped_headers"].append(name)
    record["variables"] = variables
    call = _prepared_call(sf, tokens.get("S"), assistant)
    if call is None and tokens.get("S") and sf.strict_prepared_call_id:
        return 404, "Not Found"
    if call is None:
        call = new_call(
            sf,
            assistant,
            status="in-progress",
            type_of_call="inbound",
            phone_number_from=_caller(delivered),
            phone_number_to=number["phone_number"],
            variables={},
        )
    else:
        record["prepared"] = True
    connect(call, variables)
    call["external_id"], call["diversion"] = record["external_id"], record["diversion"]
    record["call_id"] = call["call_id"]
    return 200, "OK"


def _caller(headers: dict[str, str]) -> str:
    """The user part of the From header (`"Ada" <sip:+1206...@host>;tag=x` → `+1206...`), else ""."""
    value = next((v for k, v in headers.items() if k.lower() == "from"), "")
    found = re.search(r"sips?:([^@;>]+)@", value)
    return found.group(1) if found else ""


def _x_ei_tokens(headers: dict[str, str]) -> dict[str, str]:
    value = next((v for k, v in headers.items() if k.lower() == "x-ei"), "")
    return {kind: token for kind, token in X_EI_TOKEN.findall(value)}


def _prepared_call(
    sf: SynthflowStandIn, call_id: str | None, assistant: dict[str, Any]
) -> dict[str, Any] | None:
    """The registered, unexpired call `call_id` prepared for this assistant, or None."""
    call = sf.calls.get(call_id) if call_id else None
    if call is None or call["status"] != "registered" or call["model_id"] != assistant["model_id"]:
        return None
    ttl = sf.prepared_call_ttl_seconds
    if ttl > 0 and time.time() - call["prepared_at"] > ttl:
        return None
    return call
