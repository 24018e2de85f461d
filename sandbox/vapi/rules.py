"""Vapi's request-body rules, from the DTOs quoted in PROVIDERS.md §2 (VapiAI/docs openapi.json)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.field_rules import Condition, FieldRule, FieldType, Format

S22 = "PROVIDERS.md §2.2 (CreateByoSipTrunkCredentialDTO, SipTrunkGateway)"
S23 = "PROVIDERS.md §2.3 (CreateByoPhoneNumberDTO)"
S24 = "PROVIDERS.md §2.4 (Assistant)"

STR, INT, BOOL, OBJ, ARR = (
    FieldType.STRING,
    FieldType.INTEGER,
    FieldType.BOOLEAN,
    FieldType.OBJECT,
    FieldType.ARRAY,
)

GATEWAY_PROTOCOLS = ("udp", "tcp", "tls", "tls/srtp")


def _e164_check_on(number: Mapping[str, Any]) -> bool:
    return number.get("numberE164CheckEnabled") is not False


E164_CHECK_ON = Condition("numberE164CheckEnabled is not false", _e164_check_on)


def credential_rules(*, update: bool) -> tuple[FieldRule, ...]:
    """The credential body rules; on PATCH nothing is required but whatever is sent is checked."""
    create = not update
    return (
        FieldRule("provider", required=create, enum=("byo-sip-trunk",), source=S22),
        FieldRule("name", min_length=1, max_length=40, source=S22),
        FieldRule("gateways", ARR, required=create, min_length=1, item_type=OBJ, source=S22),
        FieldRule("gateways[].ip", required=True, format=Format.HOST, source=S22),
        FieldRule("gateways[].port", INT, minimum=1, maximum=65535, source=S22),
        FieldRule("gateways[].netmask", INT, minimum=24, maximum=32, source=S22),
        FieldRule("gateways[].inboundEnabled", BOOL, source=S22),
        FieldRule("gateways[].outboundEnabled", BOOL, source=S22),
        FieldRule("gateways[].outboundProtocol", enum=GATEWAY_PROTOCOLS, source=S22),
        FieldRule("gateways[].optionsPingEnabled", BOOL, source=S22),
        FieldRule("outboundAuthenticationPlan", OBJ, source=S22),
        FieldRule("outboundAuthenticationPlan.authUsername", source=S22),
        FieldRule("outboundAuthenticationPlan.authPassword", source=S22),
        FieldRule("outboundAuthenticationPlan.sipRegisterPlan", OBJ, source=S22),
        FieldRule("outboundAuthenticationPlan.sipRegisterPlan.domain", source=S22),
        FieldRule("outboundAuthenticationPlan.sipRegisterPlan.username", source=S22),
        FieldRule("outboundAuthenticationPlan.sipRegisterPlan.realm", source=S22),
        FieldRule("outboundLeadingPlusEnabled", BOOL, source=S22),
        FieldRule("techPrefix", max_length=10000, source=S22),
        FieldRule("sipDiversionHeader", max_length=10000, source=S22),
    )


def phone_number_rules(*, update: bool) -> tuple[FieldRule, ...]:
    """The BYO phone-number body rules; on PATCH every field is optional."""
    create = not update
    return (
        FieldRule("provider", required=create, enum=("byo-phone-number",), source=S23),
        FieldRule("credentialId", required=create, min_length=1, source=S23),
        FieldRule("number", min_length=3, max_length=40, source=S23),
        FieldRule("number", format=Format.E164, when=E164_CHECK_ON, source=S23),
        FieldRule("numberE164CheckEnabled", BOOL, source=S23),
        FieldRule("name", max_length=40, source=S23),
        FieldRule("assistantId", nullable=True, source=S23),
        FieldRule("squadId", nullable=True, source=S23),
        FieldRule("workflowId", nullable=True, source=S23),
        FieldRule("server", OBJ, source=S23),
        FieldRule("server.url", required=True, format=Format.URL, source=S23),
        FieldRule("server.timeoutSeconds", FieldType.NUMBER, minimum=1, maximum=300, source=S23),
        FieldRule("server.credentialId", source=S23),
        FieldRule("server.headers", OBJ, source=S23),
        FieldRule("fallbackDestination", OBJ, source=S23),
        FieldRule("fallbackDestination.type", required=True, enum=("number", "sip"), source=S23),
        FieldRule("hooks", ARR, source=S23),
    )


def assistant_rules() -> tuple[FieldRule, ...]:
    """The assistant body rules (enough to create one and reference it)."""
    return (
        FieldRule("name", max_length=40, source=S24),
        FieldRule("firstMessage", source=S24),
        FieldRule("model", OBJ, source=S24),
        FieldRule("voice", OBJ, source=S24),
        FieldRule("transcriber", OBJ, source=S24),
        FieldRule("server", OBJ, source=S24),
        FieldRule("server.url", required=True, format=Format.URL, source=S24),
        FieldRule("serverMessages", ARR, item_type=STR, source=S24),
        FieldRule("metadata", OBJ, source=S24),
    )


#: The properties each DTO declares; with the `strict_unknown_properties` option on, any other
#: property is refused the way NestJS's `forbidNonWhitelisted` does ("property x should not exist").
CREDENTIAL_PROPERTIES = frozenset(
    {
        "provider",
        "name",
        "gateways",
        "outboundAuthenticationPlan",
        "outboundLeadingPlusEnabled",
        "techPrefix",
        "sipDiversionHeader",
    }
)
GATEWAY_PROPERTIES = frozenset(
    {"ip", "port", "netmask", "inboundEnabled", "outboundEnabled", "outboundProtocol", "optionsPingEnabled"}
)
PHONE_NUMBER_PROPERTIES = frozenset(
    {
        "provider",
        "credentialId",
        "number",
        "numberE164CheckEnabled",
        "name",
        "assistantId",
        "squadId",
        "workflowId",
        "server",
        "fallbackDestination",
        "hooks",
    }
)
