"""twilio_synthflow: Twilio number → Patchbay's voice webhook → `<Dial><Sip>` to Synthflow.

DESIGN §1 and §6: Patchbay serves the webhook itself, optionally calls
Synthflow's `prepare_inbound` first, and answers TwiML (or the fallback).
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from integrations.blueprints.twilio_synthflow import BLUEPRINT as BLUEPRINT
from integrations.choices import AccountKind, CallsLog, IntegrationKind
from integrations.kinds.fields import E164Field, VendorIdField
from integrations.kinds.hints import twilio_hints
from integrations.kinds.schema import StrictSerializer, non_field_error, validate_with

KIND = IntegrationKind.TWILIO_SYNTHFLOW
#: its graph of vendor objects (integrations/blueprints/<kind>.py; nodes shared by kinds: fragments.py)
#: BLUEPRINT, imported above
required_accounts = (AccountKind.TWILIO, AccountKind.SYNTHFLOW)

#: what it wires together, in words (the "New integration" chooser and the integration page; DESIGN §1)
PATH = "Twilio number → Patchbay voice webhook → <Dial><Sip> to Synthflow"
#: the account whose voice AI answers its calls
AGENT = AccountKind.SYNTHFLOW
#: whether apply creates an Amazon Connect contact flow (its JSON is offered for download)
CONTACT_FLOW = False
#: where its calls are read from (calls/fetch_schedule.py), and the node that must exist before they can be
CALLS_LOG = CallsLog.TWILIO_WEBHOOKS
CALLS_LOG_NODE = "twilio_voice"
#: what an admin still does by hand, with the values to paste (integrations/kinds/hints.py)
hints = twilio_hints

# Twilio passes custom SIP headers as `X-...` URI parameters of <Sip> and forbids
# `X-Twilio*` (PROVIDERS.md §3); Synthflow turns `X-*` headers into variables.
SIP_HEADER_PATTERN = re.compile(r"^X-[A-Za-z0-9-]+$")
RESERVED_HEADER_PREFIX = "x-twilio"
# Names of Twilio voice webhook parameters (From, To, CallSid, SipHeader_X-Foo, ...).
TWILIO_PARAMETER_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
# Synthflow prompt variables (`{name}`) in custom_variables.
VARIABLE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Twilio's headers part of a <Sip> URI must stay under 1024 characters (warning
# 21227, PROVIDERS.md §3); 20 headers leave room for their values.
MAX_SIP_HEADERS = 20
MAX_CUSTOM_VARIABLES = 50
#: a Twilio SIP ingress the customer owns: a SIP Domain (`<name>.sip[.<edge>].twilio.com`) or an Elastic SIP
#: Trunk's termination URI (`<name>.pstn[.<edge>].twilio.com`)
TWILIO_INGRESS_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:sip|pstn)(?:\.[a-z0-9-]+)?\.twilio\.com$"
#: numbers a Synthflow transfer (a cold SIP REFER, or a warm INVITE to the integration's SIP Domain) may
#: send the caller to
MAX_TRANSFER_TARGETS = 20
DEFAULT_FALLBACK_SAY = "Sorry, our assistant cannot take your call right now. Please try again later."


def _twilio_parameter() -> serializers.RegexField:
    return serializers.RegexField(
        TWILIO_PARAMETER_PATTERN,
        error_messages={"invalid": "Name a Twilio request parameter, e.g. From, To or CallSid."},
    )


def _parameter_map(max_properties: int) -> type[serializers.DictField]:
    """A map of names to Twilio parameters, at most `max_properties` (its names' pattern is checked in
    validate_*; OpenAPI 3.0 cannot say a pattern for keys)."""
    schema = {
        "type": "object",
        "additionalProperties": {"type": "string", "pattern": TWILIO_PARAMETER_PATTERN},
        "maxProperties": max_properties,
    }
    return extend_schema_field(schema)(type("ParameterMapField", (serializers.DictField,), {}))


@extend_schema_serializer(component_name="TwilioFallback")
class FallbackSerializer(StrictSerializer):
    """What the webhook answers when Synthflow cannot take the call: dial a number or say a text."""

    schema_constraints = {"minProperties": 1, "maxProperties": 1}

    dial = E164Field(required=False)
    say = serializers.CharField(required=False, min_length=1, max_length=500)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) != 1:
            raise non_field_error('Give exactly one of "dial" (an E.164 number) or "say" (a text).')
        return attrs


@extend_schema_serializer(component_name="TwilioSynthflowConfig")
class ConfigSerializer(StrictSerializer):
    """Config of a twilio_synthflow integration."""

    twilio_number = E164Field(
        help_text="A number on the Twilio account; its VoiceUrl is pointed at Patchbay."
    )
    synthflow_assistant_id = VendorIdField(help_text="Synthflow inbound assistant that answers.")
    prepare_inbound = serializers.BooleanField(
        default=False, help_text="Call Synthflow's prepare_inbound first (needed for custom_variables)."
    )
    custom_variables = _parameter_map(MAX_CUSTOM_VARIABLES)(
        child=_twilio_parameter(), default=dict, help_text="Synthflow variable → Twilio parameter."
    )
    sip_headers = _parameter_map(MAX_SIP_HEADERS)(
        child=_twilio_parameter(), default=dict, help_text="`X-` SIP header → Twilio parameter."
    )
    fallback = FallbackSerializer(default={"say": DEFAULT_FALLBACK_SAY})
    transfer_targets = serializers.ListField(
        child=E164Field(),
        default=list,
        max_length=MAX_TRANSFER_TARGETS,
        help_text=(
            "Numbers (E.164) the assistant may transfer a caller to. A cold transfer is a SIP REFER and "
            "a warm transfer a new INVITE to the integration's Twilio SIP Domain; Patchbay's webhooks dial "
            "only these numbers and refuse any other target. Empty: every transfer is refused."
        ),
    )
    warm_transfer_uri = serializers.RegexField(
        TWILIO_INGRESS_PATTERN,
        required=False,
        max_length=253,
        help_text=(
            "Optional: your own Twilio SIP Domain (name.sip.twilio.com) or Elastic SIP Trunk termination "
            "URI (name.pstn.twilio.com), secured with an IP ACL or credentials, for Synthflow's warm "
            "transfers (a new INVITE). Without it Synthflow dials the SIP Domain Patchbay provisions in "
            "your Twilio account (pb-<id>.sip.twilio.com, open only to Synthflow's signalling addresses), "
            "which dials only transfer_targets. With it, Patchbay provisions no domain "
            "(and deletes one it made)."
        ),
        error_messages={"invalid": "Give a Twilio SIP Domain or trunk host, e.g. acme.sip.twilio.com."},
    )

    def validate_custom_variables(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_CUSTOM_VARIABLES:
            raise serializers.ValidationError(f"At most {MAX_CUSTOM_VARIABLES} variables.")
        errors = {
            name: [f"Variable name {name!r} must match {VARIABLE_PATTERN.pattern}."]
            for name in value
            if not VARIABLE_PATTERN.fullmatch(name)
        }
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def validate_sip_headers(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_SIP_HEADERS:
            raise serializers.ValidationError(f"At most {MAX_SIP_HEADERS} headers.")
        errors: dict[str, list[str]] = {}
        for name in value:
            if not SIP_HEADER_PATTERN.fullmatch(name):
                errors[name] = [f"Header name {name!r} must match {SIP_HEADER_PATTERN.pattern}."]
            elif name.lower().startswith(RESERVED_HEADER_PREFIX):
                errors[name] = [f"Twilio does not allow headers starting X-Twilio ({name!r})."]
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def validate_transfer_targets(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # E164Field normalised them; a repeat adds nothing

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("custom_variables") and not attrs.get("prepare_inbound"):
            raise serializers.ValidationError(
                {"custom_variables": ["Custom variables travel through prepare_inbound; set it to true."]}
            )
        return attrs


def validate_config(data: object) -> dict[str, Any]:
    """Checked config with defaults filled; `ValidationError` keyed by field."""
    return validate_with(ConfigSerializer, data)
