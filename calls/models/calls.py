"""SIP calls and their messages, as fetched from logs or read from uploaded traces."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from calls.choices import CallSource, Direction
from tenants.querysets import TenantScopedQuerySet


class SipTrace(models.Model):
    """An uploaded SIP trace file and what was read from it (its calls point back here)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    #: "pcap", "pcapng" or "text log"
    format = models.CharField(max_length=16)
    size = models.PositiveBigIntegerField(default=0)
    #: message-looking blocks that could not be parsed as SIP
    skipped = models.PositiveIntegerField(default=0)
    uploaded_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    audit_type = "trace"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format})"


class SipCall(models.Model):
    """One call (one SIP Call-ID) with its final status and the reason for a failure in words."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    #: null for uploaded traces, which belong to no integration
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, null=True, blank=True, related_name="calls"
    )
    #: the uploaded trace the call was read from (source `upload`)
    trace = models.ForeignKey(SipTrace, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    source = models.CharField(max_length=16, choices=CallSource.choices)
    #: the SIP Call-ID header of the call's messages
    call_id = models.CharField(max_length=255)
    #: the vendor's own call ids (e.g. Chime's `call_id` / transaction id) seen for this call
    legs = models.JSONField(default=list, blank=True)
    #: ladder columns, in order of first appearance: [{"address", "name"}]
    hosts = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    final_status = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    #: the user part of the first INVITE's From and To (the caller's and the called number, usually E.164)
    from_number = models.CharField(max_length=255, blank=True)
    to_number = models.CharField(max_length=255, blank=True)
    #: the ladder column that gave the final answer (or where the first INVITE went): e.g. Vapi's SIP host
    far_end = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # Fetching the same log twice updates the call instead of adding a second one.
            models.UniqueConstraint(
                fields=["integration", "source", "call_id"],
                condition=Q(integration__isnull=False),
                name="one_call_per_integration_source_call_id",
            )
        ]
        indexes = [models.Index(fields=["tenant", "integration", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.call_id} ({self.final_status or 'no final response'})"

    @property
    def is_failure(self) -> bool:
        """True when the call ended without a 2xx (or with no final response at all)."""
        return self.final_status is None or self.final_status >= 300

    @property
    def outcome(self) -> str:
        """The call's outcome in a word or two: "Answered", "Failed (486)", "No final response"."""
        if self.final_status is None:
            return "No final response"
        if not self.is_failure:
            return "Answered"
        return f"Failed ({self.final_status})"

    @property
    def duration(self) -> timedelta:
        """From the first message seen to the last (the INVITE to the BYE's answer of an answered call)."""
        return max(self.ended_at - self.started_at, timedelta(0))


class SipMessageRecord(models.Model):
    """One SIP message of a call (or the SMA Lambda's decision, drawn as a pseudo-hop)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(SipCall, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField()
    #: order among messages of the same instant
    seq = models.PositiveIntegerField(default=0)
    src = models.CharField(max_length=255)
    dst = models.CharField(max_length=255)
    label = models.CharField(max_length=255)
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.UNKNOWN)
    raw = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    is_failure = models.BooleanField(default=False)
    #: hash of where the message came from and its text: the same log event stored twice is one row
    fingerprint = models.CharField(max_length=64)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "fingerprint"], name="one_message_per_fingerprint")
        ]

    def __str__(self) -> str:
        return f"{self.src} → {self.dst}: {self.label}"


class CallLogCursor(models.Model):
    """How far an integration's connector log has been read, so periodic fetches read only what is new."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, related_name="call_log_cursor"
    )
    fetched_until = models.DateTimeField()
    fetched_at = models.DateTimeField()
    last_note = models.TextField(blank=True)

    objects = TenantScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.integration_id} until {self.fetched_until:%Y-%m-%d %H:%M:%S}"
