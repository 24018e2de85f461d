"""What the engine records: one row per blueprint node, and runs with their events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class RunKind(models.TextChoices):
    PLAN = "plan", "Plan"
    APPLY = "apply", "Apply"
    RECONCILE = "reconcile", "Reconcile"
    TEARDOWN = "teardown", "Teardown"


class RunState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


ACTIVE_RUN_STATES = (RunState.QUEUED, RunState.RUNNING)


class NodeStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # in the blueprint, never created
    CREATING = "creating", "Creating"  # create sent; its answer may have been lost
    READY = "ready", "Ready"
    DRIFTED = "drifted", "Drifted"  # observed different from the spec (report policy)
    FAILED = "failed", "Failed"
    DELETING = "deleting", "Deleting"
    DELETED = "deleted", "Deleted"


class EventOutcome(models.TextChoices):
    STARTED = "started", "Started"
    OK = "ok", "OK"
    RETRY = "retry", "Retrying"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class ResourceNode(models.Model):
    """One node of an integration's blueprint and the external object it stands for."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="resources"
    )
    node = models.CharField(max_length=64)
    type = models.CharField(max_length=64)
    external_name = models.CharField(max_length=256, blank=True)
    external_id = models.CharField(max_length=512, blank=True)
    status = models.CharField(max_length=16, choices=NodeStatus.choices, default=NodeStatus.PENDING)
    #: set before a create is sent and cleared when its answer is saved (Crossplane's create-pending)
    create_pending_at = models.DateTimeField(null=True, blank=True)
    #: what was sent to a vendor that has no name to search by (e.g. the phone number ordered)
    intent = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    last_diff = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    last_observed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "node"], name="one_row_per_node")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.node} ({self.type})"


class Run(models.Model):
    """One plan / apply / reconcile / teardown of an integration, with progress and events."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.SET_NULL, null=True, related_name="runs"
    )
    integration_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    plan = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: refreshed while a worker executes the run; a stale heartbeat means the worker died
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One run at a time per integration, enforced by the database (DESIGN §2).
            models.UniqueConstraint(
                fields=["integration"],
                condition=Q(state__in=["queued", "running"]),
                name="one_active_run_per_integration",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.integration_name} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_RUN_STATES

    def summary(self) -> dict[str, Any]:
        """The short form shown as an integration's `latest_run`."""
        return {
            "id": str(self.pk),
            "kind": self.kind,
            "state": self.state,
            "progress": self.progress,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class RunEvent(models.Model):
    """One step of a run: node, action, outcome, duration, vendor request id, message (never a secret)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    node = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=32)
    outcome = models.CharField(max_length=16, choices=EventOutcome.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=128, blank=True)
    message = models.TextField(blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.node or 'run'} {self.action} {self.outcome}"
