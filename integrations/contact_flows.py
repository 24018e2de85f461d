"""Amazon Connect contact flows (flow language, AWS.md §4.2) that Patchbay creates and offers for download.

Patchbay owns a flow's `Version`, `StartAction` and `Actions`. It writes no
`Metadata`: the flow language leaves that object to whoever edits the flow
("may be filled in with data as desired", Connect's flow-language example
page), and Connect's flow editor keeps its own layout there, so Connect
rewrites it when the flow is saved. `owned_content` is what a reconcile
compares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

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


def synthflow_transfer_flow(*, did: str, timeout_seconds: int = 30) -> dict[str, Any]:
    """Transfer to the DID on the Voice Connector, resuming the flow after the agent disconnects."""
    return {
        "Version": FLOW_VERSION,
        "StartAction": "transfer-to-agent",
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


def owned_content(flow: Any) -> Any:
    """The part of a flow Patchbay owns, in one canonical form, whatever Connect did to it on save.

    Connect keeps a saved flow in its own form (compact JSON, the editor's
    Metadata, empty `Errors`/`Conditions` lists added, keys reordered): so the
    comparison keeps only Version, StartAction and each action's Identifier,
    Type, Parameters and Transitions, with empty lists dropped and error
    transitions in a stable order. Content that is not a flow object compares
    as it is.
    """
    if not isinstance(flow, dict) or not isinstance(flow.get("Actions"), list):
        return flow
    return {
        "Version": flow.get("Version"),
        "StartAction": flow.get("StartAction"),
        "Actions": [_owned_action(action) for action in flow["Actions"]],
    }


def _owned_action(action: Any) -> Any:
    if not isinstance(action, dict):
        return action
    transitions = action.get("Transitions") or {}
    owned_transitions = {key: value for key, value in transitions.items() if value not in ([], None, "")}
    errors = owned_transitions.get("Errors")
    if isinstance(errors, list) and all(isinstance(e, dict) for e in errors):
        owned_transitions["Errors"] = sorted(errors, key=lambda e: (str(e.get("ErrorType")), str(e)))
    return {
        "Identifier": action.get("Identifier"),
        "Type": action.get("Type"),
        "Parameters": action.get("Parameters") or {},
        "Transitions": owned_transitions,
    }
