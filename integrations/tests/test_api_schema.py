"""The OpenAPI document says what the API takes (issue 17): it is a valid OpenAPI 3.0 document, each
kind's example is valid for the schema and accepted by the API, and what the API answers is valid for
the schema; a check no schema can say (an account that does not exist) answers 400 with a message."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from integrations.api.schema import ACCOUNT_EXAMPLES, INTEGRATION_EXAMPLES
from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import KINDS
from integrations.tests.factories import ProviderAccountFactory
from tenants.choices import Role
from tenants.tests.fixtures import TenantWorld
from tenants.tests.test_api_fuzz import served_schema

DOCUMENT = served_schema()


def problems(component: str, value: Any) -> list[str]:
    """Why `value` is not valid for `#/components/schemas/<component>` (empty when it is)."""
    schema = {"$ref": f"#/components/schemas/{component}", "components": DOCUMENT["components"]}
    return [error.message for error in OAS30Validator(schema).iter_errors(value)]


def test_the_document_is_valid_openapi() -> None:
    validate(DOCUMENT)  # raises on any violation of the OpenAPI 3.0 schema and its rules


def test_integration_and_account_bodies_are_unions_discriminated_on_kind() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    assert schemas["IntegrationRequest"]["discriminator"]["propertyName"] == "kind"
    assert set(schemas["IntegrationRequest"]["discriminator"]["mapping"]) == set(IntegrationKind.values)
    assert set(schemas["ProviderAccountRequest"]["discriminator"]["mapping"]) == set(AccountKind.values)
    twilio = schemas["TwilioSynthflowIntegrationRequest"]
    assert twilio["properties"]["config"] == {"$ref": "#/components/schemas/TwilioSynthflowConfigRequest"}
    accounts = schemas["TwilioSynthflowAccountsRequest"]
    assert sorted(accounts["required"]) == ["synthflow", "twilio"]
    assert accounts["additionalProperties"] is False
    assert schemas["TwilioAccountRequest"]["properties"]["secrets"]["writeOnly"] is True
    assert schemas["TwilioSecretsRequest"]["required"] == ["auth_token"]


def test_every_error_answer_is_documented_with_the_error_shape() -> None:
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}, (method, path)


@pytest.mark.parametrize("kind", AccountKind.values)
def test_each_account_example_is_schema_valid_and_accepted(world: TenantWorld, kind: str) -> None:
    body = ACCOUNT_EXAMPLES[kind]
    assert problems("ProviderAccountRequest", body) == []

    answer = world.api(Role.OPERATOR).post("/api/v1/accounts/", body, format="json")

    assert answer.status_code == 201, answer.json()
    assert problems("ProviderAccount", answer.json()) == []
    assert "secrets" not in answer.json()


@pytest.mark.parametrize("kind", IntegrationKind.values)
def test_each_integration_example_is_schema_valid_and_accepted(world: TenantWorld, kind: str) -> None:
    body = INTEGRATION_EXAMPLES[kind]
    assert problems("IntegrationRequest", body) == []
    accounts = {
        account_kind: str(ProviderAccountFactory(tenant=world.tenant, kind=account_kind).pk)
        for account_kind in KINDS[kind].required_accounts
    }
    api = world.api(Role.OPERATOR)

    created = api.post("/api/v1/integrations/", {**body, "accounts": accounts}, format="json")

    assert created.status_code == 201, created.json()
    assert problems("Integration", created.json()) == []
    listed = api.get("/api/v1/integrations/").json()
    assert problems("PaginatedIntegrationList", listed) == []


def test_a_schema_valid_body_naming_no_account_of_the_tenant_is_a_400_saying_so(world: TenantWorld) -> None:
    body = INTEGRATION_EXAMPLES[IntegrationKind.TWILIO_SYNTHFLOW]
    assert problems("IntegrationRequest", body) == []

    answer = world.api(Role.OPERATOR).post("/api/v1/integrations/", body, format="json")

    assert answer.status_code == 400
    assert problems("ApiError", answer.json()) == []
    twilio_id = body["accounts"]["twilio"]
    assert answer.json()["errors"]["accounts.twilio"] == [
        f"No twilio account with id {twilio_id} in this tenant."
    ]
