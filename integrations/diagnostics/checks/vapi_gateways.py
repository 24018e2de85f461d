"""connect_vapi: the Vapi credential's inbound gateways must hold every signalling IP of the connector.

Vapi answers an INVITE from an address outside the gateways with 401 (PROVIDERS.md
§2.5); the connector's addresses are only published in DNS and they move
(AWS.md §5.2), so the check resolves them now rather than trusting the last apply.
"""

from __future__ import annotations

import ipaddress

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.resources.connector_ips import resolve_connector_ips


class MissingGateway(Check):
    name = "missing-gateway"
    title = "Vapi gateways hold every connector signalling IP"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = (
        "Reconcile or apply the integration: Patchbay sets the credential's gateways to the connector's "
        "current signalling IPs (under the report policy only an apply changes them)."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        connector = ctx.require("chime.voice_connector", "Voice Connector")
        credential_node = ctx.require("vapi.credential", "Vapi credential")
        host = str(connector.outputs.get("host") or "")
        if not host:
            raise CheckSkipped("The connector's outbound host name is not known yet: apply first.")
        ips = resolve_connector_ips(host)
        if not ips:
            return self.problem(
                f"{host} does not resolve, so no gateway can match the connector's calls.",
                evidence=f"DNS: no A record for {host}",
                fix="Check that the Voice Connector still exists; apply the integration to recreate it.",
            )
        credential = ctx.clients.vapi.get_credential(credential_node.external_id)
        inbound = [g for g in credential.gateways if g.inbound_enabled]
        networks = [
            ipaddress.ip_network(f"{g.ip}/{g.netmask}", strict=False) for g in inbound if _numeric(g.ip)
        ]
        missing = [ip for ip in ips if not any(ipaddress.ip_address(ip) in n for n in networks)]
        gateways = ", ".join(f"{g.ip}/{g.netmask}" for g in inbound) or "none"
        evidence = f"{host} resolves to {', '.join(ips)}; inbound gateways: {gateways}"
        if missing:
            return self.problem(
                f"The Vapi credential's gateways miss {len(missing)} of the connector's {len(ips)} "
                f"signalling IPs ({', '.join(missing)}): Vapi refuses calls from them with 401 Unauthorized.",
                evidence=evidence,
            )
        return self.ok(
            f"All {len(ips)} signalling IPs of the connector are gateways of the credential.", evidence
        )


def _numeric(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
