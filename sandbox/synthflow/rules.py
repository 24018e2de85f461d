"""Synthflow's request rules: the tables of `reference.json`, plus what its prose makes conditional.

The field tables (types, required, enums, bounds) are generated from the rules
file transcribed from Synthflow's published reference (`sandbox/synthflow/reference.py`).
The rules the reference states in descriptions ("Required for custom, twilio, ...",
"Five9 and Zoom also accept non-E.164 identifiers") are written here as
conditional `FieldRule`s, each citing the operation's source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.field_rules import Condition, FieldRule, Format
from sandbox.synthflow import reference

#: sources of rules the reference does not state per field
PHONE_NUMBERS_PAGE = reference.reference()["sources"]["phone-numbers"]
ROUTE_SIP_CALLS = reference.reference()["sources"]["route-sip-calls"]
PREPARE_INBOUND = reference.source_of("PrepareInbound")

_CUSTOM_NUMBER = reference.operation("CreateCustomNumber")["body"]["properties"]
PROVIDERS: tuple[str, ...] = tuple(_CUSTOM_NUMBER["provider_name"]["enum"])
#: providers whose identifiers need not be E.164 ("Five9 and Zoom also accept non-E.164 identifiers")
NON_E164_PROVIDERS = ("five9", "zoom")
#: providers whose SIP domain Synthflow fills in itself ("Optional for five9 (regional IP), ringcx
#: (sip.ringcentral.com), and zoom (sip.zoom.com), which are filled automatically when omitted")
AUTO_TERMINATION: dict[str, str | None] = {
    "ringcx": "sip.ringcentral.com",
    "zoom": "sip.zoom.com",
    "five9": None,
}
#: providers whose trunk credentials Synthflow does not use ("Not used for five9, ringcx, or zoom")
NO_TRUNK_CREDENTIALS = ("five9", "ringcx", "zoom")


def _provider(body: Mapping[str, Any]) -> str:
    return body.get("provider_name") or "custom"


E164_PROVIDER = Condition(
    "provider_name is not five9 or zoom", lambda b: _provider(b) not in NON_E164_PROVIDERS
)
NEEDS_TERMINATION = Condition(
    "provider_name is absent, custom, twilio, telnyx, vonage or ring_central",
    lambda b: _provider(b) not in AUTO_TERMINATION,
)
UAC_ON = Condition(
    "uac_enabled is true (not for five9, ringcx, zoom)",
    lambda b: b.get("uac_enabled") is True and _provider(b) not in NO_TRUNK_CREDENTIALS,
)


def body_rules(name: str) -> tuple[FieldRule, ...]:
    """The body rules of an operation: the reference's table, then its conditional rules."""
    return reference.field_rules(name, "body") + _CONDITIONAL.get(name, ())


def query_rules(name: str) -> tuple[FieldRule, ...]:
    """The query rules of an operation, from the reference."""
    return reference.field_rules(name, "query")


_S = reference.source_of
_CONDITIONAL: dict[str, tuple[FieldRule, ...]] = {
    "CreateCustomNumber": (
        FieldRule("workspace_id", min_length=1, source=_S("CreateCustomNumber")),
        FieldRule("phone_number", min_length=1, source=_S("CreateCustomNumber")),
        FieldRule("phone_number", format=Format.E164, when=E164_PROVIDER, source=_S("CreateCustomNumber")),
        FieldRule("termination_uri", required=True, min_length=1, when=NEEDS_TERMINATION,
                  source=_S("CreateCustomNumber"), option="strict_termination_uri"),
        FieldRule("trunk_username", required=True, when=UAC_ON, source=_S("CreateCustomNumber")),
        FieldRule("trunk_pwd", required=True, when=UAC_ON, source=_S("CreateCustomNumber")),
    ),
    "UpdateNumber": (
        FieldRule("trunk_username", required=True, when=UAC_ON, source=_S("UpdateNumber")),
        FieldRule("trunk_pwd", required=True, when=UAC_ON, source=_S("UpdateNumber")),
    ),
    # An empty name, id or number is no value; the reference does not say so (stricter reading).
    "CreateAssistant": (FieldRule("name", min_length=1, source=_S("CreateAssistant")),),
    "PrepareInbound": (
        FieldRule("model_id", min_length=1, source=PREPARE_INBOUND),
        FieldRule("workspace_id", min_length=1, source=PREPARE_INBOUND),
    ),
    "CreateCall": (FieldRule("custom_variables[].key", min_length=1, source=_S("CreateCall")),),
}  # fmt: skip
