"""genesys_synthflow: Genesys Cloud BYOC trunk ↔ Synthflow over SIP.

DESIGN §1: Genesys routes to `sip.synthflow.ai:32681` over an external BYOC
trunk; Synthflow calls back to `<inbound identifier>.byoc.<region domain>`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from integrations.blueprints.genesys_synthflow import BLUEPRINT as BLUEPRINT
from integrations.choices import AccountKind, CallsLog, GenesysTransport, IntegrationKind
from integrations.kinds.fields import DnsLabelField, E164Field, VendorIdField
from integrations.kinds.hints import genesys_hints
from integrations.kinds.schema import StrictSerializer, validate_with

KIND = IntegrationKind.GENESYS_SYNTHFLOW
#: its graph of vendor objects (integrations/blueprints/<kind>.py; nodes shared by kinds: fragments.py)
#: BLUEPRINT, imported above
required_accounts = (AccountKind.GENESYS, AccountKind.SYNTHFLOW)

#: what it wires together, in words (the "New integration" chooser and the integration page; DESIGN §1)
PATH = "Architect flow → BYOC Cloud trunk → Synthflow SIP, and back"
#: the account whose voice AI answers its calls
AGENT = AccountKind.SYNTHFLOW
#: whether apply creates an Amazon Connect contact flow (its JSON is offered for download)
CONTACT_FLOW = False
#: where its calls are read from (calls/fetch_schedule.py), and the node that must exist before they can be
CALLS_LOG = CallsLog.GENESYS_TRACE
CALLS_LOG_NODE = "trunk"
#: what an admin still does by hand, with the values to paste (integrations/kinds/hints.py)
hints = genesys_hints


@extend_schema_serializer(component_name="GenesysSynthflowConfig")
class ConfigSerializer(StrictSerializer):
    """Config of a genesys_synthflow integration."""

    site_id = VendorIdField(
        help_text="Your own Genesys BYOC Cloud site whose outbound route gets the trunk "
        "(not the Genesys-managed 'PureCloud Voice - AWS' site, which Genesys does not let anyone change)."
    )
    inbound_identifier = DnsLabelField(
        help_text="Inbound SIP termination identifier: Synthflow calls <identifier>.byoc.<region domain>."
    )
    phone_number = E164Field(help_text="Number imported into Synthflow for this trunk.")
    # Genesys `trunk_outboundIdentity_callingName` pattern (PROVIDERS.md §4.2).
    caller_id_name = serializers.RegexField(
        r"^[\S ]{0,40}$",
        default="",
        allow_blank=True,
        error_messages={"invalid": "At most 40 characters, no tabs or line breaks."},
    )
    caller_id_address = E164Field(
        required=False,
        help_text="Caller ID number Genesys presents on calls over the trunk; defaults to phone_number.",
    )
    outbound_route_id = VendorIdField(
        required=False,
        help_text="An existing outbound route of the site to add the trunk to; without it Patchbay "
        "creates a route of its own for a number-plan classification matching only phone_number.",
    )
    synthflow_assistant_id = VendorIdField(help_text="Synthflow inbound assistant that answers.")
    transport = serializers.ChoiceField(choices=GenesysTransport.choices, default=GenesysTransport.UDP)


def validate_config(data: object) -> dict[str, Any]:
    """Checked config with defaults filled; `ValidationError` keyed by field."""
    return validate_with(ConfigSerializer, data)
