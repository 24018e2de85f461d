"""Exact-match filtering on the fields a viewset lists in `filter_fields` (`?kind=aws`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request


class ExactFieldFilter(BaseFilterBackend):
    """Narrows a list to rows whose field equals the query parameter of the same name."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        for name in getattr(view, "filter_fields", ()):
            value = request.query_params.get(name)
            if value is not None and value != "":
                queryset = queryset.filter(**{name: value})
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": f"Only rows whose {name} equals this value.",
                "schema": {"type": "string"},
            }
            for name in getattr(view, "filter_fields", ())
        ]
