"""Signs of life of beat and the workers, kept in the database where web processes can read them.

Beat records a tick whenever it publishes a task (monitoring/celery_signals.py),
and publishes `monitoring.worker_heartbeat` every `HEARTBEAT_SECONDS`; the worker
that runs it records its host name. Readiness allows two intervals of silence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from monitoring.models import Component, Heartbeat

BEAT_NAME = "beat"


def record_heartbeat(component: str, name: str, at: datetime | None = None) -> None:
    """Note that `component` `name` is alive now (one row per process name, updated in place)."""
    Heartbeat.objects.update_or_create(
        component=component, name=name[:255], defaults={"seen_at": at or timezone.now()}
    )


def record_beat_tick(at: datetime | None = None) -> None:
    """Beat published a task."""
    record_heartbeat(Component.BEAT, BEAT_NAME, at)


def last_seen(component: str) -> datetime | None:
    """The latest heartbeat of any process of `component`, or None if there never was one."""
    row = Heartbeat.objects.filter(component=component).order_by("-seen_at").first()
    return row.seen_at if row else None


def seen_within(component: str, seconds: float, now: datetime | None = None) -> bool:
    """True if some process of `component` showed life in the last `seconds`."""
    seen = last_seen(component)
    return seen is not None and seen >= (now or timezone.now()) - timedelta(seconds=seconds)


def allowed_silence() -> float:
    """Seconds without a heartbeat before beat or the workers count as gone: two intervals."""
    return 2 * settings.HEARTBEAT_SECONDS
