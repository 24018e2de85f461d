"""Alert destinations of a tenant, and what was last sent about each thing (for debouncing)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from alerts.choices import AlertEvent, DestinationKind
from tenants.querysets import TenantScopedQuerySet


def all_events() -> list[str]:
    """Every event but the test alert (a new destination hears about everything)."""
    return [event for event in AlertEvent.values if event != AlertEvent.TEST]


class AlertDestination(models.Model):
    """An email address or a webhook URL a tenant's alerts go to, with how the last delivery went."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=DestinationKind.choices)
    #: an email address (kind email), or the webhook URL's scheme and host only (kind webhook): a
    #: Slack-style URL's path is itself a credential, so the whole URL is kept encrypted below
    target = models.CharField(max_length=500)
    #: Fernet ciphertext of {"url": ..., "signing_secret": ...} (webhooks only); the secret is shown once
    secrets_ciphertext = models.TextField(blank=True)
    events = models.JSONField(default=all_events)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    #: why the last delivery failed after every retry; cleared by the next success
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "alert_destination"
    #: re-encrypted by `manage.py rotate_secrets` (integrations/rotation.py)
    encrypted_fields = ("secrets_ciphertext",)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="alert_destination_name_unique_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def failing(self) -> bool:
        return bool(self.last_error)


class AlertDebounce(models.Model):
    """When an alert about one thing (`key`, e.g. a probe target) was last sent, so flapping is quiet."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    #: the last state reported for `key` (e.g. an integration's health), to alert on changes only
    last_value = models.CharField(max_length=32, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key"], name="one_debounce_row_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.last_value})"
