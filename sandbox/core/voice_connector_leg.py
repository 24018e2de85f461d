"""The Voice Connector's outbound leg of a simulated call: origination route → INVITE → far end.

The connector sends the INVITE to its origination route (lowest Priority,
ties split by Weight, AWS.md §1.2) from any address of its region's published
signalling range — not only from what its host name resolves to (AWS.md §5.2;
Vapi's Chime guide: allow the whole range), so a far end that allows only the
DNS answers refuses some calls. The Chime stand-in's `connector_source_ip`
option pins the address for a test. A host name that no longer resolves
(`PUT /_sandbox/dns/<id>` with no address) still means no call. The far
end is the stand-in serving the route's host: `<credential-id>.sip.vapi.ai` →
Vapi (`sip_invite`), `sip[.us|.eu].synthflow.ai` → Synthflow; any other host
does not answer (408).
"""

from __future__ import annotations

import random
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.aws.chime.signalling import source_address
from sandbox.core.sip_ladder import Dialog, SipMessage, write_sip_log

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

_VAPI_HOST = re.compile(r"^[^.]+\.sip(\.eu)?\.vapi\.ai$")
_SYNTHFLOW_HOST = re.compile(r"^sip(\.us|\.eu)?\.synthflow\.ai$")


@dataclass
class LegResult:
    """What happened on the connector's leg toward the far end."""

    status: int
    reason: str
    connector_id: str = ""
    far_end: str = ""
    request_uri: str = ""
    source_ip: str = ""
    delivered_headers: dict[str, str] = field(default_factory=dict)
    messages: list[SipMessage] = field(default_factory=list)
    sip_log_group: str | None = None
    connector_call_id: str = ""  # the connector's own call id (the SIP log's call_id), not the SIP Call-ID
    detail: str = ""


def _pick_route(routes: list[dict[str, Any]]) -> dict[str, Any]:
    best = min(int(r.get("Priority") or 1) for r in routes)
    tied = [r for r in routes if int(r.get("Priority") or 1) == best]
    return random.choices(tied, weights=[int(r.get("Weight") or 1) for r in tied])[0]


def _far_end(sandbox: Sandbox, host: str) -> tuple[str, Any]:
    for name, pattern in (("vapi", _VAPI_HOST), ("synthflow", _SYNTHFLOW_HOST)):
        if pattern.match(host) and sandbox.has_stand_in(name):
            return name, sandbox.stand_in(name)
    return "", None


def bridge_to_origination(
    sandbox: Sandbox,
    connector: Any,
    *,
    uri_user: str,
    caller_id: str,
    headers: dict[str, str],
    duration_ms: int,
) -> LegResult:
    """INVITE the connector's origination target and return the SIP outcome (and log it if enabled)."""
    with sandbox.lock:
        origination = dict(connector.origination or {})
        logging_config = dict(connector.logging or {})
        ips = sandbox.dns.get(connector.host) or []
    routes = [r for r in origination.get("Routes") or [] if r.get("Host")]
    if origination.get("Disabled") or not routes:
        return LegResult(
            480,
            "Temporarily Unavailable",
            connector.id,
            detail="the Voice Connector has no enabled origination route",
        )
    if not ips:
        return LegResult(
            480, "Temporarily Unavailable", connector.id, detail=f"{connector.host} has no address"
        )
    route = _pick_route(routes)
    host, port = str(route["Host"]).lower(), int(route.get("Port") or 5060)
    transport = str(route.get("Protocol") or "UDP").upper()
    request_uri = f"sip:{uri_user}@{host}:{port}" + (";transport=tcp" if transport == "TCP" else "")
    source_ip = source_address(connector.region, sandbox.stand_in("chime").connector_source_ip)
    far_end, stand_in = _far_end(sandbox, host)
    if stand_in is None:
        status, reason = 408, "Request Timeout"
        detail = f"nothing in the sandbox answers SIP at {host}"
    else:
        with sandbox.lock:
            status, reason = stand_in.sip_invite(request_uri, source_ip, dict(headers))
        detail = ""
    dialog = Dialog(
        request_uri=request_uri,
        transport=transport,
        connector_ip=source_ip,
        far_host=host,
        far_port=port,
        caller_id=caller_id,
        callee=uri_user,
        headers=headers,
    )
    messages = dialog.ladder(int(time.time() * 1000), status, reason, duration_ms)
    result = LegResult(
        status=status,
        reason=reason,
        connector_id=connector.id,
        far_end=far_end or host,
        request_uri=request_uri,
        source_ip=source_ip,
        delivered_headers=dict(headers) if status == 200 else {},
        messages=messages,
        connector_call_id=str(uuid.uuid4()),
        detail=detail,
    )
    if logging_config.get("EnableSIPLogs"):
        result.sip_log_group = write_sip_log(
            sandbox,
            connector_id=connector.id,
            region=connector.region,
            call_id=result.connector_call_id,
            messages=messages,
        )
    return result
