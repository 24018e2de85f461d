"""The call search of the API: `?number=&status=&since=&until=` (calls.search), a 400 naming the
parameter for a value it cannot use."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from calls.search import NUMBER_MAX, CallSearchForm

DESCRIPTIONS = {
    "number": "Calls whose From or To number contains this (e.g. 5550101).",
    "status": "answered (2xx), failed (no 2xx or no final response), or a final SIP status code.",
    "since": "Calls started at or after this time (ISO 8601; UTC without an offset).",
    "until": "Calls started at or before this time (ISO 8601; UTC without an offset).",
}


#: what CallSearchForm takes, as schemas (the status words in any case, blanks around them trimmed)
SCHEMAS: dict[str, dict[str, Any]] = {
    "number": {"type": "string", "maxLength": NUMBER_MAX, "pattern": "^[^\\x00]*$"},
    "status": {"type": "string", "pattern": "^(|answered|failed|[1-6][0-9][0-9])$"},
    "since": {"type": "string", "format": "date-time"},
    "until": {"type": "string", "format": "date-time"},
}


class CallSearchFilter(BaseFilterBackend):
    """Narrows a list of calls to the search in the query string."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        form = CallSearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return form.apply(queryset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": SCHEMAS[name],
            }
            for name, description in DESCRIPTIONS.items()
        ]
