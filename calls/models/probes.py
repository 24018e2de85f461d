"""SIP targets of an integration and the history of OPTIONS probes sent to them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from calls.choices import ProbeStatus, TargetState, Transport
from tenants.querysets import TenantScopedQuerySet


class SipTarget(models.Model):
    """A host:port an integration's calls go to, with its reachability after hysteresis."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="sip_targets"
    )
    #: what the target is, e.g. "Vapi credential host" (from the blueprint node it came from)
    label = models.CharField(max_length=100, blank=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=5060)
    transport = models.CharField(max_length=8, choices=Transport.choices, default=Transport.UDP)
    state = models.CharField(max_length=16, choices=TargetState.choices, default=TargetState.UNKNOWN)
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_successes = models.PositiveIntegerField(default=0)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    last_probed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["integration", "host", "port", "transport"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "host", "port", "transport"], name="one_target_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.transport}:{self.host}:{self.port} ({self.state})"


class ProbeResult(models.Model):
    """One OPTIONS probe: what came back, how fast, and the target's state after it."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="probe_results"
    )
    target = models.ForeignKey(SipTarget, on_delete=models.CASCADE, related_name="results")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=ProbeStatus.choices)
    #: the IP address the probe went to (the host resolved)
    address = models.CharField(max_length=64, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    reason_phrase = models.CharField(max_length=255, blank=True)
    rtt_ms = models.FloatField(null=True, blank=True)
    #: the answer's Server (or User-Agent) header
    server = models.CharField(max_length=255, blank=True)
    message = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)
    state_after = models.CharField(max_length=16, choices=TargetState.choices)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["integration", "-at"])]

    def __str__(self) -> str:
        return f"{self.target_id} {self.status} {self.response_code or ''}".strip()


class ProbeRequest(models.Model):
    """Someone asked to probe an integration's SIP targets now: queued for a worker, which runs it
    (a probe waits up to its timeout per target, too long for a web request)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="probe_requests"
    )
    requested_by = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    #: what came of it in words, e.g. "Probed 2 SIP targets: 1 answered."
    summary = models.TextField(blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["integration", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.integration_id} {self.state}"

    @property
    def is_pending(self) -> bool:
        """True while it waits for a worker or runs."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)
