"""`SandboxAwsAccount`, what the `aws_account` fixture (integrations/tests/conftest.py) hands a test, and
`say_goodbye_flow`, a minimal valid contact flow for the Connect resource tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.vendors.aws import AwsSession
from integrations.vendors.clients import VendorClients


@dataclass(frozen=True)
class SandboxAwsAccount:
    """A customer's AWS account in the sandbox, as Patchbay is configured for it."""

    clients: VendorClients
    role_arn: str
    external_id: str
    region: str
    account_id: str
    connect_instance_id: str
    connect_instance_arn: str
    connect_phone_number: str  # claimed in the instance by the sandbox

    @property
    def session(self) -> AwsSession:
        """The assumed-role session every resource type uses (`ctx.clients.aws`)."""
        return self.clients.aws


def say_goodbye_flow(text: str) -> dict[str, Any]:
    """A minimal valid flow: say something, then hang up."""
    return {
        "Version": "2019-10-30",
        "StartAction": "say",
        "Actions": [
            {
                "Identifier": "say",
                "Type": "MessageParticipant",
                "Parameters": {"Text": text},
                "Transitions": {
                    "NextAction": "bye",
                    "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }
