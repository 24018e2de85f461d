"""Remembered POST responses for the `Idempotency-Key` header."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class IdempotencyRecord(models.Model):
    """The first response to a POST with a given key, per tenant and principal (kept 24 h)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    #: "user:<id>" or "token:<id>": the same key from two principals is two requests
    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    #: sha256 of method, path and body: the same key with another body is refused
    fingerprint = models.CharField(max_length=64)
    #: null while the first request is still being handled
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            # Two concurrent requests with one key: the second insert fails, so only one runs.
            models.UniqueConstraint(
                fields=["tenant", "principal", "key"], name="one_record_per_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
