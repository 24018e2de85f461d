"""Thin Celery tasks of alerts (STYLE.md "Tasks are thin"): one delivery, retried with backoff."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from alerts import deliveries
from alerts.delivery import DeliveryFailed

#: deliveries tried this many times in all before the destination is marked failing
DELIVERY_ATTEMPTS = 5


@shared_task(
    name="alerts.deliver_alert",
    bind=True,
    acks_late=True,
    max_retries=DELIVERY_ATTEMPTS - 1,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    ignore_result=True,
)
def deliver_alert_task(self: Any, destination_id: int, alert: dict[str, Any]) -> None:
    """Send one alert to one destination; retried on failure, and the last failure shown on its page."""
    try:
        deliveries.deliver_alert(destination_id, alert)
    except DeliveryFailed as error:
        if self.request.retries + 1 >= DELIVERY_ATTEMPTS:
            deliveries.record_delivery_failure(destination_id, str(error))
            return
        raise self.retry(exc=error, countdown=min(5 * 2**self.request.retries, 300)) from None
