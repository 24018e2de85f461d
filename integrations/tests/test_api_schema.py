"""The OpenAPI document says what the API takes (issue 17): it is a valid OpenAPI 3.0 document, each
kind's example is valid for the schema and accepted by the API, and what the API answers is valid for
the schema; a check no schema can say (an account that does not exist) answers 400 with a message."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rest_framework import serializers

from integrations.account_settings import SETTINGS_SCHEMAS
from integrations.api.examples import ACCOUNT_EXAMPLES, INTEGRATION_EXAMPLES
from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import KINDS
from integrations.tests.factories import ProviderAccountFactory
from tenants.choices import Role
from tenants.tests.api_schema import served_schema
from testing.world import TenantWorld

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


def _component(ref: str) -> dict[str, Any]:
    return DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _resolved(prop: dict[str, Any]) -> dict[str, Any]:
    """A property with its `$ref` (or drf-spectacular's `allOf: [$ref]`) folded in."""
    if "$ref" in prop:
        return _component(prop["$ref"])
    if "allOf" in prop:
        return {**_component(prop["allOf"][0]["$ref"]), **{k: v for k, v in prop.items() if k != "allOf"}}
    return prop


def promises(field: serializers.Field) -> dict[str, Any]:
    """What the schema must say of `field` for it to describe what the field checks."""
    said: dict[str, Any] = {}
    if isinstance(field, serializers.RegexField):
        said["pattern"] = next(v.regex.pattern for v in field.validators if hasattr(v, "regex"))
    if isinstance(field, serializers.ChoiceField):
        said["enum"] = list(field.choices)
    if isinstance(field, serializers.CharField) and field.max_length is not None:
        said["maxLength"] = field.max_length
    if isinstance(field, serializers.ListField) and field.max_length is not None:
        said["maxItems"] = field.max_length
    if isinstance(field, serializers.IntegerField):
        said.update(minimum=field.min_value, maximum=field.max_value)
    return said


def variant_part(union: str, kind: str, part: str) -> dict[str, Any]:
    """`part` (config, settings) of the `kind` variant of union component `union`, resolved."""
    variant = _component(DOCUMENT["components"]["schemas"][union]["discriminator"]["mapping"][kind])
    return _resolved(variant["properties"][part])


CHECKED = [
    *[("IntegrationRequest", kind, "config", module.ConfigSerializer) for kind, module in KINDS.items()],
    *[("ProviderAccountRequest", kind, "settings", schema) for kind, schema in SETTINGS_SCHEMAS.items()],
]


@pytest.mark.parametrize(
    ("union", "kind", "part", "serializer"), CHECKED, ids=[f"{part}-{kind}" for _, kind, part, _ in CHECKED]
)
def test_enums_patterns_lengths_and_ranges_are_the_serializers(
    union: str, kind: str, part: str, serializer: type[serializers.Serializer]
) -> None:
    schema = variant_part(union, kind, part)
    fields = {name: f for name, f in serializer().fields.items() if not f.read_only}

    assert set(schema["properties"]) == set(fields)
    assert set(schema.get("required", [])) == {name for name, f in fields.items() if f.required}
    assert schema["additionalProperties"] is False  # a StrictSerializer refuses unknown keys
    for name, field in fields.items():
        prop = _resolved(schema["properties"][name])
        said = {key: prop.get(key) for key in promises(field)}
        assert said == promises(field), (kind, name)


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


def test_the_schemas_kind_enum_names_cover_every_kind(settings: Any) -> None:
    """settings.py names each kind's discriminator enum from a list of its own (settings load before
    the apps): it must be the kinds there are."""
    assert tuple(settings.INTEGRATION_KIND_VALUES) == tuple(IntegrationKind.values)
