"""Exact-match filtering on the fields a viewset lists in `filter_fields` (`?kind=aws`).

Each value is cleaned by the model field it filters (a foreign key by the key it points at) before it
reaches the database: a value the field cannot hold (`?integration=not-a-uuid`, `?final_status=abc`,
an integer past the column's range, a choice that does not exist) is a 400 naming the parameter, never
a database error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import connection
from django.db.models import AutoField, EmailField, Field, IntegerField, Model, QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from tenants.api.schema import EMAIL_SCHEMA


def _cleaned(model: type[Model], name: str, value: str) -> Any:
    """`value` as the field `name` holds it; raises Django's ValidationError when it cannot."""
    if "\x00" in value:  # PostgreSQL refuses NUL in text; no stored value has one
        raise DjangoValidationError("Null characters are not allowed.")
    field: Field = model._meta.get_field(name)  # type: ignore[assignment]
    if field.is_relation:
        field = field.target_field  # type: ignore[attr-defined]
    # clean() = to_python (type), validate (choices) and validators (max_length, the integer range)
    return field.clean(value, None)


class ExactFieldFilter(BaseFilterBackend):
    """Narrows a list to rows whose field equals the query parameter of the same name."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        lookups: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name in getattr(view, "filter_fields", ()):
            value = request.query_params.get(name)
            if value is None or value == "":
                continue
            try:
                lookups[name] = _cleaned(queryset.model, name, value)
            except DjangoValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)
        return queryset.filter(**lookups)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        model = getattr(getattr(view, "queryset", None), "model", None)
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": f"Only rows whose {name} equals this value.",
                "schema": _parameter_schema(model, name),
            }
            for name in getattr(view, "filter_fields", ())
        ]


def _parameter_schema(model: type[Model] | None, name: str) -> dict[str, Any]:
    """What `_cleaned` takes for field `name`, as a schema: a choice, a UUID, an integer in range, or
    a string no longer than the column (an empty value filters nothing)."""
    if model is None:
        return {"type": "string"}
    field: Any = model._meta.get_field(name)
    if field.is_relation:
        field = field.target_field
    if field.choices:
        return {"type": "string", "enum": ["", *(str(value) for value, _ in field.flatchoices)]}
    if field.get_internal_type() == "UUIDField":
        return {"type": "string", "format": "uuid"}
    if isinstance(field, IntegerField | AutoField):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return {"type": "integer", "minimum": low, "maximum": high}
    schema: dict[str, Any] = {"type": "string", "pattern": "^[^\\x00]*$"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    patterns = [
        v.regex.pattern for v in field.validators if isinstance(v, RegexValidator) and not v.inverse_match
    ]
    if patterns:
        schema["pattern"] = patterns[0]
    if isinstance(field, EmailField):
        schema = {**EMAIL_SCHEMA, "maxLength": field.max_length}
    return schema
