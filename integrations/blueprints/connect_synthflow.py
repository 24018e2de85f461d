"""connect_synthflow's resource graph (DESIGN §1; PROVIDERS.md §1; AWS.md §1.2, §5.2; seed guide 000).

Amazon Connect transfers the caller to a DID on a Voice Connector, whose
origination sends the call to Synthflow's SIP host of the workspace's region
(the Request-URI user is the DID, imported into Synthflow and bound to the
inbound assistant). Synthflow calls back out through the connector's
termination: its termination URI is the connector's outbound host name (never
`sip.synthflow.ai`), authenticated with digest credentials Patchbay generates
(`patchbay.sip_credentials`, stored encrypted) and allowed only from
Synthflow's signalling CIDRs of that region (§1.9).
"""

from __future__ import annotations

from typing import Any

from integrations.blueprints import fragments
from integrations.blueprints.fragments import synthflow_region, workspace_id
from integrations.contact_flows import synthflow_transfer_flow
from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs
from integrations.resources.sip_credentials import open_credentials
from integrations.vendors.synthflow import SIGNALLING_CIDRS, SIP_HOSTS, SIP_PORT

#: Connect's transfer timeout and the flow resuming after the agent hangs up (seed guide, step 5)
TRANSFER_TIMEOUT_SECONDS = 30


def _credentials(i: SpecInputs) -> dict[str, Any]:
    return open_credentials(i.out("sip_credentials", "sealed"))


def _phone_number(i: SpecInputs) -> dict[str, Any]:
    if i.config.get("phone_number"):
        return {"product_type": "VoiceConnector", "e164": str(i.config["phone_number"]), "existing": True}
    return {"product_type": "VoiceConnector", "area_code": str(i.config["area_code"])}


def _termination(i: SpecInputs) -> dict[str, Any]:
    credentials = _credentials(i)
    return {
        "voice_connector_id": i.out("voice_connector", "id"),
        # Synthflow's signalling sources of the workspace's region only ("allow only your region", §1.9).
        "cidr_allowed_list": list(SIGNALLING_CIDRS[synthflow_region(i)]),
        "calling_regions": ["US"],
        "cps_limit": 1,
        "disabled": False,
        "credentials": [{"username": credentials["username"], "password": credentials["password"]}],
    }


def _synthflow_number(i: SpecInputs) -> dict[str, Any]:
    credentials = _credentials(i)
    return {
        "workspace_id": workspace_id(i),
        "phone_number": i.out("phone_number", "e164"),
        # The connector's outbound host name, where Synthflow sends calls back into AWS.
        "termination_uri": i.out("voice_connector", "host"),
        "trunk_username": credentials["username"],
        "trunk_password": credentials["password"],
        "provider_name": "custom",
    }


NODES = (
    fragments.voice_connector(),
    BlueprintNode(
        "sip_credentials", "patchbay.sip_credentials", lambda i: {}, title="SIP digest credentials"
    ),
    # Chime routes offer UDP and TCP only; both use Synthflow's port 32681 (§1.6).
    fragments.connector_origination(
        lambda i: SIP_HOSTS[synthflow_region(i)],
        SIP_PORT,
        ("voice_connector",),
        "Connector origination to Synthflow",
    ),
    BlueprintNode(
        "termination",
        "chime.voice_connector_termination",
        _termination,
        ("voice_connector", "sip_credentials"),
        "Connector termination (Synthflow's signalling IPs, digest credentials)",
    ),
    fragments.connector_logging(),
    BlueprintNode(
        "phone_number", "chime.connector_phone_number", _phone_number, title="DID of the connector"
    ),
    BlueprintNode(
        "phone_number_association",
        "chime.phone_number_association",
        lambda i: {
            "voice_connector_id": i.out("voice_connector", "id"),
            "e164": i.out("phone_number", "e164"),
        },
        ("voice_connector", "phone_number"),
        "The DID assigned to the connector",
    ),
    BlueprintNode(
        "synthflow_number",
        "synthflow.custom_number",
        _synthflow_number,
        ("voice_connector", "phone_number", "sip_credentials", "termination"),
        "Synthflow custom number (termination URI = the connector's host)",
    ),
    fragments.assistant_number(),
    BlueprintNode(
        "contact_flow",
        "aws.connect_contact_flow",
        lambda i: {
            "instance_id": i.config["connect_instance_id"],
            "type": "CONTACT_FLOW",
            "description": f"Patchbay: {i.integration_name} → Synthflow",
            "content": synthflow_transfer_flow(
                did=i.out("phone_number", "e164"),
                timeout_seconds=TRANSFER_TIMEOUT_SECONDS,
            ),
        },
        ("phone_number_association", "assistant_number", "origination"),
        "Amazon Connect contact flow (transfer to the DID)",
    ),
    fragments.connect_numbers(),
)

BLUEPRINT = Blueprint(kind="connect_synthflow", nodes=NODES)
