"""One word for an integration's health, from its conditions and SIP targets: for metrics and alerts.

A small rollup of its own: the dashboard's health page (integrations/health.py,
being written separately) may later become the one definition both use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from integrations.engine.conditions import ConditionStatus, ConditionType, Reason

#: Ready=False for these reasons is work in progress, not an outage
_IN_PROGRESS = {Reason.DELETING}


class HealthStatus(models.TextChoices):
    """How an integration is doing, worst last."""

    PENDING = "pending", "Pending"
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"


def _status(conditions: Iterable[dict[str, Any]], type_: str) -> tuple[str, str]:
    for condition in conditions:
        if condition.get("type") == type_:
            return condition.get("status", ConditionStatus.UNKNOWN), condition.get("reason", "")
    return ConditionStatus.UNKNOWN, ""


def health_of(conditions: list[dict[str, Any]], *, target_down: bool = False) -> str:
    """Down: not Ready (and not just being made). Degraded: Ready, but drifted or failing to
    reconcile, not registered, or a SIP target down. Pending: never applied or in progress."""
    ready, reason = _status(conditions, ConditionType.READY)
    if ready == ConditionStatus.UNKNOWN or (ready == ConditionStatus.FALSE and reason in _IN_PROGRESS):
        return HealthStatus.PENDING
    if ready == ConditionStatus.FALSE:
        return HealthStatus.DOWN
    synced, _ = _status(conditions, ConditionType.SYNCED)
    registered, _ = _status(conditions, ConditionType.REGISTERED)
    if synced == ConditionStatus.FALSE or registered == ConditionStatus.FALSE or target_down:
        return HealthStatus.DEGRADED
    return HealthStatus.HEALTHY
