"""`POST /_sandbox/calls {"via": "genesys"}`: Architect's Transfer to Number out of a Genesys org.

Body: `{"via": "genesys", "from": "<caller E.164>", "to": "<number E.164>", "headers": {"X-EI":
"E.crm-42;", ...}, "org_id": "<org>"}` (`org_id` may be left out while the sandbox has one org).

The call is routed as Genesys routes an external call (PROVIDERS.md §4.3; Genesys's "Number plan
information" and "Sites overview" pages):

1. It is placed from the org's default site, the customer's own site.
2. The site's number plans, in priority order, classify `to` (`number_plans.classify`).
3. The enabled outbound route of the site that holds that classification carries the call over its
   first live, enabled trunk (SEQUENTIAL order; RANDOM picks any).
4. The managed `PureCloud Voice - AWS` trunk hands the call to the PSTN, which is not simulated
   (`far_end: "pstn"`, 480). A BYOC trunk INVITEs `sip:<to>@<host>:<port of the first server of
   trunk_transport_serverProxyList>` over the trunk's transport (`;transport=tls` for TLS), with the
   caller in From, `x-inin-cnv` (the conversation id) and the given headers. The host is the
   trunk's Outbound SIP Termination FQDN; without one it is the address the server's name resolves
   to, and Synthflow's edge, which wants its host name in the Request-URI ([SF-doc:connect-over-sip],
   PROVIDERS.md §1.6), answers 404.
5. Only Synthflow's edge (`SynthflowStandIn.sip_invite`) answers behind a trunk. When the Synthflow
   number holds trunk credentials, Synthflow challenges with the digest realm `sip.synthflow.ai`
   (seed 004; Synthflow's inbound auth is otherwise undocumented, §1.9) and the trunk answers only
   when its configured realm is that realm and its user/password are the number's: else 401.

Answer (every one carries `far_end`: "synthflow", "pstn", the server's host, or "" when no SIP left):
`{"status", "reason", "detail", "far_end", "site": {id, name}, "classification", "route": {id, name},
"trunk": {id, name}, "request_uri", "sent_headers", "auth_username", "sip_call_id", "synthflow":
<received call record> | None}`. A call that sent SIP leaves its messages in the org's SIP trace
search (`call_traces.py`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.core.sip_uri import parse_sip_uri
from sandbox.genesys import call_traces, number_plans

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
#: where a Genesys BYOC Cloud media/signalling leg leaves from in the sandbox (documentation range)
GENESYS_SIGNALLING_IP = "203.0.113.80"
#: the address of Synthflow's SIP edge as the trunk's SIP trace shows it (documentation range)
SYNTHFLOW_SIGNALLING_IP = "198.51.100.32"
#: the address any other server name resolves to for the trunk (documentation range)
OTHER_SERVER_IP = "198.51.100.99"
SYNTHFLOW_PORTS = (32681, 32682)
#: the digest realm Synthflow challenges with (seed 004's trunk settings)
SYNTHFLOW_REALM = "sip.synthflow.ai"
OUTBOUND_FQDN = "trunk_sip_termination_outbound_fqdn"
_FIELDS = {"via", "from", "to", "headers", "org_id"}


class GenesysCallError(ValueError):
    """A request the control API refuses, with its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def run_genesys_call(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """Simulate one call that Architect transfers out of a Genesys org, routed as Genesys routes it."""
    caller, callee = _checked(body)
    extra = body.get("headers") or {}
    for vendor in ("genesys", "synthflow"):
        if not sandbox.has_stand_in(vendor):
            raise GenesysCallError(501, f"the {vendor} stand-in is not served")
    gc: Any = sandbox.stand_in("genesys")
    sf: Any = sandbox.stand_in("synthflow")
    answer: dict[str, Any] = {
        "far_end": "", "site": None, "classification": None, "route": None, "trunk": None,
        "sip_call_id": None, "request_uri": "", "sent_headers": {}, "auth_username": None, "synthflow": None,
    }  # fmt: skip
    with gc._lock:
        org_id = _org(gc, body)
        site = gc.sites[gc.orgs[org_id]["site_id"]]
        answer["site"] = {"id": site["id"], "name": site["name"]}
        plan = number_plans.classify(gc.number_plans[site["id"]], callee, site["country_code"])
        if plan is None:
            return _answer(
                answer, 404, "Not Found", f"no number plan of site {site['name']} classifies {callee}"
            )
        answer["classification"] = plan["classification"]
        classification = plan["classification"]
        route = next(
            (r for r in gc.outbound_routes.values()
             if r["site_id"] == site["id"] and r["enabled"] and classification in r["classificationTypes"]),
            None,
        )  # fmt: skip
        if route is None:
            detail = f"no enabled outbound route of site {site['name']} has classification {classification}"
            return _answer(answer, 404, "Not Found", detail)
        answer["route"] = {"id": route["id"], "name": route["name"]}
        usable = [
            t for t in (gc.trunkbases.get(i) for i in route["trunk_ids"])
            if t and t["state"] == "active" and t["instances"].get("trunk_enabled", True)
        ]  # fmt: skip
        if not usable:
            return _answer(answer, 503, "Service Unavailable", f"route {route['name']} has no active trunk")
        chosen = random.choice(usable) if route["distribution"] == "RANDOM" else usable[0]
        trunk = {**chosen, "instances": dict(chosen["instances"])}
    answer["trunk"] = {"id": trunk["id"], "name": trunk["name"]}
    if trunk["managed"]:
        answer["far_end"] = "pstn"
        detail = f"the call left over {trunk['name']} to the PSTN, which the sandbox does not simulate"
        return _answer(answer, 480, "Temporarily Unavailable", detail)
    return _over_byoc_trunk(gc, sf, trunk, answer, caller, callee, extra)


def _checked(body: dict[str, Any]) -> tuple[str, str]:
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise GenesysCallError(
            400, f"unknown field(s) {', '.join(unknown)}: Genesys picks the trunk through the site's number "
            "plans and outbound routes"
        )  # fmt: skip
    caller, callee = body.get("from"), body.get("to")
    for name, value in (("from", caller), ("to", callee)):
        if not isinstance(value, str) or not _E164.match(value):
            raise GenesysCallError(400, f"'{name}' must be an E.164 number such as +15105550101")
    extra = body.get("headers") or {}
    if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
        raise GenesysCallError(400, "'headers' must be an object of strings")
    return str(caller), str(callee)


def _org(gc: Any, body: dict[str, Any]) -> str:
    org_id = body.get("org_id")
    if org_id is not None:
        if org_id not in gc.orgs:
            raise GenesysCallError(404, f"no Genesys org {org_id}")
        return str(org_id)
    if len(gc.orgs) != 1:
        raise GenesysCallError(400, f"the sandbox has {len(gc.orgs)} Genesys orgs: name one with 'org_id'")
    return str(next(iter(gc.orgs)))


def _over_byoc_trunk(
    gc: Any, sf: Any, trunk: dict[str, Any], answer: dict[str, Any], caller: str, callee: str,
    extra: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    values = trunk["instances"]
    servers = values.get("trunk_transport_serverProxyList") or []
    if not servers:
        return _answer(answer, 503, "Service Unavailable", "the trunk has no SIP server")
    transport = str(values.get("trunk_transport_protocolVariant") or "udp")
    server = parse_sip_uri(f"sip:{servers[0]}")
    server_host = server.host if server else str(servers[0])
    port = server.port if server and server.port else 5060
    synthflow_edge = server_host.endswith("synthflow.ai") and port in SYNTHFLOW_PORTS
    resolved = SYNTHFLOW_SIGNALLING_IP if synthflow_edge else OTHER_SERVER_IP
    host = str(values.get(OUTBOUND_FQDN) or "") or resolved
    request_uri = f"sip:{callee}@{host}:{port}" + (";transport=tls" if transport == "tls" else "")
    headers = {"x-inin-cnv": str(uuid.uuid4()), **{str(k): v for k, v in extra.items()}}
    answer.update(request_uri=request_uri, sent_headers=headers, far_end=server_host)
    leg = call_traces.TrunkLeg(
        caller=caller, callee=callee, request_uri=request_uri, far_host=host, far_ip=resolved,
        far_port=port, own_ip=GENESYS_SIGNALLING_IP, transport=transport, headers=headers,
        conversation_id=headers["x-inin-cnv"],
    )  # fmt: skip
    answer["sip_call_id"] = leg.call_id
    if not synthflow_edge:
        # Only Synthflow's edge is simulated behind a trunk: any other server does not answer.
        _trace(gc, trunk, call_traces.unanswered(leg))
        return _answer(answer, 408, "Request Timeout", f"nobody answers at {servers[0]}")
    answer["far_end"] = "synthflow"
    refused = _digest_check(sf, callee, values)
    answer["auth_username"] = values.get("trunk_sip_authentication_credentials_username") or None
    writer = call_traces.TraceWriter(leg)
    at, authorization = 0, ""
    if _challenges(sf, callee):
        at = call_traces.challenge(writer, 0, SYNTHFLOW_REALM)
        user = values.get("trunk_sip_authentication_credentials_username") or ""
        password = values.get("trunk_sip_authentication_credentials_password") or ""
        realm = values.get("trunk_sip_authentication_credentials_realm") or ""
        if user and password and realm == SYNTHFLOW_REALM:
            authorization = call_traces.authorization(writer, user, SYNTHFLOW_REALM, str(password))
            if refused:  # the credentials are sent and challenged again
                call_traces.challenge(writer, at, SYNTHFLOW_REALM, authorization=authorization)
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


def _number(sf: Any, callee: str) -> dict[str, Any] | None:
    return next((n for n in sf.numbers.values() if n["phone_number"] == callee), None)


def _challenges(sf: Any, callee: str) -> bool:
    """True when Synthflow asks for digest credentials on calls to `callee` (the number holds some)."""
    with sf._lock:
        number = _number(sf, callee)
        return bool(number and number.get("trunk_username"))


def _digest_check(sf: Any, callee: str, values: dict[str, Any]) -> str:
    """Why Synthflow's digest challenge fails for this trunk, or "" when it passes (or none is asked)."""
    with sf._lock:
        number = _number(sf, callee)
        if number is None or not number.get("trunk_username"):
            return ""
        user = values.get("trunk_sip_authentication_credentials_username") or ""
        password = values.get("trunk_sip_authentication_credentials_password") or ""
        realm = values.get("trunk_sip_authentication_credentials_realm") or ""
        if not user or not password:
            return "Synthflow challenged the INVITE and the trunk has no digest credentials"
        if realm != SYNTHFLOW_REALM:
            return (
                f"Synthflow challenged the INVITE in realm {SYNTHFLOW_REALM} and the trunk holds credentials "
                f"for realm {realm or '(none)'} only"
            )
        if user != number["trunk_username"] or not secrets.compare_digest(
            str(password), str(number.get("trunk_pwd") or "")
        ):
            return (
                "Synthflow challenged the INVITE and the trunk's digest credentials do not match the number's"
            )
    return ""


def _answer(answer: dict[str, Any], status: int, reason: str, detail: str) -> dict[str, Any]:
    return {"status": status, "reason": reason, "detail": detail, **answer}
