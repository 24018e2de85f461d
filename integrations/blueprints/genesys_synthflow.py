"""genesys_synthflow's resource graph (DESIGN §1; PROVIDERS.md §1, §4).

Genesys Cloud sends the caller over a BYOC Cloud external trunk to Synthflow's
SIP host of the workspace's region (`sip[.us|.eu].synthflow.ai:32681`, TLS
32682), which is also the trunk's Outbound SIP Termination FQDN (the
Request-URI host; seed 004); the Request-URI user is the number imported into
Synthflow and bound to the inbound assistant. Synthflow calls back into
Genesys at the trunk's BYOC FQDN (its `fqdn` output: classic or Dynamic Cloud
Voice domain), its termination URI. The trunk accepts calls only from
Synthflow's signalling CIDRs of that region (never allow-all) and
authenticates with digest credentials Patchbay generates
(`patchbay.sip_credentials`, stored encrypted) in the realm seed 004 gives,
which the Synthflow number carries too. Its calling address is the admin's
`caller_id_address`, else the integration's number (seed 004: the DID), never
empty. The trunk goes on the chosen site's outbound route: the customer's
`outbound_route_id`, or a route Patchbay owns for a classification that
matches only the integration's number, so ordinary calls keep using the org's
own PSTN route.
"""

from __future__ import annotations

from typing import Any

from integrations.blueprints import fragments
from integrations.blueprints.fragments import synthflow_region, workspace_id
from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs
from integrations.resources.sip_credentials import open_credentials
from integrations.vendors.synthflow import SIGNALLING_CIDRS, SIP_HOSTS, SIP_PORT, SIP_TLS_PORT

#: the digest realm of the trunk's credentials: seed 004's, for every Synthflow region (no source
#: gives a regional realm)
SYNTHFLOW_DIGEST_REALM = "sip.synthflow.ai"


def synthflow_server(region: str, transport: str) -> str:
    """`host:port` of Synthflow's SIP edge for a workspace region (TLS on 32682, else 32681, §1.6)."""
    return f"{SIP_HOSTS[region]}:{SIP_TLS_PORT if transport == 'tls' else SIP_PORT}"


def _trunk(i: SpecInputs) -> dict[str, Any]:
    credentials = open_credentials(i.out("sip_credentials", "sealed"))
    region = synthflow_region(i)
    transport = str(i.config.get("transport") or "udp")
    return {
        "site_id": str(i.config["site_id"]),
        "identifier": str(i.config["inbound_identifier"]),
        "outbound_fqdn": SIP_HOSTS[region],
        "servers": [synthflow_server(region, transport)],
        "transport": transport,
        # Synthflow's signalling sources of the workspace's region only (§1.9); never 0.0.0.0/0.
        "allow_list": sorted(SIGNALLING_CIDRS[region]),
        "credentials": {
            "realm": SYNTHFLOW_DIGEST_REALM,
            "username": credentials["username"],
            "password": credentials["password"],
        },
        "caller_id_name": str(i.config.get("caller_id_name") or ""),
        "caller_id_address": str(i.config.get("caller_id_address") or i.config["phone_number"]),
        "description": f"Patchbay: {i.integration_name} → Synthflow",
    }


def _synthflow_number(i: SpecInputs) -> dict[str, Any]:
    credentials = open_credentials(i.out("sip_credentials", "sealed"))
    return {
        "workspace_id": workspace_id(i),
        "phone_number": str(i.config["phone_number"]),
        # The trunk's BYOC FQDN, where Synthflow sends calls back into Genesys (never sip.synthflow.ai):
        # read from the trunk, which knows whether the org is on the Dynamic Cloud Voice platform.
        "termination_uri": i.out("trunk", "fqdn"),
        "trunk_username": credentials["username"],
        "trunk_password": credentials["password"],
        "provider_name": "custom",
    }


NODES = (
    BlueprintNode(
        "sip_credentials", "patchbay.sip_credentials", lambda i: {}, title="SIP digest credentials"
    ),
    BlueprintNode(
        "trunk",
        "genesys.trunk",
        _trunk,
        ("sip_credentials",),
        "Genesys BYOC Cloud trunk to Synthflow",
    ),
    BlueprintNode(
        "outbound_route",
        "genesys.outbound_route",
        lambda i: {
            "site_id": str(i.config["site_id"]),
            "trunk_id": i.out("trunk", "id"),
            "route_id": str(i.config.get("outbound_route_id") or ""),
            # an owned route's classification matches these numbers only (never National/International)
            "numbers": [str(i.config["phone_number"])],
            "enabled": True,
        },
        ("trunk",),
        "The trunk on the site's outbound route",
    ),
    BlueprintNode(
        "synthflow_number",
        "synthflow.custom_number",
        _synthflow_number,
        ("sip_credentials", "trunk"),
        "Synthflow custom number (termination URI = the BYOC FQDN)",
    ),
    fragments.assistant_number(),
)

BLUEPRINT = Blueprint(kind="genesys_synthflow", nodes=NODES)
