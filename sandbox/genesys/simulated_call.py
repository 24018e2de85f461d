"""`POST /_sandbox/calls {"via": "genesys"}`: an Architect transfer out of a BYOC Cloud trunk to Synthflow.

Body: `{"via": "genesys", "from": "<caller E.164>", "to": "<number E.164>",
"trunk": "<trunk base name or id>", "headers": {"X-EI": "E.crm-42;", ...}}`.

The call follows what Genesys does with a Transfer to Number (PROVIDERS.md §4.2, §4.3):

1. The trunk must be a live, enabled EXTERNAL trunk that an enabled outbound route of its
   site lists: Architect places external calls through the site's outbound routes.
2. Genesys INVITEs `sip:<to>@<first server of trunk_transport_serverProxyList>` over the
   trunk's transport (`;transport=tls` for TLS), with the caller in From, `x-inin-cnv`
   (the conversation id) and the given headers.
3. The far end here is Synthflow's SIP edge (`SynthflowStandIn.sip_invite`). When the
   Synthflow number holds trunk credentials, Synthflow challenges the INVITE and Genesys
   answers with the trunk's digest realm/user/password: credentials that differ (or none) get
   401 (sandbox choice: Synthflow's inbound auth is not documented, §1.9).

Answer: `{"status", "reason", "detail", "trunk": {id, name}, "route": {id, name},
"request_uri", "sent_headers", "auth_username", "sip_call_id", "synthflow": <received call record> | None}`.
A call that sent SIP leaves its messages in the org's SIP trace search (`call_traces.py`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.core.sip_uri import parse_sip_uri
from sandbox.genesys import call_traces

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
#: where a Genesys BYOC Cloud media/signalling leg leaves from in the sandbox (documentation range)
GENESYS_SIGNALLING_IP = "203.0.113.80"
#: the address of Synthflow's SIP edge as the trunk's SIP trace shows it (documentation range)
SYNTHFLOW_SIGNALLING_IP = "198.51.100.32"
SYNTHFLOW_PORTS = (32681, 32682)


class GenesysCallError(ValueError):
    """A request the control API refuses, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def run_genesys_call(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Simulate one Genesys → trunk → Synthflow call on the sandbox's state."""
    caller, callee, trunk_ref = body.get("from"), body.get("to"), body.get("trunk")
    for name, value in (("from", caller), ("to", callee)):
        if not isinstance(value, str) or not _E164.match(value):
            raise GenesysCallError(400, f"'{name}' must be an E.164 number such as +15105550101")
    if not isinstance(trunk_ref, str) or not trunk_ref:
        raise GenesysCallError(400, "'trunk' must be the name or id of a Genesys trunk base")
    extra = body.get("headers") or {}
    if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
        raise GenesysCallError(400, "'headers' must be an object of strings")
    for vendor in ("genesys", "synthflow"):
        if not sandbox.has_stand_in(vendor):
            raise GenesysCallError(501, f"the {vendor} stand-in is not served")
    gc: Any = sandbox.stand_in("genesys")
    sf: Any = sandbox.stand_in("synthflow")

    with gc._lock:
        trunk = next(
            (
                t
                for t in gc.trunkbases.values()
                if t["state"] != "deleted" and trunk_ref in (t["id"], t["name"])
            ),
            None,
        )
        if trunk is None:
            raise GenesysCallError(404, f"no live Genesys trunk base named or with id {trunk_ref}")
        trunk = {**trunk, "instances": dict(trunk["instances"])}
        routes = [
            r
            for r in gc.outbound_routes.values()
            if r["org_id"] == trunk["org_id"] and trunk["id"] in r["trunk_ids"]
        ]
    answer: dict[str, Any] = {
        "trunk": {"id": trunk["id"], "name": trunk["name"]},
        "route": None,
        "sip_call_id": None,
        "request_uri": "",
        "sent_headers": {},
        "auth_username": None,
        "synthflow": None,
    }
    values = trunk["instances"]
    if trunk["state"] != "active" or not values.get("trunk_enabled", True):
        return _answer(answer, 503, "Service Unavailable", f"trunk {trunk['name']} is not active")
    enabled = [r for r in routes if r["enabled"]]
    if not enabled:
        detail = (
            f"no enabled outbound route lists trunk {trunk['name']}: Architect cannot place the call"
            if routes
            else f"trunk {trunk['name']} is on no outbound route: Architect cannot place the call"
        )
        return _answer(answer, 404, "Not Found", detail)
    answer["route"] = {"id": enabled[0]["id"], "name": enabled[0]["name"]}
    servers = values.get("trunk_transport_serverProxyList") or []
    if not servers:
        return _answer(answer, 503, "Service Unavailable", "the trunk has no SIP server")
    transport = values.get("trunk_transport_protocolVariant") or "udp"
    request_uri = f"sip:{callee}@{servers[0]}" + (";transport=tls" if transport == "tls" else "")
    answer["request_uri"] = request_uri
    headers = {"x-inin-cnv": str(uuid.uuid4()), **{str(k): v for k, v in extra.items()}}
    answer["sent_headers"] = headers
    uri = parse_sip_uri(request_uri)
    leg = call_traces.TrunkLeg(
        caller=str(caller),
        callee=str(callee),
        request_uri=request_uri,
        far_host=uri.host if uri else str(servers[0]),
        far_ip=SYNTHFLOW_SIGNALLING_IP,
        far_port=(uri.port if uri and uri.port else 5060),
        own_ip=GENESYS_SIGNALLING_IP,
        transport=str(transport),
        headers=headers,
        conversation_id=headers["x-inin-cnv"],
    )
    answer["sip_call_id"] = leg.call_id
    if uri is None or uri.port not in SYNTHFLOW_PORTS or not uri.host.endswith("synthflow.ai"):
        # Only Synthflow's edge is simulated behind a trunk: any other server does not answer.
        _trace(gc, trunk, call_traces.unanswered(leg))
        return _answer(answer, 408, "Request Timeout", f"nobody answers at {servers[0]}")

    refused = _digest_check(sf, str(callee), values)
    answer["auth_username"] = values.get("trunk_sip_authentication_credentials_username") or None
    writer = call_traces.TraceWriter(leg)
    at, authorization = 0, ""
    if _challenges(sf, str(callee)):
        at = call_traces.challenge(writer, 0, leg.far_host)
        user = values.get("trunk_sip_authentication_credentials_username") or ""
        password = values.get("trunk_sip_authentication_credentials_password") or ""
        if user and password:
            authorization = call_traces.authorization(writer, user, leg.far_host, str(password))
            if refused:  # the credentials are sent and challenged again
                call_traces.challenge(writer, at, leg.far_host, authorization=authorization)
    if refused:
        _trace(gc, trunk, leg)
        return _answer(answer, 401, "Unauthorized", refused)
    before = len(sf.received_calls)
    status, reason = sf.sip_invite(request_uri, GENESYS_SIGNALLING_IP, headers)
    with sf._lock:
        received = sf.received_calls[before:]
    answer["synthflow"] = received[-1] if received else None
    call_traces.finish(writer, at, status, reason, authorization_value=authorization)
    _trace(gc, trunk, leg)
    return _answer(answer, status, reason, "" if status == 200 else f"Synthflow answered {status} {reason}")


def _trace(gc: Any, trunk: dict[str, Any], leg: call_traces.TrunkLeg) -> None:
    """Leave the leg's SIP messages in the org's SIP trace search, the last one stamped now."""
    gc.append_sip_traces(trunk["org_id"], call_traces.stamped(leg, dt.datetime.now(dt.UTC)))


def _challenges(sf: Any, callee: str) -> bool:
    """True when Synthflow asks for digest credentials on calls to `callee` (the number holds some)."""
    with sf._lock:
        number = next((n for n in sf.numbers.values() if n["phone_number"] == callee), None)
        return bool(number and number.get("trunk_username"))


def _digest_check(sf: Any, callee: str, values: dict[str, Any]) -> str:
    """Why Synthflow's digest challenge fails for this trunk, or "" when it passes (or none is asked)."""
    with sf._lock:
        number = next((n for n in sf.numbers.values() if n["phone_number"] == callee), None)
        if number is None or not number.get("trunk_username"):
            return ""
        user = values.get("trunk_sip_authentication_credentials_username") or ""
        password = values.get("trunk_sip_authentication_credentials_password") or ""
        if not user or not password:
            return "Synthflow challenged the INVITE and the trunk has no digest credentials"
        if user != number["trunk_username"] or not secrets.compare_digest(
            str(password), str(number.get("trunk_pwd") or "")
        ):
            return (
                "Synthflow challenged the INVITE and the trunk's digest credentials do not match the number's"
            )
    return ""


def _answer(answer: dict[str, Any], status: int, reason: str, detail: str) -> dict[str, Any]:
    return {"status": status, "reason": reason, "detail": detail, **answer}
