"""The OpenAPI shapes of provider accounts and integrations: one variant per kind, discriminated on
`kind` (issue 17), so a client generated from the schema knows that a twilio_synthflow integration
takes the Twilio config and a Twilio and a Synthflow account, and a Twilio account its `account_sid`
and `auth_token`.

Only the schema reads these serializers. Requests are checked by serializers.py and the actions, from
the same per-kind schemas (kinds/, account_settings.py) these variants are built from; the schema tests
check that each kind's example passes both.
"""

from __future__ import annotations

import json
import re
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from integrations.account_settings import MAX_SECRET_LENGTH, SECRET_NAMES, SETTINGS_SCHEMAS, AwsSettings
from integrations.actions import ACCOUNT_NAME_MAX_LENGTH
from integrations.api.serializers import HealthSerializer
from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.connection_checks import OK, REFUSED, UNREACHABLE
from integrations.kinds import KINDS
from integrations.kinds.schema import StrictSerializer
from integrations.models.engine import RunKind, RunState
from integrations.models.integration import NAME_MAX_LENGTH, validate_integration_name

#: a secret as validate_secrets takes it: one line, not only blanks, no NUL
SECRET_PATTERN = r"^[^\r\n\x00]*[^\s\x00][^\r\n\x00]*$"
#: a name as the actions take it: some non-blank character, no NUL (DRF trims the blanks around it)
ACCOUNT_NAME_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


class StrictSerializerSchema(OpenApiSerializerExtension):
    """A StrictSerializer refuses keys it does not know, so its request schema says
    `additionalProperties: false`; `schema_constraints` adds what its `validate()` checks and a
    schema can say (e.g. "exactly one key")."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        for name, prop in schema.get("properties", {}).items():
            schema["properties"][name] = _default_in_words(_blank_once(prop))
        if direction == "request":
            schema["additionalProperties"] = False
            schema.update(getattr(self.target, "schema_constraints", {}))
            for prop in schema.get("properties", {}).values():
                _no_nul(prop)
        return schema


class KindVariant(serializers.Serializer):
    """One variant of a union discriminated on `kind` (schema only)."""

    #: the API refuses keys the variant does not name (declarations do; the create body ignores them)
    refuses_unknown_keys = False


class KindVariantSchema(OpenApiSerializerExtension):
    """`kind` is required in every variant, a patch's too: it is what says which variant applies (the
    API itself takes a patch without it, the object's kind being known)."""

    target_class = KindVariant
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        required = schema.setdefault("required", [])
        if "kind" not in required:
            required.insert(0, "kind")
        # drf-spectacular requires every read-only answer field; `connection` is there only sometimes.
        sometimes = [name for name, field in self.target.fields.items() if isinstance(field, ConnectionField)]
        schema["required"] = [name for name in required if name not in sometimes]
        if direction == "request" and self.target.refuses_unknown_keys:
            schema["additionalProperties"] = False
        return schema


#: DRF's CharField refuses NUL ("Null characters are not allowed."); a free-text field says so
NO_NUL_PATTERN = "^[^\\x00]*$"


def _no_nul(prop: dict[str, Any]) -> None:
    """A free-text string (no pattern, enum or format of its own) takes no NUL, as its field checks."""
    if prop.get("type") == "string" and not {"pattern", "enum", "format"} & set(prop):
        prop["pattern"] = NO_NUL_PATTERN


def _blank_once(prop: dict[str, Any]) -> dict[str, Any]:
    """drf-spectacular says "blank allowed" as `oneOf: [{maxLength: 0}, <field>]`; when the field's own
    pattern takes '' too, '' matches both and fails the `oneOf`: the field alone says it."""
    choices = prop.get("oneOf", [])
    blank = [c for c in choices if c.get("maxLength") == 0]
    fields = [c for c in choices if c.get("maxLength") != 0]
    if (
        len(choices) == 2
        and len(blank) == 1
        and "pattern" in fields[0]
        and re.search(fields[0]["pattern"], "")
    ):
        return {**{k: v for k, v in prop.items() if k != "oneOf"}, **fields[0]}
    return prop


