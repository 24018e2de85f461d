"""A queued alert's delivery, in the worker (`alerts.tasks.deliver_alert_task`; queued by
`alerts.actions`): send it, count it, and show the last failure on the destination's page."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from alerts.delivery import Alert, DeliveryFailed, deliver
from alerts.models import AlertDestination
from monitoring import metrics

logger = logging.getLogger("alerts.actions")


def deliver_alert(destination_id: int, payload: dict[str, Any]) -> None:
    """Send one queued alert (the task's body); a success clears the destination's error."""
    destination = AlertDestination.objects.select_related("tenant").filter(pk=destination_id).first()
    if destination is None:
        return  # deleted since the alert was queued
    alert = Alert(payload["event"], payload["title"], payload.get("text", ""), payload.get("details") or {})
    try:
        deliver(destination, alert)
    except DeliveryFailed:
        metrics.ALERTS.labels(destination.kind, "failed").inc()
        raise
    metrics.ALERTS.labels(destination.kind, "sent").inc()
    AlertDestination.objects.filter(pk=destination.pk).update(
        last_sent_at=timezone.now(), last_error="", last_error_at=None
    )


def record_delivery_failure(destination_id: int, message: str) -> None:
    """Every attempt failed: show why on the destination's page."""
    logger.warning("alert destination %s failed: %s", destination_id, message)
    AlertDestination.objects.filter(pk=destination_id).update(
        last_error=message[:1000], last_error_at=timezone.now()
    )
