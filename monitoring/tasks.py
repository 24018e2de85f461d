"""Thin Celery tasks of monitoring (STYLE.md "Tasks are thin")."""

from __future__ import annotations

import socket

from celery import shared_task

from monitoring.heartbeats import record_heartbeat
from monitoring.models import Component


@shared_task(name="monitoring.worker_heartbeat", ignore_result=True)
def worker_heartbeat_task() -> None:
    """Beat, every HEARTBEAT_SECONDS: the worker that takes it records that it is alive."""
    hostname = getattr(worker_heartbeat_task.request, "hostname", None) or socket.gethostname()
    record_heartbeat(Component.WORKER, hostname)
