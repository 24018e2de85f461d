"""What Twilio told Patchbay about live calls: `<Sip>` leg status callbacks and refused webhook requests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class TwilioEventKind(models.TextChoices):
    """Where a Twilio call event came from."""

    #: a status callback of the `<Dial><Sip>` leg to Synthflow (initiated, ringing, answered, completed)
    SIP_STATUS = "sip_status", "SIP leg status"
    #: the voice webhook request Patchbay answered (what came in, the TwiML that went out), recorded
    #: by the Celery worker from a task published before the answer (integrations/hooks/call_log.py)
    VOICE_WEBHOOK = "voice_webhook", "Voice webhook answered"
    #: a webhook request refused for a bad or missing X-Twilio-Signature (sampled, see hooks/views.py)
    SIGNATURE_REJECTED = "signature_rejected", "Signature rejected"


class TwilioCallEvent(models.Model):
    """One event of a twilio_synthflow integration's calls, as Twilio reported it."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="twilio_call_events")
    integration = models.ForeignKey(
        "integrations.Integration", on_delete=models.CASCADE, related_name="twilio_call_events"
    )
    kind = models.CharField(max_length=32, choices=TwilioEventKind.choices)
    #: Twilio's CallSid of the leg the event is about (empty for refused requests without one)
    call_sid = models.CharField(max_length=64, blank=True, default="", db_index=True)
    #: the request parameters Twilio sent (CallStatus, SipResponseCode, ...) or, when refused, why
    params = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["integration", "kind", "at"], name="twilio_event_integration_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_sid or '-'} at {self.at:%Y-%m-%d %H:%M:%S}"
