"""Synthflow's request rules, from the v2 OpenAPI files quoted in PROVIDERS.md §1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.field_rules import Condition, FieldRule, FieldType, Format

S12 = "PROVIDERS.md §1.2 (POST /v2/custom-numbers)"
S13 = "PROVIDERS.md §1.3 (/v2/numbers)"
S14 = "PROVIDERS.md §1.4 (/v2/assistants)"
S15 = "PROVIDERS.md §1.5 (prepare_inbound)"
S18 = "PROVIDERS.md §1.8 (/v2/calls)"

STR, INT, BOOL, OBJ, ARR = (
    FieldType.STRING,
    FieldType.INTEGER,
    FieldType.BOOLEAN,
    FieldType.OBJECT,
    FieldType.ARRAY,
)

PROVIDERS = ("twilio", "telnyx", "vonage", "ring_central", "ringcx", "custom", "zoom", "five9")
#: providers whose identifiers need not be E.164 (§1.2)
NON_E164_PROVIDERS = ("five9", "zoom")
#: providers whose termination URI Synthflow fills in itself (§1.2)
AUTO_TERMINATION = {"ringcx": "sip.ringcentral.com", "zoom": "sip.zoom.com", "five9": None}
#: providers for which Synthflow ignores trunk credentials (§1.2)
NO_TRUNK_CREDENTIALS = ("five9", "ringcx", "zoom")
ASSISTANT_TYPES = ("inbound", "outbound", "widget")
LLMS = (
    "gpt-4.1",
    "gpt-4.1-nano",
    "gpt-4.1-mini",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5.1",
    "gpt-5.2",
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.4-nano",
    "synthflow",
)
CALL_STATUSES = (
    "pending",
    "ringing",
    "in-progress",
    "completed",
    "no-answer",
    "busy",
    "failed",
    "canceled",
    "user-canceled",
    "hangup_on_voicemail",
    "left_voicemail",
    "spam",
    "paused",
    "registered",
)


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


def custom_number_rules() -> tuple[FieldRule, ...]:
    """POST /v2/custom-numbers."""
    return (
        FieldRule("workspace_id", required=True, min_length=1, source=S12),
        FieldRule("phone_number", required=True, min_length=1, source=S12),
        FieldRule("phone_number", format=Format.E164, when=E164_PROVIDER, source=S12),
        FieldRule("friendly_name", source=S12),
        FieldRule("provider_name", enum=PROVIDERS, source=S12),
        FieldRule("termination_uri", required=True, min_length=1, when=NEEDS_TERMINATION, source=S12,
                  option="strict_termination_uri"),
        FieldRule("termination_uri", source=S12),
        FieldRule("trunk_username", required=True, when=UAC_ON, source=S12),
        FieldRule("trunk_pwd", required=True, when=UAC_ON, source=S12),
        FieldRule("sip_outbound_proxy", source=S12),
        FieldRule("sip_auth_username", source=S12),
        FieldRule("uac_enabled", BOOL, source=S12),
        FieldRule("uac_register_expires", INT, minimum=60, maximum=3600, source=S12),
    )  # fmt: skip


def number_update_rules() -> tuple[FieldRule, ...]:
    """PATCH /v2/numbers/{slug}."""
    return (
        FieldRule("friendly_name", source=S13),
        FieldRule("sip_auth_username", source=S13),
        FieldRule("sip_outbound_proxy", source=S13),
        FieldRule("sip_term_uri", source=S13),
        FieldRule("termination_uri", source=S13),
        FieldRule("provider_name", enum=PROVIDERS, source=S13),
        FieldRule("trunk_username", source=S13),
        FieldRule("trunk_pwd", source=S13),
        FieldRule("uac_enabled", BOOL, source=S13),
        FieldRule("uac_register_expires", INT, minimum=60, maximum=3600, source=S13),
    )


def list_numbers_query_rules() -> tuple[FieldRule, ...]:
    """GET /v2/numbers."""
    return (
        FieldRule("workspace", required=True, source=S13),
        FieldRule("limit", INT, minimum=1, source=S13),
        FieldRule("offset", INT, minimum=0, source=S13),
        FieldRule("is_available", BOOL, source=S13),
    )


def assistant_rules(*, update: bool) -> tuple[FieldRule, ...]:
    """POST /v2/assistants (PUT: the same fields, none required)."""
    create = not update
    return (
        FieldRule("type", required=create, enum=ASSISTANT_TYPES, source=S14),
        FieldRule("name", required=create, min_length=1, source=S14),
        FieldRule("agent", OBJ, required=create, source=S14),
        FieldRule("agent.prompt", source=S14),
        FieldRule("agent.greeting_message", source=S14),
        FieldRule("agent.greeting_message_mode", enum=("human", "agent_static", "agent_dynamic"), source=S14),
        FieldRule("agent.llm", enum=LLMS, source=S14),
        # The language enum is long and not fully quoted in §1.4; its shape is `multi` or `xx` / `xx-YY`.
        FieldRule("agent.language", pattern=r"multi|[a-z]{2,3}(-[A-Z]{2})?", source=S14),
        FieldRule("agent.voice_id", source=S14),
        FieldRule("agent.timezone", source=S14),
        FieldRule("agent.patience_level", enum=("low", "medium", "high"), source=S14),
        FieldRule("agent.noise_cancellation", enum=("standard", "advanced"), source=S14),
        FieldRule("agent.min_words_to_interrupt", enum=("0", "1", "2", "3", "4", "5"), source=S14),
        FieldRule("phone_number", source=S14),
        FieldRule("description", source=S14),
        FieldRule("external_webhook_url", format=Format.URL, source=S14),
        FieldRule("inbound_call_webhook_url", format=Format.URL, source=S14),
        FieldRule("is_recording", BOOL, source=S14),
        FieldRule("max_duration", OBJ, source=S14),
        FieldRule("max_duration.duration_seconds", INT, minimum=1, source=S14),
        FieldRule("max_duration.is_enabled", BOOL, source=S14),
        FieldRule("voicemail_message", OBJ, source=S14),
        FieldRule("voicemail_message.enabled", BOOL, source=S14),
        FieldRule("voicemail_message.mode", enum=("exact_message", "prompt"), source=S14),
        FieldRule("voicemail_message.exact_message", source=S14),
        FieldRule("voicemail_message.prompt", source=S14),
    )


def attach_rules() -> tuple[FieldRule, ...]:
    """PUT /v2/assistants/{model_id}/phone_numbers."""
    return (
        FieldRule("phone_numbers", ARR, min_length=1, item_type=STR, source=S14),
        FieldRule("phone_number_slugs", ARR, min_length=1, item_type=STR, source=S14),
    )


def prepare_inbound_rules() -> tuple[FieldRule, ...]:
    """POST /v2/prepare_inbound."""
    return (
        FieldRule("from_number", required=True, format=Format.E164, source=S15),
        FieldRule("to_number", required=True, format=Format.E164, source=S15),
        FieldRule("model_id", required=True, min_length=1, source=S15),
        FieldRule("workspace_id", required=True, min_length=1, source=S15),
        FieldRule("custom_variables", OBJ, source=S15),
    )


def list_calls_query_rules() -> tuple[FieldRule, ...]:
    """GET /v2/calls."""
    return (
        FieldRule("model_id", required=True, source=S18),
        FieldRule("limit", INT, minimum=1, source=S18),
        FieldRule("offset", INT, minimum=0, source=S18),
        FieldRule("from_date", INT, minimum=0, source=S18),
        FieldRule("to_date", INT, minimum=0, source=S18),
        FieldRule("call_status", enum=CALL_STATUSES, source=S18),
        FieldRule("duration_min", INT, minimum=0, source=S18),
        FieldRule("duration_max", INT, minimum=0, source=S18),
        FieldRule("lead_phone_number", source=S18),
    )


def create_call_rules() -> tuple[FieldRule, ...]:
    """POST /v2/calls (outbound)."""
    return (
        FieldRule("model_id", required=True, min_length=1, source=S18),
        FieldRule("phone", required=True, format=Format.E164, source=S18),
        FieldRule("name", required=True, min_length=1, source=S18),
        FieldRule("from_phone_number", format=Format.E164, source=S18),
        FieldRule("custom_variables", ARR, item_type=OBJ, source=S18),
        FieldRule("custom_variables[].key", required=True, min_length=1, source=S18),
        FieldRule("custom_variables[].value", required=True, source=S18),
        FieldRule("lead_email", source=S18),
        FieldRule("lead_timezone", source=S18),
        FieldRule("prompt", source=S18),
        FieldRule("greeting", source=S18),
    )