def _default_in_words(prop: dict[str, Any]) -> dict[str, Any]:
    """A nested object's default, said in its description: generators (openapi-python-client) cannot
    give a model a default value, and drop the whole schema when one has."""
    if "allOf" in prop and isinstance(prop.get("default"), dict):
        prop = dict(prop)
        default = json.dumps(prop.pop("default"))
        prop["description"] = (prop.get("description", "") + f" Default: `{default}`.").strip()
    return prop


def _camel(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


def _kind_field(value: str, what: str) -> serializers.Field:
    """A `kind` that takes exactly `value` (the discriminator of one variant)."""
    field_class = type(f"{_camel(value)}{what}KindField", (serializers.CharField,), {})
    return extend_schema_field({"type": "string", "enum": [value]})(field_class)()


#: an integration's latest apply / reconcile / teardown, in short (`Run.summary()`), or null; inline,
#: because OpenAPI 3.0 validators do not apply `nullable` to a `$ref`
LATEST_RUN = {
    "type": "object",
    "nullable": True,
    "readOnly": True,
    "description": "The latest apply, reconcile or teardown (plans are previews); null before any.",
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string", "enum": RunKind.values},
        "state": {"type": "string", "enum": RunState.values},
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "started_at": {"type": "string", "format": "date-time", "nullable": True},
        "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    },
    "required": ["id", "kind", "state", "progress", "started_at", "finished_at"],
}


@extend_schema_field(LATEST_RUN)
class LatestRunField(serializers.JSONField):
    """`latest_run` (schema only)."""


#: the connection test a create or update answers with `VENDOR_CHECKS_ON_SAVE` (views.ON_SAVE); not
#: required (absent when checks on save are off) and read-only, so a generated client reads it
CONNECTION = {
    "type": "object",
    "readOnly": True,
    "description": "Create and update only, when Patchbay checks accounts on save: the connection test "
    "(see `test-connection`).",
    "properties": {
        "status": {"type": "string", "enum": [OK, REFUSED, UNREACHABLE]},
        "ok": {"type": "boolean"},
        "message": {"type": "string"},
    },
    "required": ["status", "ok", "message"],
}


@extend_schema_field(CONNECTION)
class ConnectionField(serializers.JSONField):
    """`connection` (schema only; KindVariantSchema leaves it out of `required`)."""


class AwsAccountSettings(AwsSettings):
    """AWS settings as answered: with the external id Patchbay generated (it cannot be set)."""

    external_id = serializers.CharField(read_only=True)


def _account_variant(kind: str) -> type[serializers.Serializer]:
    names = SECRET_NAMES[kind]
    secrets = type(
        f"{_camel(kind)}Secrets",
        (StrictSerializer,),
        {
            "__doc__": f"Secrets of a {kind} account: " + (", ".join(names) or "none (AWS: a role)") + ".",
            **{name: serializers.RegexField(SECRET_PATTERN, max_length=MAX_SECRET_LENGTH) for name in names},
        },
    )
    settings = AwsAccountSettings if kind == AccountKind.AWS else SETTINGS_SCHEMAS[kind]
    return type(
        f"{_camel(kind)}Account",
        (KindVariant,),
        {
            "__doc__": f"A {AccountKind(kind).label} provider account.",
            "id": serializers.CharField(read_only=True),
            "name": serializers.RegexField(
                ACCOUNT_NAME_PATTERN,
                max_length=ACCOUNT_NAME_MAX_LENGTH,
                help_text="Unique in the tenant.",
            ),
            "kind": _kind_field(kind, "Account"),
            "settings": settings(),
            "secrets": secrets(
                write_only=True,
                required=bool(names),
                help_text="Write-only. On update, only the secrets given change.",
            ),
            "secrets_set": serializers.ListField(
                child=serializers.CharField(), read_only=True, help_text="Names of the secrets stored."
            ),
            "external_id": serializers.CharField(
                read_only=True, allow_null=True, help_text="AWS only: the external id your role must require."
            ),
            "trust_policy": serializers.DictField(
                read_only=True, allow_null=True, help_text="AWS only: the role trust policy to paste."
            ),
            "permission_policy": serializers.DictField(
                read_only=True,
                allow_null=True,
                help_text="AWS only: the least-privilege permission policy to attach to the role.",
            ),
            "created_at": serializers.DateTimeField(read_only=True),
            "updated_at": serializers.DateTimeField(read_only=True),
            "connection": ConnectionField(required=False),
        },
    )


def _accounts_of(kind: str, by: str = "id") -> type[StrictSerializer]:
    """The accounts a kind needs, by id (an integration) or by name (a declaration)."""
    required = KINDS[kind].required_accounts

    def field(account_kind: str) -> serializers.Field:
        label = AccountKind(account_kind).label
        if by == "id":
            return serializers.UUIDField(help_text=f"Id of a {label} account of this tenant.")
        return serializers.RegexField(
            ACCOUNT_NAME_PATTERN,
            max_length=ACCOUNT_NAME_MAX_LENGTH,
            help_text=f"Name of a {label} account of this tenant.",
        )

    uses = " and ".join(f"a {AccountKind(k).label} account" for k in required)
    return type(
        f"{_camel(kind)}Accounts" if by == "id" else f"{_camel(kind)}AccountNames",
        (StrictSerializer,),
        {
            "__doc__": f"The provider accounts a {kind} integration uses: {uses}, by {by}.",
            **{str(account_kind): field(account_kind) for account_kind in required},
        },
    )


def _integration_variant(kind: str) -> type[serializers.Serializer]:
    return type(
        f"{_camel(kind)}Integration",
        (KindVariant,),
        {
            "__doc__": f"A {kind} integration ({IntegrationKind(kind).label}).",
            "id": serializers.CharField(read_only=True),
            "public_id": serializers.CharField(read_only=True),
            "name": serializers.RegexField(
                validate_integration_name.regex.pattern,
                max_length=NAME_MAX_LENGTH,
                help_text="Part of the provisioned resources' names: unique in the tenant, fixed once "
                "created.",
            ),
            "kind": _kind_field(kind, "Integration"),
            "accounts": _accounts_of(kind)(),
            "config": KINDS[kind].ConfigSerializer(),
            "policy": serializers.ChoiceField(choices=Policy.choices, default=Policy.HEAL),
            "conditions": serializers.ListField(child=serializers.DictField(), read_only=True),
            "health": HealthSerializer(read_only=True),
            "latest_run": LatestRunField(read_only=True),
            "created_at": serializers.DateTimeField(read_only=True),
            "updated_at": serializers.DateTimeField(read_only=True),
        },
    )


def _declaration_variant(kind: str) -> type[serializers.Serializer]:
    return type(
        f"{_camel(kind)}Declaration",
        (KindVariant,),
        {
            "__doc__": f"A {kind} integration ({IntegrationKind(kind).label}) as a declaration: the "
            "create body with provider accounts by name, nothing generated, no secret.",
            "refuses_unknown_keys": True,
            "name": serializers.RegexField(
                validate_integration_name.regex.pattern,
                max_length=NAME_MAX_LENGTH,
                help_text="Matches the tenant's integration of this name.",
            ),
            "kind": _kind_field(kind, "Declaration"),
            "accounts": _accounts_of(kind, by="name")(),
            "config": KINDS[kind].ConfigSerializer(),
            "policy": serializers.ChoiceField(choices=Policy.choices, default=Policy.HEAL),
        },
    )


ACCOUNT_VARIANTS = {kind: _account_variant(kind) for kind in AccountKind.values}
DECLARATION_VARIANTS = {kind: _declaration_variant(kind) for kind in IntegrationKind.values}
INTEGRATION_VARIANTS = {kind: _integration_variant(kind) for kind in IntegrationKind.values}


def account_schema(**kwargs: Any) -> PolymorphicProxySerializer:
    """Provider accounts, discriminated on `kind`."""
    return PolymorphicProxySerializer(
        component_name="ProviderAccount",
        serializers=ACCOUNT_VARIANTS,
        resource_type_field_name="kind",
        **kwargs,
    )


def declaration_schema(**kwargs: Any) -> PolymorphicProxySerializer:
    """Declarations (`export`, `declare`), discriminated on `kind`."""
    return PolymorphicProxySerializer(
        component_name="Declaration",
        serializers=DECLARATION_VARIANTS,
        resource_type_field_name="kind",
        **kwargs,
    )


def integration_schema(**kwargs: Any) -> PolymorphicProxySerializer:
    """Integrations, discriminated on `kind`."""
    return PolymorphicProxySerializer(
        component_name="Integration",
        serializers=INTEGRATION_VARIANTS,
        resource_type_field_name="kind",
        **kwargs,
    )
