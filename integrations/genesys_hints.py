"""What a Genesys admin needs to finish a genesys_synthflow integration by hand: the BYOC FQDN and Architect.

Patchbay provisions the trunk and its outbound route; the Architect call flow
that sends callers to Synthflow stays the customer's (Patchbay has no
Architect API access), so the integration page shows how to route to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from integrations.choices import SynthflowRegion
from integrations.vendors.genesys import byoc_fqdn
from integrations.vendors.synthflow import SIP_HOSTS, SIP_PORT, SIP_TLS_PORT

if TYPE_CHECKING:
    from integrations.models import Integration


@dataclass(frozen=True)
class GenesysHints:
    """The exact inbound FQDN, where calls go, and the Architect routing hint text."""

    fqdn: str
    synthflow_target: str
    phone_number: str
    trunk_name: str
    route_name: str
    architect_hint: str


def _node_outputs(integration: Integration, node: str) -> dict[str, Any]:
    row = integration.resources.filter(node=node).first()
    return dict(row.outputs) if row is not None and row.outputs else {}


def genesys_hints(integration: Integration) -> GenesysHints:
    """The hints for a genesys_synthflow integration (names come from the applied resources when known)."""
    config = integration.config or {}
    genesys = integration.account("genesys")
    synthflow = integration.account("synthflow")
    region = (genesys.settings.get("region") if genesys else None) or "us_west_2"
    sf_region = (synthflow.settings.get("region") if synthflow else None) or SynthflowRegion.GLOBAL
    transport = str(config.get("transport") or "udp")
    port = SIP_TLS_PORT if transport == "tls" else SIP_PORT
    identifier = str(config.get("inbound_identifier") or "")
    number = str(config.get("phone_number") or "")
    trunk = _node_outputs(integration, "trunk")
    route = _node_outputs(integration, "outbound_route")
    fqdn = trunk.get("fqdn") or byoc_fqdn(identifier, region)
    trunk_name = str(trunk.get("name") or "the Patchbay trunk")
    route_name = str(route.get("route_name") or "the site's outbound route")
    classification = str(route.get("classification") or "")
    routed = (
        f"the site's number plan {classification}, which matches only {number}, classifies it for "
        f"{route_name}"
        if classification
        else f"Genesys places it through {route_name}"
    )
    target = f"sip:{number}@{SIP_HOSTS[sf_region]}:{port}"
    hint = (
        f"In Architect, add a Transfer to Number action to your inbound call flow with {number}: "
        f"{routed}, which sends it over {trunk_name} to {target}; other calls keep their own routes. "
        f"Synthflow calls back into Genesys at {fqdn} (the trunk's Inbound SIP Termination Identifier "
        f"is '{identifier}')."
    )
    return GenesysHints(
        fqdn=fqdn,
        synthflow_target=target,
        phone_number=number,
        trunk_name=trunk_name,
        route_name=route_name,
        architect_hint=hint,
    )
