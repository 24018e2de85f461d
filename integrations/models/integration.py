"""Integrations: the desired state of one contact-center → voice-AI path of a tenant."""

from __future__ import annotations

import secrets
import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from integrations.choices import AccountKind, IntegrationKind, Policy
from integrations.models.accounts import ProviderAccount
from tenants.querysets import TenantScopedQuerySet

# Names become part of vendor object names (`pb-<tenant>-<integration>-<node>`),
# and Vapi caps names at 40 characters (PROVIDERS.md §2.2).
NAME_MAX_LENGTH = 40
validate_integration_name = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
    "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
)

#: the Integration column that links the account of each kind
ACCOUNT_FIELDS: dict[str, str] = {
    AccountKind.AWS: "aws_account",
    AccountKind.VAPI: "vapi_account",
    AccountKind.SYNTHFLOW: "synthflow_account",
    AccountKind.GENESYS: "genesys_account",
    AccountKind.TWILIO: "twilio_account",
}


def generate_public_id() -> str:
    """A random URL-safe id for public URLs (the Twilio webhook); 22 characters."""
    return secrets.token_urlsafe(16)


def _account_link(kind: str) -> models.ForeignKey:
    # PROTECT: an account still used by an integration cannot vanish under it.
    return models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=f"integrations_as_{kind}",
        limit_choices_to={"kind": kind},
    )


class Integration(models.Model):
    """One integration of a kind, with the provider accounts it uses and its per-kind config."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="integrations")
    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_integration_name])
    public_id = models.CharField(max_length=32, unique=True, default=generate_public_id, editable=False)
    kind = models.CharField(max_length=32, choices=IntegrationKind.choices)
    aws_account = _account_link(AccountKind.AWS)
    vapi_account = _account_link(AccountKind.VAPI)
    synthflow_account = _account_link(AccountKind.SYNTHFLOW)
    genesys_account = _account_link(AccountKind.GENESYS)
    twilio_account = _account_link(AccountKind.TWILIO)
    #: validated and defaulted by integrations/kinds/<kind>.py
    config = models.JSONField(default=dict, blank=True)
    policy = models.CharField(max_length=16, choices=Policy.choices, default=Policy.HEAL)
    #: [{type, status, reason, message, last_transition_time}], owned by the engine
    conditions = models.JSONField(default=list, blank=True)
    deleting = models.BooleanField(default=False)
    teardown_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "integration"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="integration_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name

    def account_ids(self) -> dict[str, str]:
        """`{account kind: account id}` of the linked accounts (no query)."""
        ids = {kind: getattr(self, f"{field}_id") for kind, field in ACCOUNT_FIELDS.items()}
        return {kind: str(pk) for kind, pk in ids.items() if pk is not None}

    def account(self, kind: str) -> ProviderAccount | None:
        """The linked provider account of `kind`, if any."""
        return getattr(self, ACCOUNT_FIELDS[kind])

    def set_accounts(self, accounts: dict[str, ProviderAccount]) -> None:
        """Link exactly `accounts` (by kind), unlinking kinds not given; caller saves."""
        for kind, field in ACCOUNT_FIELDS.items():
            setattr(self, field, accounts.get(kind))
