"""Celery tasks of the tenants app."""

from __future__ import annotations

import socket

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection

from tenants.api.idempotency import purge_expired_records


@shared_task(name="tenants.ping")
def ping(echo: str) -> dict[str, object]:
    """Answer from a worker with what it sees: proves broker, worker and database connection end to end."""
    return {
        "echo": echo,
        "hostname": socket.gethostname(),
        "database": connection.settings_dict["NAME"],
        "users": get_user_model().objects.count(),
    }


@shared_task(name="tenants.purge_expired_idempotency_records")
def purge_expired_idempotency_records() -> int:
    """Beat, hourly: forget replayable responses older than their 24-hour window."""
    return purge_expired_records()
