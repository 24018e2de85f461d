"""Provider accounts: a tenant's credentials for one vendor, secrets encrypted at rest."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.choices import AccountKind
from integrations.encryption import decrypt_secrets, encrypt_secrets
from tenants.querysets import TenantScopedQuerySet

# AWS suggests an unguessable external id per customer for the confused-deputy
# problem; STS accepts 2-1224 characters of [\w+=,.@:/-], hex is safe everywhere.
EXTERNAL_ID_BYTES = 24


def generate_external_id() -> str:
    """A new random AWS external id (48 hex characters)."""
    return secrets.token_hex(EXTERNAL_ID_BYTES)


class ProviderAccount(models.Model):
    """Credentials for one vendor account (AWS role, Vapi key, ...), used by a tenant's integrations."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="provider_accounts")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    #: non-secret settings, validated per kind (integrations/account_settings.py)
    settings = models.JSONField(default=dict, blank=True)
    #: a Fernet token of the JSON dict of secret values; read through `read_secrets()` only
    encrypted_secrets = models.TextField(blank=True, default="")
    #: which secrets are set, so lists can show it without decrypting anything
    secret_names = models.JSONField(default=list, blank=True)
    #: AWS only: the external id the customer's role trust policy requires
    external_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    #: columns holding ciphertext, re-encrypted by `manage.py rotate_secrets`
    encrypted_fields = ("encrypted_secrets",)
    audit_type = "provider_account"

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="account_name_unique_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.kind == AccountKind.AWS and not self.external_id:
            self.external_id = generate_external_id()
        super().save(*args, **kwargs)

    def read_secrets(self) -> dict[str, str]:
        """Decrypted secrets for vendor clients; never for API responses, logs or events."""
        return decrypt_secrets(self.encrypted_secrets)

    def set_secrets(self, values: dict[str, str]) -> None:
        """Replace the stored secrets with `values` (encrypted under the newest key); caller saves."""
        self.encrypted_secrets = encrypt_secrets(values) if values else ""
        self.secret_names = sorted(values)

    def permission_policy(self) -> dict[str, Any] | None:
        """AWS only: the least-privilege policy the customer attaches to the role (aws_permissions.py)."""
        if self.kind != AccountKind.AWS:
            return None
        from integrations.aws_permissions import account_id_of, permission_policy  # loads botocore models

        return permission_policy(account_id_of(str((self.settings or {}).get("role_arn", ""))))

    def trust_policy(self) -> dict[str, Any] | None:
        """AWS only: the IAM role trust policy the customer pastes so Patchbay may assume the role."""
        if self.kind != AccountKind.AWS:
            return None
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{settings.PATCHBAY_AWS_ACCOUNT_ID}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": self.external_id}},
                }
            ],
        }
