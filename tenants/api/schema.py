"""OpenAPI description of Patchbay's token authentication (drf-spectacular extension)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
