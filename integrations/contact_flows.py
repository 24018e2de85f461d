"""Amazon Connect contact flows (flow language, AWS.md §4.2) that Patchbay creates and offers for download."""

from __future__ import annotations

from typing import Any

FLOW_VERSION = "2019-10-30"
SORRY_TEXT = "Sorry, we could not connect your call. Please try again later."


def _errors(target: str, *types: str) -> list[dict[str, str]]:
    return [{"NextAction": target, "ErrorType": error_type} for error_type in types]


def vapi_transfer_flow(
    *, integration_name: str, connect_lambda_arn: str, chime_number: str, timeout_seconds: int = 30
) -> dict[str, Any]:
    """Set attributes → invoke the connect handler → transfer to the Chime number → error branch.

    A failing Lambda does not stop the call: the transfer still happens, only
    without caller context (the SMA handler then bridges without headers).
    """
    return {
        "Version": FLOW_VERSION,
        "StartAction": "set-attributes",
        "Metadata": {"patchbay": {"integration": integration_name, "kind": "connect_vapi"}},
        "Actions": [
            {
                "Identifier": "set-attributes",
                "Type": "UpdateContactAttributes",
                "Parameters": {
                    "Attributes": {
                        "patchbay_integration": integration_name,
                        "caller_number": "$.CustomerEndpoint.Address",
                    },
                    "TargetContact": "Current",
                },
                "Transitions": {
                    "NextAction": "store-attributes",
                    "Errors": _errors("store-attributes", "NoMatchingError"),
                },
            },
            {
                "Identifier": "store-attributes",
                "Type": "InvokeLambdaFunction",
                "Parameters": {
                    "LambdaFunctionARN": connect_lambda_arn,
                    # Synchronous invocations are capped at 8 s (AWS.md §4.2).
                    "InvocationTimeLimitSeconds": "8",
                    "ResponseValidation": {"ResponseType": "STRING_MAP"},
                },
                "Transitions": {
                    "NextAction": "transfer-to-agent",
                    "Errors": _errors("transfer-to-agent", "NoMatchingError"),
                },
            },
            _transfer("transfer-to-agent", chime_number, timeout_seconds, resume=False),
            *_sorry_and_disconnect(),
        ],
    }


def synthflow_transfer_flow(*, integration_name: str, did: str, timeout_seconds: int = 30) -> dict[str, Any]:
    """Transfer to the DID on the Voice Connector, resuming the flow after the agent disconnects."""
    return {
        "Version": FLOW_VERSION,
        "StartAction": "transfer-to-agent",
        "Metadata": {"patchbay": {"integration": integration_name, "kind": "connect_synthflow"}},
        "Actions": [
            _transfer("transfer-to-agent", did, timeout_seconds, resume=True),
            *_sorry_and_disconnect(),
        ],
    }


def _transfer(identifier: str, number: str, timeout_seconds: int, *, resume: bool) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "TransferParticipantToThirdParty",
        "Parameters": {
            "ThirdPartyPhoneNumber": number,
            # The deployed flows use this spelling (AWS.md §4.2).
            "ThirdPartyConnectionTimeLimitSeconds": str(timeout_seconds),
            "ContinueFlowExecution": "True" if resume else "False",
        },
        "Transitions": {
            "NextAction": "say-sorry" if not resume else "disconnect",
            "Errors": _errors("say-sorry", "CallFailed", "ConnectionTimeLimitExceeded", "NoMatchingError"),
        },
    }


def _sorry_and_disconnect() -> list[dict[str, Any]]:
    return [
        {
            "Identifier": "say-sorry",
            "Type": "MessageParticipant",
            "Parameters": {"Text": SORRY_TEXT},
            "Transitions": {"NextAction": "disconnect", "Errors": _errors("disconnect", "NoMatchingError")},
        },
        {"Identifier": "disconnect", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ]


def contact_flow_for(integration: Any) -> dict[str, Any] | None:
    """The contact flow of an applied integration, as created in Connect (None before apply)."""
    # Imported here: the blueprints import this module, and the engine imports the blueprints.
    from integrations.engine.graph import IntegrationGraph
    from integrations.engine.types import contains_unknown

    graph = IntegrationGraph(integration, create_rows=False)
    if "contact_flow" not in graph.blueprint.by_name:
        return None
    spec = graph.spec("contact_flow")
    if contains_unknown(spec["content"]):
        return None
    return spec["content"]
