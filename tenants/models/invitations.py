"""Invitations: membership is offered by email and becomes real only when the invited person accepts."""

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

INVITATION_TOKEN_PREFIX = "pbi_"


def hash_invitation_token(token: str) -> str:
    """sha256 hex digest under which an invitation link's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def generate_invitation_token() -> str:
    """A new single-use link token (never stored in clear)."""
    return INVITATION_TOKEN_PREFIX + secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An offer of `role` in a tenant to whoever reads `email`'s inbox; used once, then done."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "invitation"

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"

    def is_pending(self, now: datetime | None = None) -> bool:
        """Neither accepted, revoked nor expired."""
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires_at > (now or timezone.now())
        )

    @property
    def status(self) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "pending" if self.is_pending() else "expired"
