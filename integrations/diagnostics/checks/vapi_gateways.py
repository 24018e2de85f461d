"""connect_vapi: the Vapi credential's inbound gateways must hold every address the connector sends from.

Vapi answers an INVITE from an address outside the gateways with 401 (PROVIDERS.md §2.5). A
connector sends from anywhere in its region's published signalling range (AWS.md §5.2; the
table in integrations/vendors/chime_ranges.py), so the gateways must cover the whole range.
The connector's DNS answers are the check on the table: an answer outside it means the
published ranges moved and the table is out of date (issue 12.2). For a region with no
published range the gateways must hold every current DNS answer, as before.
"""

from __future__ import annotations

import ipaddress

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.resources.connector_ips import resolve_connector_ips
from integrations.vendors.chime_ranges import as_gateway_networks, outside_ranges, signalling_ranges

TABLE = "integrations/vendors/chime_ranges.py"


class MissingGateway(Check):
    name = "missing-gateway"
    title = "Vapi gateways hold every address the connector signals from"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = (
        "Reconcile or apply the integration: Patchbay sets the credential's gateways to Chime's "
        "signalling range of the connector's region (under the report policy only an apply changes them)."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        connector = ctx.require("chime.voice_connector", "Voice Connector")
        credential_node = ctx.require("vapi.credential", "Vapi credential")
        host = str(connector.outputs.get("host") or "")
        if not host:
            raise CheckSkipped("The connector's outbound host name is not known yet: apply first.")
        region = str(connector.outputs.get("region") or ctx.account_setting("aws", "region", "us-east-1"))
        ips = resolve_connector_ips(host)
        if not ips:
            return self.problem(
                f"{host} does not resolve, so no gateway can match the connector's calls.",
                evidence=f"DNS: no A record for {host}",
                fix="Check that the Voice Connector still exists; apply the integration to recreate it.",
            )
        credential = ctx.clients.vapi.get_credential(credential_node.external_id)
        inbound = [g for g in credential.gateways if g.inbound_enabled and _numeric(g.ip)]
        networks = [ipaddress.ip_network(f"{g.ip}/{g.netmask}", strict=False) for g in inbound]
        shown = ", ".join(f"{g.ip}/{g.netmask}" for g in inbound) or "none"
        ranges = signalling_ranges(region)
        if ranges is None:
            return self._dns_only(host, ips, networks, shown)
        evidence = (
            f"Chime's signalling range for {region}: {', '.join(ranges)}; {host} resolves to "
            f"{', '.join(ips)}; inbound gateways: {shown}"
        )
        uncovered = [
            str(n)
            for n in as_gateway_networks(ranges)
            if not any(n.subnet_of(g) for g in networks if g.version == 4)
        ]
        if uncovered:
            return self.problem(
                f"The Vapi credential's gateways miss part of Chime's signalling range for {region} "
                f"({', '.join(uncovered)}): the connector sends from anywhere in it, and Vapi refuses "
                "calls from the missing addresses with 401 Unauthorized.",
                evidence=evidence,
            )
        strays = outside_ranges(ips, ranges)
        if strays:
            return self.problem(
                f"{host} resolves to {', '.join(strays)}, outside Chime's published signalling range for "
                f"{region}: AWS has moved its ranges, and calls from the new addresses get 401 at Vapi.",
                evidence=evidence,
                fix=(
                    f"Check AWS's current Voice Connector signalling ranges and update {TABLE}; then "
                    "reconcile the integration."
                ),
            )
        return self.ok(
            f"The gateways cover Chime's signalling range for {region}, and the connector's DNS answers are "
            "inside it.",
            evidence,
        )

    def _dns_only(
        self,
        host: str,
        ips: list[str],
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
        shown: str,
    ) -> Finding:
        missing = [ip for ip in ips if not any(ipaddress.ip_address(ip) in n for n in networks)]
        evidence = (
            f"{host} resolves to {', '.join(ips)} (no published range for its region); "
            f"inbound gateways: {shown}"
        )
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
