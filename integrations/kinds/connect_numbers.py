"""The `connect_phone_numbers` config field of the Amazon Connect kinds (connect_vapi, connect_synthflow)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.kinds.fields import E164_SCHEMA, E164Field

#: Connect numbers one integration may route to its flow: each is looked up on every reconcile
MAX_CONNECT_NUMBERS = 10


@extend_schema_field(
    {"type": "array", "items": E164_SCHEMA, "maxItems": MAX_CONNECT_NUMBERS, "uniqueItems": True}
)
class ConnectPhoneNumbersField(serializers.ListField):
    """Amazon Connect phone numbers (E.164, each once) whose callers Patchbay's contact flow answers.

    Seed guides 000 and 001 end by associating the Connect number with the flow; the engine makes
    that association (resources/connect_phone_numbers.py) and refuses a number the instance has not
    claimed.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", E164Field())
        kwargs.setdefault("default", list)
        kwargs.setdefault("max_length", MAX_CONNECT_NUMBERS)
        kwargs.setdefault(
            "help_text",
            "Amazon Connect numbers, claimed in the instance, to route to Patchbay's contact flow "
            "(E.164; empty = route none, associate a number yourself).",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        numbers = super().to_internal_value(data)
        seen: set[str] = set()
        errors: dict[int, list[str]] = {}
        for index, number in enumerate(numbers):
            if number in seen:
                errors[index] = [f"{number} is listed twice."]
            seen.add(number)
        if errors:
            raise serializers.ValidationError(errors)  # type: ignore[arg-type]  # drf-stubs: str keys only
        return numbers
