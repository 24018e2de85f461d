"""When beat last published a task and each worker last ran its heartbeat task (for /readyz and metrics)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Component(models.TextChoices):
    """Which background process a heartbeat is from."""

    BEAT = "beat", "Celery beat"
    WORKER = "worker", "Celery worker"


class Heartbeat(models.Model):
    """The last sign of life of one beat or worker (by host name); not tenant data."""

    component = models.CharField(max_length=16, choices=Component.choices)
    name = models.CharField(max_length=255)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["component", "name"], name="one_heartbeat_per_process")
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.name} at {self.seen_at:%H:%M:%S}"
