"""connect_synthflow: Amazon Connect → a number on the Voice Connector → Synthflow, and back.

DESIGN §1: Connect transfers to a DID on the connector, which originates to
Synthflow's SIP host; Synthflow calls back through the connector's termination.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from integrations.blueprints.connect_synthflow import BLUEPRINT as BLUEPRINT
from integrations.choices import AccountKind, CallsLog, ConnectTransport, IntegrationKind
from integrations.kinds.connect_numbers import ConnectPhoneNumbersField
from integrations.kinds.fields import AreaCodeField, E164Field, VendorIdField
from integrations.kinds.hints import connect_hints
from integrations.kinds.schema import StrictSerializer, validate_with

KIND = IntegrationKind.CONNECT_SYNTHFLOW
#: its graph of vendor objects (integrations/blueprints/<kind>.py; nodes shared by kinds: fragments.py)
#: BLUEPRINT, imported above
required_accounts = (AccountKind.AWS, AccountKind.SYNTHFLOW)

#: what it wires together, in words (the "New integration" chooser and the integration page; DESIGN §1)
PATH = "Connect transfer → DID on a Voice Connector → Synthflow SIP"
#: the account whose voice AI answers its calls
AGENT = AccountKind.SYNTHFLOW
#: whether apply creates an Amazon Connect contact flow (its JSON is offered for download)
CONTACT_FLOW = True
#: where its calls are read from (calls/fetch_schedule.py), and the node that must exist before they can be
CALLS_LOG = CallsLog.VOICE_CONNECTOR
CALLS_LOG_NODE = "voice_connector"
#: what an admin still does by hand, with the values to paste (integrations/kinds/hints.py)
hints = connect_hints


@extend_schema_serializer(component_name="ConnectSynthflowConfig")
class ConfigSerializer(StrictSerializer):
    """Config of a connect_synthflow integration: give `area_code` (order a number) or `phone_number`."""

    connect_instance_id = VendorIdField(help_text="Amazon Connect instance id.")
    connect_phone_numbers = ConnectPhoneNumbersField()
    area_code = AreaCodeField(required=False, help_text="Order a new Chime number in this US area code.")
    phone_number = E164Field(required=False, help_text="Or use this number already on the AWS account.")
    synthflow_assistant_id = VendorIdField(help_text="Synthflow inbound assistant that answers.")
    # Chime origination routes offer only UDP and TCP, no TLS (AWS.md §1.2).
    transport = serializers.ChoiceField(choices=ConnectTransport.choices, default=ConnectTransport.UDP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_area, has_number = "area_code" in attrs, "phone_number" in attrs
        if has_area and has_number:
            raise serializers.ValidationError(
                {"phone_number": ["Give either area_code (to order a number) or phone_number, not both."]}
            )
        if not has_area and not has_number:
            raise serializers.ValidationError(
                {"area_code": ["Give area_code (to order a number) or phone_number (a number you have)."]}
            )
        return attrs


def validate_config(data: object) -> dict[str, Any]:
    """Checked config with defaults filled; `ValidationError` keyed by field."""
    return validate_with(ConfigSerializer, data)
