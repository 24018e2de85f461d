"""Contact flows for the Connect stand-in's contract tests: the connect_vapi flow, and comparing a saved
flow with the one sent (moved from test_connect_contract.py, which test_connect_saved_flows.py imported)."""

from __future__ import annotations

import json
from typing import Any

import pytest


def flow(lambda_arn: str, **transfer: Any) -> str:
    """The connect_vapi flow: set attributes, invoke the Lambda, transfer to the Chime number."""
    transfer_parameters = {
        "ThirdPartyPhoneNumber": "+12065550100",
        "ThirdPartyConnectionTimeLimitSeconds": "30",
        "ContinueFlowExecution": "False",
        **transfer,
    }
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "set-attributes",
            "Actions": [
                {
                    "Identifier": "set-attributes",
                    "Type": "UpdateContactAttributes",
                    "Parameters": {"Attributes": {"CustomerName": "John"}, "TargetContact": "Current"},
                    "Transitions": {
                        "NextAction": "invoke",
                        "Errors": [{"NextAction": "goodbye", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "invoke",
                    "Type": "InvokeLambdaFunction",
                    "Parameters": {"LambdaFunctionARN": lambda_arn, "InvocationTimeLimitSeconds": "8"},
                    "Transitions": {
                        "NextAction": "transfer",
                        "Errors": [{"NextAction": "goodbye", "ErrorType": "NoMatchingError"}],
                    },
                },
                {
                    "Identifier": "transfer",
                    "Type": "TransferParticipantToThirdParty",
                    "Parameters": transfer_parameters,
                    "Transitions": {
                        "NextAction": "goodbye",
                        "Errors": [
                            {"NextAction": "goodbye", "ErrorType": "CallFailed"},
                            {"NextAction": "goodbye", "ErrorType": "ConnectionTimeLimitExceeded"},
                            {"NextAction": "goodbye", "ErrorType": "NoMatchingError"},
                        ],
                    },
                },
                {
                    "Identifier": "goodbye",
                    "Type": "MessageParticipant",
                    "Parameters": {"Text": "Goodbye"},
                    "Transitions": {"NextAction": "end"},
                },
                {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
            ],
        }
    )


def same_actions(saved: str, sent: str) -> bool:
    """Whether a saved flow has the sent flow's start and actions (Connect adds empty lists on save)."""

    def actions(text: str) -> Any:
        flow = json.loads(text)
        for action in flow["Actions"]:
            transitions = action["Transitions"]
            for key in ("Errors", "Conditions"):
                if transitions.get(key) == []:
                    del transitions[key]
        return flow["StartAction"], sorted(flow["Actions"], key=lambda a: a["Identifier"])

    return actions(saved) == actions(sent)


def invalid_flow_problems(connect: Any, instance_id: str, content: str) -> list[str]:
    with pytest.raises(connect.exceptions.InvalidContactFlowException) as error:
        connect.create_contact_flow(InstanceId=instance_id, Name="bad", Type="CONTACT_FLOW", Content=content)
    return [p["message"] for p in error.value.response["problems"]]
