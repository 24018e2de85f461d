"""API tokens: a tenant-scoped key with a role, hashed at rest and shown once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenants.choices import Role
from tenants.querysets import TenantScopedQuerySet

KEY_PREFIX = "pb_"
# 32 random bytes: a key that cannot be guessed, so a fast unsalted hash is
# enough at rest (no password stretching needed, unlike human passwords).
KEY_BYTES = 32
# Characters of the key kept in clear so people can tell their tokens apart.
DISPLAY_PREFIX_LENGTH = 10


def hash_key(key: str) -> str:
    """The sha256 hex digest under which a key is stored and looked up."""
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> str:
    """A new random token key (`pb_` + 43 URL-safe characters)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


class ApiToken(models.Model):
    """A tenant's API key with a role; only its hash and a short prefix are stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=Role.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prefix = models.CharField(max_length=DISPLAY_PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "api_token"

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime | None = None) -> bool:
        """True once `expires_at` has passed."""
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def effective_role(self) -> str | None:
        """The role the token acts with: its own, but never above its creator's current role
        (None once the creator is no longer a member). Authentication annotates `creator_role`.
        """
        if hasattr(self, "creator_role"):
            creator_role = self.creator_role
        elif self.created_by_id is None:  # the creator's user was deleted
            creator_role = None
        else:
            from tenants.models.tenancy import Membership

            creator_role = (
                Membership.objects.filter(tenant_id=self.tenant_id, user_id=self.created_by_id)
                .values_list("role", flat=True)
                .first()
            )
        if creator_role is None:
            return None
        return self.role if Role.rank(self.role) <= Role.rank(creator_role) else creator_role

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired()
