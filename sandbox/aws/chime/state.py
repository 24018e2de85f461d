"""The chime-sdk-voice objects the stand-in keeps, with identifiers formed as AWS forms them.

Each record renders itself as the model shape AWS returns (`as_shape`); the
serializer drops anything the model does not list, so records may hold more
(e.g. termination passwords, which AWS never returns).
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from sandbox.aws.chime.phone_ids import country_of, phone_number_id


def now() -> dt.datetime:
    """The current UTC time, to the millisecond as AWS reports it."""
    current = dt.datetime.now(dt.UTC)
    return current.replace(microsecond=current.microsecond // 1000 * 1000)


def new_voice_connector_id() -> str:
    """22 lowercase alphanumerics, e.g. `abcdef1ghij2klmno3pqr4` (aws-cli examples, AWS.md §1.2)."""
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(22))


def new_guid() -> str:
    """SMA, order and SIP rule ids are UUIDs (AWS.md §1.4, §7.5; the rule id form is UNCONFIRMED)."""
    return str(uuid.uuid4())


class PhoneNumberStatus(enum.StrEnum):
    """The `PhoneNumberStatus` values the stand-in moves numbers through."""

    ACQUIRE_IN_PROGRESS = "AcquireInProgress"
    UNASSIGNED = "Unassigned"
    ASSIGNED = "Assigned"
    DELETE_IN_PROGRESS = "DeleteInProgress"


class OrderStatus(enum.StrEnum):
    """The `PhoneNumberOrderStatus` values the stand-in uses."""

    PROCESSING = "Processing"
    SUCCESSFUL = "Successful"
    PARTIAL = "Partial"
    FAILED = "Failed"


class OrderedNumberStatus(enum.StrEnum):
    """The `OrderedPhoneNumberStatus` values."""

    PROCESSING = "Processing"
    ACQUIRED = "Acquired"
    FAILED = "Failed"


class ProductType(enum.StrEnum):
    """The `PhoneNumberProductType` values."""

    VOICE_CONNECTOR = "VoiceConnector"
    SMA_DIAL_IN = "SipMediaApplicationDialIn"


class AssociationName(enum.StrEnum):
    """The `PhoneNumberAssociationName` values the stand-in sets."""

    VOICE_CONNECTOR_ID = "VoiceConnectorId"
    SIP_RULE_ID = "SipRuleId"


class TriggerType(enum.StrEnum):
    """The `SipRuleTriggerType` values."""

    TO_PHONE_NUMBER = "ToPhoneNumber"
    REQUEST_URI_HOSTNAME = "RequestUriHostname"


@dataclass
class VoiceConnector:
    """A Voice Connector and its 1:1 sub-resources (None = never put, so Get answers NotFound)."""

    id: str
    name: str
    region: str
    account_id: str
    require_encryption: bool
    integration_type: str | None = None
    network_type: str | None = None
    created: dt.datetime = field(default_factory=now)
    updated: dt.datetime = field(default_factory=now)
    origination: dict[str, Any] | None = None
    termination: dict[str, Any] | None = None
    logging: dict[str, Any] | None = None
    #: username → password; AWS lists only the usernames
    credentials: dict[str, str] = field(default_factory=dict)

    @property
    def host(self) -> str:
        """`<id>.voiceconnector.chime.aws` (AWS.md §5.2)."""
        return f"{self.id}.voiceconnector.chime.aws"

    @property
    def arn(self) -> str:
        """`arn:aws:chime:<region>:<account>:vc/<id>` (CallAndBridge docs, AWS.md §1.2)."""
        return f"arn:aws:chime:{self.region}:{self.account_id}:vc/{self.id}"

    def as_shape(self) -> dict[str, Any]:
        return {
            "VoiceConnectorId": self.id,
            "AwsRegion": self.region,
            "Name": self.name,
            "OutboundHostName": self.host,
            "RequireEncryption": self.require_encryption,
            "CreatedTimestamp": self.created,
            "UpdatedTimestamp": self.updated,
            "VoiceConnectorArn": self.arn,
            "IntegrationType": self.integration_type,
            "NetworkType": self.network_type,
        }


@dataclass
class PhoneNumber:
    """A number in the account's inventory, keyed by its E.164 form."""

    e164: str
    product_type: str
    order_id: str
    name: str
    account_id: str
    status: str = PhoneNumberStatus.ACQUIRE_IN_PROGRESS
    calling_name: str | None = None
    associations: list[dict[str, Any]] = field(default_factory=list)
    created: dt.datetime = field(default_factory=now)
    updated: dt.datetime = field(default_factory=now)
    deleted: dt.datetime | None = None

    @property
    def id(self) -> str:
        """The URL-encoded E.164 string, `%2B12065550100` (aws-cli get-phone-number example)."""
        return phone_number_id(self.e164)

    @property
    def toll_free(self) -> bool:
        return self.e164[:5] in {"+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888"}

    def associated_with(self, name: str) -> str | None:
        """The value of this number's association of that kind, if any."""
        return next((a["Value"] for a in self.associations if a["Name"] == name), None)

    def as_shape(self) -> dict[str, Any]:
        sms = self.product_type == ProductType.VOICE_CONNECTOR and not self.toll_free
        return {
            "PhoneNumberId": self.id,
            "E164PhoneNumber": self.e164,
            # ARN form UNCONFIRMED: no primary example was found (sandbox/README.md)
            "PhoneNumberArn": f"arn:aws:chime:us-east-1:{self.account_id}:phone-number/{self.id}",
            "Country": country_of(self.e164),
            "Type": "TollFree" if self.toll_free else "Local",
            "ProductType": self.product_type,
            "Status": self.status,
            "Capabilities": {
                "InboundCall": True,
                "OutboundCall": True,
                "InboundSMS": sms,
                "OutboundSMS": sms,
                "InboundMMS": sms,
                "OutboundMMS": sms,
            },
            "Associations": list(self.associations),
            "CallingName": self.calling_name,
            "CallingNameStatus": "UpdateSucceeded" if self.calling_name else "Unassigned",
            "CreatedTimestamp": self.created,
            "UpdatedTimestamp": self.updated,
            "DeletionTimestamp": self.deleted,
            "OrderId": self.order_id,
            "Name": self.name,
        }


