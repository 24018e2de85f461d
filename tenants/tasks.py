"""Celery tasks of the tenants app."""

from __future__ import annotations

from celery import shared_task

from tenants.api.idempotency import purge_expired_records


@shared_task(name="tenants.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Beat, hourly: forget replayable responses older than their 24-hour window."""
    return purge_expired_records()
