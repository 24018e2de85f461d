"""OpenAPI description of what is common to every API operation: token authentication, and the error
answers (drf-spectacular extension and AutoSchema).

Every error is the one JSON shape of tenants/api/errors.py; `PatchbayAutoSchema` lists, on each
operation, the statuses it can answer with that shape, so a generated client knows them all.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.settings import api_settings

#: addresses Django's EmailValidator takes and RFC 5321 allows, as a pattern: a dot-atom local part of
#: at most 64 characters (an atom of 1-32 and maybe one more of 1-31) at a dotted domain. The validator
#: also takes quoted local parts, IP literals and IDNs, which the schema leaves out.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,31})?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
#: the longest address an EmailField column holds
EMAIL_MAX_LENGTH = 254
EMAIL_SCHEMA = {"type": "string", "format": "email", "pattern": EMAIL_PATTERN, "maxLength": EMAIL_MAX_LENGTH}


class TenantTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <key>` as an API-key security scheme."""

    target_class = "tenants.authentication.TenantTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A tenant API token: `Token <key>`. The token decides the tenant and the role.",
        }


class WholeBodySchema(OpenApiSerializerExtension):
    """A member's PATCH takes the whole body (its role), as PUT does: not the `Patched` shape."""

    target_class = "tenants.api.serializers.MembershipUpdateSerializer"

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        whole = copy.copy(self.target)
        whole.partial = False
        return auto_schema._map_basic_serializer(whole, direction)


class ApiErrorSerializer(serializers.Serializer):
    """Every error answer (tenants/api/errors.py): `detail` and `code`, and `errors` for field errors."""

    detail = serializers.CharField(help_text="What went wrong, in words.")
    code = serializers.CharField(
        help_text="A short fixed word: invalid, not_authenticated, permission_denied, not_found, "
        "conflict, throttled, ..."
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Field errors by dotted path, e.g. {"config.area_code": ["Enter a 3-digit area code."]}.',
    )


#: what each error status means, for every operation that can answer it
ERROR_DESCRIPTIONS = {
    "400": "Invalid request: `errors` names each field (dotted path) with its messages.",
    "401": "No valid token: send `Authorization: Token <key>`.",
    "403": "The token's role may not do this.",
    "404": "No such object in this tenant (or no such page).",
    "409": "Conflicts with the object's state, or a request with the same Idempotency-Key is running.",
    "413": "The request body is too large.",
    "415": "Unsupported content type.",
    "422": "The Idempotency-Key was used before with a different request.",
    "429": "Too many requests: retry after the `Retry-After` header's seconds.",
}


class PatchbayAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers every operation can give, in their shape.

    Bodies are documented as JSON only: the default form parsers read flat fields, which cannot carry
    the nested objects (`config`, `settings`) most bodies have. A view that declares its own parsers
    (a multipart upload) keeps them.
    """

    def map_parsers(self) -> list[Any]:
        if self.view.parser_classes == api_settings.DEFAULT_PARSER_CLASSES:
            return ["application/json"]
        if MultiPartParser in self.view.parser_classes:
            return ["multipart/form-data"]  # a file upload: an url-encoded form cannot carry the file
        return super().map_parsers()

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        body = operation.get("requestBody")
        if body is not None and self.method in ("POST", "PUT"):
            body["required"] = True  # the create and replace serializers all have required fields
        error = self.resolve_serializer(ApiErrorSerializer, "response").ref
        responses = operation.setdefault("responses", {})
        for status in self._error_statuses(operation):
            existing = responses.get(status)
            if existing is None or "content" not in existing:
                responses[status] = {
                    "description": (existing or {}).get("description") or ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": error}},
                }
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        statuses = ["401", "403", "404", "429"]
        queried = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if "requestBody" in operation or queried:
            statuses.append("400")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            statuses.append("409")
        if "requestBody" in operation:
            statuses += ["413", "415"]
        if self.method == "POST":
            statuses.append("422")
        return sorted(statuses)
