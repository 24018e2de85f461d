"""API shapes of provider accounts and integrations (DESIGN §8 "Resource shapes").

Serializers check shapes and resolve ids; the actions validate settings,
secrets and config per kind and write the change (errors keyed by dotted field).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from integrations.account_settings import SECRET_NAMES, SETTINGS_SCHEMAS
from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.health import HealthStatus, health_for, health_for_many
from integrations.kinds import KINDS
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import RunKind


def merge_patch(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """JSON merge patch (RFC 7396) at the top level: given keys replace, null removes."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class ObjectField(serializers.JSONField):
    """A JSON object (not a list or scalar)."""

    default_error_messages = {"not_object": "Expected an object."}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_object")
        return value


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ProviderAccountSettings",
        serializers=list(SETTINGS_SCHEMAS.values()),
        resource_type_field_name=None,
    )
)
class SettingsField(ObjectField):
    """Per-kind account settings."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "writeOnly": True,
        "description": "Secret values by name: "
        + "; ".join(f"{kind}: {', '.join(names) or 'none'}" for kind, names in SECRET_NAMES.items()),
    }
)
class SecretsField(ObjectField):
    """Write-only secret values by name."""


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="IntegrationConfig",
        serializers=[module.ConfigSerializer for module in KINDS.values()],
        resource_type_field_name=None,
    )
)
class ConfigField(ObjectField):
    """Per-kind integration config."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": 'Provider account id by account kind, e.g. {"aws": "<id>", "vapi": "<id>"}.',
    }
)
class AccountsField(ObjectField):
    """`{account kind: account id}`."""

    def get_attribute(self, instance: Integration) -> dict[str, str]:
        return instance.account_ids()


class ProviderAccountSerializer(serializers.ModelSerializer):
    """A provider account; `secrets` are accepted but never returned (`secrets_set` names those stored)."""

    id = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    settings = SettingsField()
    secrets = SecretsField(write_only=True, required=False)
    secrets_set = serializers.ListField(child=serializers.CharField(), source="secret_names", read_only=True)
    external_id = serializers.SerializerMethodField(
        help_text="AWS only: the external id your role must require."
    )
    trust_policy = serializers.SerializerMethodField(help_text="AWS only: the role trust policy to paste.")
    permission_policy = serializers.SerializerMethodField(
        help_text="AWS only: the least-privilege permission policy to attach to the role."
    )

    class Meta:
        model = ProviderAccount
        fields = [
            "id",
            "name",
            "kind",
            "settings",
            "secrets",
            "secrets_set",
            "external_id",
            "trust_policy",
            "permission_policy",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_external_id(self, account: ProviderAccount) -> str | None:
        return account.external_id or None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_trust_policy(self, account: ProviderAccount) -> dict[str, Any] | None:
        return account.trust_policy()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_permission_policy(self, account: ProviderAccount) -> dict[str, Any] | None:
        return account.permission_policy()

    def to_representation(self, instance: ProviderAccount) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.kind == AccountKind.AWS:
            data["settings"] = {**instance.settings, "external_id": instance.external_id}
        return data

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError(
                "The kind of an account cannot be changed; create a new account."
            )
        return kind

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "secrets" not in attrs:
            attrs["secrets"] = {}  # the action names each missing secret
        if self.partial and self.instance is not None and "settings" in attrs:
            attrs["settings"] = merge_patch(self.instance.settings, attrs["settings"])
        return attrs


class HealthSerializer(serializers.Serializer):
    """An integration's one health (integrations/health.py): status, and the reason in words."""

    status = serializers.ChoiceField(choices=HealthStatus.choices)
    label = serializers.CharField(
        help_text="The status with its reason, e.g. `Degraded: the last call failed 401 — …`."
    )
    reason = serializers.CharField(help_text="Why, in words; empty when healthy.")
    details = serializers.ListField(
        child=serializers.CharField(), help_text="Every reason found, most serious first."
    )


class IntegrationListSerializer(serializers.ListSerializer):
    """A page of integrations, their health read for the whole page at once (no query per row)."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if hasattr(data, "all") else data)
        self.context["health"] = health_for_many(items)
        return super().to_representation(items)


class IntegrationSerializer(serializers.ModelSerializer):
    """An integration: kind, accounts by kind, per-kind config, policy, conditions, health and latest run."""

    id = serializers.CharField(read_only=True)
    public_id = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=IntegrationKind.choices)
    accounts = AccountsField()
    config = ConfigField()
    policy = serializers.ChoiceField(choices=Policy.choices, default=Policy.HEAL)
    conditions = serializers.JSONField(read_only=True)
    latest_run = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()

    class Meta:
        model = Integration
        list_serializer_class = IntegrationListSerializer
        fields = [
            "id",
            "public_id",
            "name",
            "kind",
            "accounts",
            "config",
            "policy",
            "conditions",
            "health",
            "latest_run",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Name checks (pattern, uniqueness) are the action's, with one message each.
        extra_kwargs = {"name": {"validators": []}}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_latest_run(self, integration: Integration) -> dict[str, Any] | None:
        # Plans are previews; the latest run is the latest apply / reconcile / teardown.
        prefetched = getattr(integration, "latest_runs", None)
        if prefetched is not None:
            run = prefetched[0] if prefetched else None
        else:
            run = integration.runs.exclude(kind=RunKind.PLAN).first()
        return run.summary() if run is not None else None

    @extend_schema_field(HealthSerializer)
    def get_health(self, integration: Integration) -> dict[str, Any]:
        known = self.context.get("health") or {}
        health = known.get(integration.pk) or health_for(integration)
        return health.as_json()

    def validate_name(self, name: str) -> str:
        if self.instance is not None and name != self.instance.name:
            raise serializers.ValidationError(
                "The name is part of the provisioned resources' names and cannot be changed."
            )
        return name

    def validate_kind(self, kind: str) -> str:
        if self.instance is not None and kind != self.instance.kind:
            raise serializers.ValidationError("The kind of an integration cannot be changed.")
        return kind

    def validate_accounts(self, value: dict[str, Any]) -> dict[str, ProviderAccount]:
        errors: dict[str, list[str]] = {}
        wanted: dict[str, uuid.UUID] = {}
        for kind, account_id in value.items():
            if kind not in AccountKind.values:
                errors[kind] = [f"Unknown account kind; expected one of: {', '.join(AccountKind.values)}."]
                continue
            try:
                wanted[kind] = uuid.UUID(str(account_id))
            except ValueError:
                errors[kind] = [f"No {kind} account with id {account_id!r} in this tenant."]
        found = {
            account.pk: account
            for account in self.context["view"].scoped(ProviderAccount).filter(pk__in=wanted.values())
        }
        accounts: dict[str, ProviderAccount] = {}
        for kind, pk in wanted.items():
            account = found.get(pk)
            if account is None or account.kind != kind:
                errors[kind] = [f"No {kind} account with id {pk} in this tenant."]
            else:
                accounts[kind] = account
        if errors:
            raise serializers.ValidationError(errors)
        return accounts

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial and self.instance is not None and "config" in attrs:
            attrs["config"] = merge_patch(self.instance.config, attrs["config"])
        return attrs