@dataclass
class PhoneNumberOrder:
    """An order; it completes after a number of GetPhoneNumberOrder polls (option `phone_order_polls`)."""

    id: str
    product_type: str
    name: str
    numbers: dict[str, str]  # E.164 → OrderedNumberStatus
    status: str = OrderStatus.PROCESSING
    polls: int = 0
    created: dt.datetime = field(default_factory=now)
    updated: dt.datetime = field(default_factory=now)

    def as_shape(self) -> dict[str, Any]:
        return {
            "PhoneNumberOrderId": self.id,
            "ProductType": self.product_type,
            "Status": self.status,
            "OrderType": "New",
            "OrderedPhoneNumbers": [{"E164PhoneNumber": n, "Status": s} for n, s in self.numbers.items()],
            "CreatedTimestamp": self.created,
            "UpdatedTimestamp": self.updated,
        }


@dataclass
class SipMediaApplication:
    """A SIP media application with its one Lambda endpoint."""

    id: str
    name: str
    region: str
    account_id: str
    lambda_arn: str
    created: dt.datetime = field(default_factory=now)
    updated: dt.datetime = field(default_factory=now)
    logging: dict[str, Any] | None = None

    @property
    def arn(self) -> str:
        """`arn:aws:chime:<region>:<account>:sma/<id>` (form UNCONFIRMED, AWS.md §1.4)."""
        return f"arn:aws:chime:{self.region}:{self.account_id}:sma/{self.id}"

    def as_shape(self) -> dict[str, Any]:
        return {
            "SipMediaApplicationId": self.id,
            "AwsRegion": self.region,
            "Name": self.name,
            "Endpoints": [{"LambdaArn": self.lambda_arn}],
            "CreatedTimestamp": self.created,
            "UpdatedTimestamp": self.updated,
            "SipMediaApplicationArn": self.arn,
        }


@dataclass
class SipRule:
    """A SIP rule: a trigger (number or connector host) and its target applications."""

    id: str
    name: str
    trigger_type: str
    trigger_value: str
    targets: list[dict[str, Any]]
    disabled: bool = False
    created: dt.datetime = field(default_factory=now)
    updated: dt.datetime = field(default_factory=now)

    def as_shape(self) -> dict[str, Any]:
        return {
            "SipRuleId": self.id,
            "Name": self.name,
            "Disabled": self.disabled,
            "TriggerType": self.trigger_type,
            "TriggerValue": self.trigger_value,
            "TargetApplications": [dict(t) for t in self.targets],
            "CreatedTimestamp": self.created,
            "UpdatedTimestamp": self.updated,
        }


@dataclass
class ChimeState:
    """Everything the account holds at chime-sdk-voice, in creation order."""

    connectors: dict[str, VoiceConnector] = field(default_factory=dict)
    numbers: dict[str, PhoneNumber] = field(default_factory=dict)  # E.164 → number
    orders: dict[str, PhoneNumberOrder] = field(default_factory=dict)
    applications: dict[str, SipMediaApplication] = field(default_factory=dict)
    rules: dict[str, SipRule] = field(default_factory=dict)
