"""Fixed value sets of alerts."""

from __future__ import annotations

from django.db import models


class DestinationKind(models.TextChoices):
    """Where an alert goes."""

    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook (Slack-compatible, signed)"


class AlertEvent(models.TextChoices):
    """What an alert is about."""

    INTEGRATION_DEGRADED = "integration_degraded", "Integration degraded"
    INTEGRATION_DOWN = "integration_down", "Integration down"
    RUN_FAILED = "run_failed", "Run failed"
    PROBE_DOWN = "probe_down", "SIP probe target down"
    DRIFT_FOUND = "drift_found", "Drift found (report policy)"
    TEST = "test", "Test alert"


class AlertsAuditAction(models.TextChoices):
    """Audit actions of alert destinations."""

    DESTINATION_CREATED = "alert_destination.created", "Alert destination created"
    DESTINATION_DELETED = "alert_destination.deleted", "Alert destination deleted"
    TEST_SENT = "alert_destination.test_sent", "Test alert sent"
