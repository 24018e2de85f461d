"""The audit log: who changed what in a tenant, when, from where, with the diff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class AuditEvent(models.Model):
    """One mutation, written by an action in the same transaction as the change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="audit_events")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_token = models.ForeignKey(
        "tenants.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: who it was, as text, so the log still reads well after the user or token is gone
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    #: {field: [old, new]} with every secret replaced by "********"
    diff = models.JSONField(default=dict, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "audit_event"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at"], name="audit_tenant_at"),
            models.Index(fields=["tenant", "action"], name="audit_tenant_action"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr} by {self.actor_label or 'system'}"
