"""connect_vapi: Amazon Connect → Chime number → SIP media application → Voice Connector → Vapi.

DESIGN §1: the connect handler Lambda stores contact attributes in DynamoDB,
the SMA handler answers CallAndBridge with `x-` SIP headers, and the Voice
Connector originates to `<credential id>.sip.vapi.ai`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from integrations.blueprints.connect_vapi import BLUEPRINT as BLUEPRINT
from integrations.choices import AccountKind, CallsLog, ConnectTransport, IntegrationKind
from integrations.kinds.connect_numbers import ConnectPhoneNumbersField
from integrations.kinds.fields import AreaCodeField, VendorIdField, chime_header_problem
from integrations.kinds.hints import connect_hints
from integrations.kinds.schema import StrictSerializer, validate_with

KIND = IntegrationKind.CONNECT_VAPI
#: its graph of vendor objects (integrations/blueprints/<kind>.py; nodes shared by kinds: fragments.py)
#: BLUEPRINT, imported above
required_accounts = (AccountKind.AWS, AccountKind.VAPI)

#: what it wires together, in words (the "New integration" chooser and the integration page; DESIGN §1)
PATH = "Connect flow → Lambda → Chime SIP media application → Voice Connector → Vapi"
#: the account whose voice AI answers its calls
AGENT = AccountKind.VAPI
#: whether apply creates an Amazon Connect contact flow (its JSON is offered for download)
CONTACT_FLOW = True
#: where its calls are read from (calls/fetch_schedule.py), and the node that must exist before they can be
CALLS_LOG = CallsLog.VOICE_CONNECTOR
CALLS_LOG_NODE = "voice_connector"
#: what an admin still does by hand, with the values to paste (integrations/kinds/hints.py)
hints = connect_hints

# CallAndBridge's AWS endpoint Uri (the Request-URI user part): 1-30 of these
# characters (AWS.md §3.3); Vapi's BYO number needs at least 3 (PROVIDERS.md §2.3).
SIP_URI_USER_PATTERN = r"^[a-zA-Z0-9&=+$/%\-_!~*().]{3,30}$"
# Unconfirmed third-party note of at most 20 SIP headers per CallAndBridge (AWS.md §3.3).
MAX_FORWARD_ATTRIBUTES = 20


#: what an attribute name can be for its header `x-<lowercased name>` to match CHIME_HEADER_PATTERN
ATTRIBUTE_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"


ATTRIBUTE_NAME_SCHEMA = {"type": "string", "pattern": ATTRIBUTE_NAME_PATTERN, "maxLength": 100}


@extend_schema_field(ATTRIBUTE_NAME_SCHEMA)
class AttributeNameField(serializers.CharField):
    """A contact attribute name (checked as the SIP header it becomes, in validate_forward_attributes;
    the schema says the characters, not the reserved `amzn` prefix or case-insensitive repeats)."""


@extend_schema_field(
    {"type": "array", "items": ATTRIBUTE_NAME_SCHEMA, "maxItems": MAX_FORWARD_ATTRIBUTES, "uniqueItems": True}
)
class ForwardAttributesField(serializers.ListField):
    """The attributes to forward, each once (the schema says exact repeats; repeats in another case are
    refused by validate_forward_attributes)."""


@extend_schema_serializer(component_name="ConnectVapiConfig")
class ConfigSerializer(StrictSerializer):
    """Config of a connect_vapi integration."""

    connect_instance_id = VendorIdField(help_text="Amazon Connect instance id.")
    connect_phone_numbers = ConnectPhoneNumbersField()
    area_code = AreaCodeField(help_text="US area code of the Chime number Connect transfers to.")
    vapi_assistant_id = VendorIdField(help_text="Vapi assistant that answers the calls.")
    sip_uri_user = serializers.RegexField(
        SIP_URI_USER_PATTERN,
        help_text="User part of the SIP URI dialled at Vapi (the Vapi BYO phone number).",
        error_messages={"invalid": "Use 3-30 characters: letters, digits and &=+$/%%-_!~*()."},
    )
    forward_attributes = ForwardAttributesField(
        child=AttributeNameField(max_length=100),
        default=list,
        max_length=MAX_FORWARD_ATTRIBUTES,
        help_text="Contact attributes sent as `x-<lowercased name>` SIP headers; empty = all.",
    )
    gateway_netmask = serializers.IntegerField(
        min_value=24,
        max_value=32,
        default=32,
        help_text=(
            "Netmask of each Vapi gateway (24-32), for an AWS region with no published Chime "
            "signalling range (elsewhere the gateways are that range)."
        ),
    )
    transport = serializers.ChoiceField(choices=ConnectTransport.choices, default=ConnectTransport.UDP)
    call_timeout_seconds = serializers.IntegerField(
        min_value=1,
        max_value=120,
        default=30,
        help_text="How long Chime rings Vapi before giving up on the call (1-120 s).",
    )

    def validate_forward_attributes(self, names: list[str]) -> list[str]:
        errors: dict[int, list[str]] = {}
        seen: set[str] = set()
        for index, name in enumerate(names):
            header = f"x-{name.lower()}"
            problem = chime_header_problem(header)
            if problem:
                errors[index] = [
                    f"Attribute {name!r} would be sent as SIP header {header!r}, which {problem}."
                ]
            elif header in seen:
                errors[index] = [f"Attribute {name!r} is listed twice (SIP header names ignore case)."]
            seen.add(header)
        if errors:
            raise serializers.ValidationError(errors)  # type: ignore[arg-type]  # drf-stubs: str keys only
        return names


def validate_config(data: object) -> dict[str, Any]:
    """Checked config with defaults filled; `ValidationError` keyed by field."""
    return validate_with(ConfigSerializer, data)
