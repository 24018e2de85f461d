"""Node fragments several kinds share, each written once (issue 14 step 3).

- the Voice Connector and its SIP logging (connect_vapi, connect_synthflow);
- the connector's origination to an agent's SIP host (connect_vapi to Vapi, connect_synthflow to
  Synthflow: only the host, port and title differ);
- the Synthflow workspace's region and id, and the number attached to the inbound assistant
  (connect_synthflow, genesys_synthflow, twilio_synthflow);
- the Connect phone numbers routed to the contact flow (both Connect kinds).
"""

from __future__ import annotations

from collections.abc import Callable

from integrations.choices import SynthflowRegion
from integrations.engine.blueprint import BlueprintNode, SpecInputs


def aws_region(i: SpecInputs) -> str:
    """The AWS account's region: where the connector, Lambdas and SIP media application live."""
    return str(i.accounts["aws"].get("region", "us-east-1"))


def synthflow_region(i: SpecInputs) -> str:
    """The Synthflow workspace's region (global, us, eu): it picks the SIP host and the allow list."""
    return str(i.accounts.get("synthflow", {}).get("region") or SynthflowRegion.GLOBAL)


def workspace_id(i: SpecInputs) -> str:
    """The Synthflow workspace the integration's number is imported into."""
    return str(i.accounts.get("synthflow", {}).get("workspace_id", ""))


def voice_connector() -> BlueprintNode:
    """The Chime SDK Voice Connector (no encryption required: Synthflow and Vapi speak plain SIP)."""
    return BlueprintNode(
        "voice_connector",
        "chime.voice_connector",
        lambda i: {"aws_region": aws_region(i), "require_encryption": False},
        title="Chime SDK Voice Connector",
    )


def connector_logging() -> BlueprintNode:
    """SIP message logging on the connector: the call ladders are read from it (calls/fetch.py)."""
    return BlueprintNode(
        "logging",
        "chime.voice_connector_logging",
        lambda i: {
            "voice_connector_id": i.out("voice_connector", "id"),
            "enable_sip_logs": True,
            "enable_media_metric_logs": False,
        },
        ("voice_connector",),
        "SIP message logging (for call ladders)",
    )


def connector_origination(
    host: Callable[[SpecInputs], str], port: int, depends_on: tuple[str, ...], title: str
) -> BlueprintNode:
    """The connector's one origination route to the agent's SIP host, over the config's transport.

    Chime origination routes offer UDP and TCP only (AWS.md §1.2).
    """
    return BlueprintNode(
        "origination",
        "chime.voice_connector_origination",
        lambda i: {
            "voice_connector_id": i.out("voice_connector", "id"),
            "routes": [
                {
                    "Host": host(i),
                    "Port": port,
                    "Protocol": str(i.config.get("transport", "UDP")),
                    "Priority": 1,
                    "Weight": 1,
                }
            ],
            "disabled": False,
        },
        depends_on,
        title,
    )


def assistant_number() -> BlueprintNode:
    """The imported number attached to the inbound Synthflow assistant."""
    return BlueprintNode(
        "assistant_number",
        "synthflow.assistant_number",
        lambda i: {
            "model_id": str(i.config["synthflow_assistant_id"]),
            "phone_number": i.out("synthflow_number", "phone_number"),
        },
        ("synthflow_number",),
        "The number attached to the inbound assistant",
    )


def connect_numbers() -> BlueprintNode:
    """The Connect instance's phone numbers the admin chose, routed to the integration's flow."""
    return BlueprintNode(
        "connect_numbers",
        "aws.connect_phone_number_flows",
        lambda i: {
            "instance_id": i.config["connect_instance_id"],
            "flow_id": i.out("contact_flow", "id"),
            "numbers": list(i.config.get("connect_phone_numbers") or []),
        },
        ("contact_flow",),
        "Connect phone numbers routed to the flow",
    )
