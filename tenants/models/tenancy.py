"""Tenants and who belongs to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from tenants.choices import Role
from tenants.querysets import TenantScopedQuerySet

# Slugs become part of vendor object names (`pb-<tenant>-<integration>-<node>`,
# integrations/engine/names.py), so they keep to the characters every vendor accepts.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?$"
validate_tenant_slug = RegexValidator(
    SLUG_PATTERN,
    "Use 1-30 lowercase letters, digits or hyphens, starting and ending with a letter or digit.",
)


class Tenant(models.Model):
    """A customer organisation: every integration, account, token and audit row belongs to one."""

    slug = models.CharField(max_length=30, unique=True, validators=[validate_tenant_slug])
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    audit_type = "tenant"

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name or self.slug


class Membership(models.Model):
    """A user's role in one tenant; a user may belong to several tenants."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "membership"

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.role})"
