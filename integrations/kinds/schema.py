"""How a config (or provider-account settings) schema is declared and checked.

A schema is a `StrictSerializer`: DRF fields with defaults, plus a refusal of
keys it does not know, so a typo is an error naming the key rather than a
setting silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings


class StrictSerializer(serializers.Serializer):
    """A serializer that also rejects unknown keys, each named in the errors."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        value: dict[str, Any] = {}
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not isinstance(exc.detail, Mapping):
                raise
            errors.update(exc.detail)
        if isinstance(data, Mapping):
            allowed = ", ".join(name for name, field in self.fields.items() if not field.read_only)
            for key in sorted(set(data) - set(self.fields), key=str):
                errors[str(key)] = [
                    ErrorDetail(f"Unknown field; expected one of: {allowed}.", code="unknown")
                ]
        if errors:
            raise ValidationError(errors)
        return value


def validate_with(schema: type[StrictSerializer], data: object) -> dict[str, Any]:
    """`data` checked against `schema`, with defaults filled; `ValidationError` keyed by field."""
    if not isinstance(data, Mapping):
        raise ValidationError([f"Expected an object, got {type(data).__name__}."], code="invalid")
    serializer = schema(data=data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return plain(serializer.validated_data)


def plain(value: Any) -> Any:
    """Validated data as plain dicts and lists, ready for a JSONField."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)  # choice enums become their plain value
    return value


def non_field_error(message: str) -> ValidationError:
    """An error about the object as a whole (shown under the object's own name)."""
    return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
