"""What diagnostics and the Registered evaluation leave behind: reports of findings, and the
registration state of an integration (its components, and when its Synthflow number was attached)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class Trigger(models.TextChoices):
    """Why a diagnostics report was made."""

    APPLY = "apply", "After apply"
    RECONCILE = "reconcile", "After reconcile"
    MANUAL = "manual", "On demand"


class DiagnosticReport(models.Model):
    """One run of an integration's checks: every finding, ok or not."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="diagnostic_reports"
    )
    created_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    #: [{check, title, status, severity, message, evidence, fix}] (integrations/diagnostics/findings.py)
    findings = models.JSONField(default=list, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["integration", "-created_at"], name="diag_report_latest")]

    def __str__(self) -> str:
        return f"diagnostics of {self.integration_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def problems(self) -> list[dict]:
        """The findings that are problems."""
        return [f for f in self.findings if f.get("status") == "problem"]


class RegistrationState(models.Model):
    """The components behind an integration's Registered condition, as last evaluated."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, related_name="registration_state"
    )
    #: [{name, state: ok|pending|problem|unknown, reason, message}]
    components = models.JSONField(default=list, blank=True)
    #: when Patchbay made the Synthflow number the inbound assistant's number
    attached_at = models.DateTimeField(null=True, blank=True)
    #: when Synthflow was first seen taking a call to that number (its call list); until then
    #: whether its SIP side takes calls is unknown
    registered_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"registration of {self.integration_id}"
