"""The OpenAPI schema of the tenancy and integration endpoints generates cleanly and names their shapes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

#: where this part of the API lives; warnings about other modules are their owners' to fix
OWN_MODULES = ("integrations/api/", "integrations/kinds/", "tenants/api/", "tenants/authentication")
OWN_PATHS = (
    "/api/v1/accounts/",
    "/api/v1/integrations/",
    "/api/v1/tokens/",
    "/api/v1/members/",
    "/api/v1/audit/",
)


def _generate() -> tuple[dict[str, Any], list[str]]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    return schema, problems


def test_the_schema_is_valid_with_no_warnings_from_these_endpoints() -> None:
    schema, problems = _generate()

    validate_schema(schema)
    assert [p for p in problems if any(module in p for module in OWN_MODULES)] == []
    assert [p for p in problems if "Transport" in p or "TenantTokenAuthentication" in p] == []
    for path in OWN_PATHS:
        assert path in schema["paths"], path


def test_the_schema_documents_token_auth_and_the_per_kind_shapes() -> None:
    schema, _ = _generate()
    components = schema["components"]

    assert components["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A tenant API token: `Token <key>`. The token decides the tenant and the role.",
    }
    for name in (
        "ConnectVapiConfig",
        "ConnectSynthflowConfig",
        "GenesysSynthflowConfig",
        "TwilioSynthflowConfig",
    ):
        assert name in components["schemas"], name
    assert "secrets" not in components["schemas"]["ProviderAccount"]["properties"]
    assert "secrets" in components["schemas"]["ProviderAccountRequest"]["properties"]
    assert "key" in components["schemas"]["ApiTokenCreated"]["properties"]
    assert "key" not in components["schemas"]["ApiToken"]["properties"]
    list_params = {p["name"] for p in schema["paths"]["/api/v1/integrations/"]["get"]["parameters"]}
    assert {"kind", "name", "page", "page_size"} <= list_params
