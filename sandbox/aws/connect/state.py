"""What the Connect stand-in keeps next to moto's instances: flows, Lambda links, claimed numbers."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any


class FlowState(enum.StrEnum):
    """`ContactFlowState`: an archived flow keeps its name taken."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


class FlowStatus(enum.StrEnum):
    """`ContactFlowStatus`."""

    PUBLISHED = "PUBLISHED"
    SAVED = "SAVED"


def now() -> dt.datetime:
    """The current UTC time."""
    return dt.datetime.now(dt.UTC)


@dataclass
class ContactFlow:
    """A contact flow of one instance."""

    id: str
    instance_id: str
    region: str
    account_id: str
    name: str
    type: str
    content: str
    status: str = FlowStatus.PUBLISHED
    state: str = FlowState.ACTIVE
    description: str | None = None
    tags: dict[str, str] | None = None
    modified: dt.datetime = field(default_factory=now)

    @property
    def arn(self) -> str:
        """`arn:aws:connect:<region>:<account>:instance/<instance>/contact-flow/<id>`."""
        instance = f"arn:aws:connect:{self.region}:{self.account_id}:instance/{self.instance_id}"
        return f"{instance}/contact-flow/{self.id}"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content.encode()).hexdigest()

    def as_shape(self) -> dict[str, Any]:
        return {
            "Arn": self.arn,
            "Id": self.id,
            "Name": self.name,
            "Type": self.type,
            "State": self.state,
            "Status": self.status,
            "Description": self.description,
            "Content": self.content,
            "Tags": self.tags,
            "FlowContentSha256": self.sha256,
            "LastModifiedTime": self.modified,
            "LastModifiedRegion": self.region,
        }

    def as_summary(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Arn": self.arn,
            "Name": self.name,
            "ContactFlowType": self.type,
            "ContactFlowState": self.state,
            "ContactFlowStatus": self.status,
        }


@dataclass
class ClaimedNumber:
    """A phone number claimed by an instance, optionally routed to a contact flow."""

    id: str
    e164: str
    region: str
    account_id: str
    instance_id: str
    instance_arn: str
    country: str
    type: str = "DID"
    description: str = ""
    flow_id: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:connect:{self.region}:{self.account_id}:phone-number/{self.id}"

    def as_summary(self) -> dict[str, Any]:
        return {
            "PhoneNumberId": self.id,
            "PhoneNumberArn": self.arn,
            "PhoneNumber": self.e164,
            "PhoneNumberCountryCode": self.country,
            "PhoneNumberType": self.type,
            "TargetArn": self.instance_arn,
            "InstanceId": self.instance_id,
            "PhoneNumberDescription": self.description,
        }

    def as_claimed(self) -> dict[str, Any]:
        return {**self.as_summary(), "PhoneNumberStatus": {"Status": "CLAIMED"}}


@dataclass
class ConnectState:
    """Everything the stand-in keeps, keyed by (region, instance id) where it belongs to an instance."""

    flows: dict[str, ContactFlow] = field(default_factory=dict)  # flow id → flow
    lambdas: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (region, instance) → ARNs
    numbers: dict[str, ClaimedNumber] = field(default_factory=dict)  # phone number id → number
