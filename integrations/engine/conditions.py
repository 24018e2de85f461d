"""Conditions on an integration, as Kubernetes objects carry them: Ready, Synced, Registered.

Each is `{type, status: "True"|"False"|"Unknown", reason, message,
last_transition_time}`; the reason is a short fixed word, the message is for
people. The transition time changes only when the status does.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class ConditionType(models.TextChoices):
    READY = "Ready", "Ready"
    SYNCED = "Synced", "Synced"
    REGISTERED = "Registered", "Registered"


class ConditionStatus(models.TextChoices):
    TRUE = "True", "True"
    FALSE = "False", "False"
    UNKNOWN = "Unknown", "Unknown"


class Reason(models.TextChoices):
    """Every reason a run sets. A create whose answer was lost is not a condition: the node is
    `creating` (`NodeStatus.CREATING`) and the next run adopts what the create made."""

    AVAILABLE = "Available", "Available"
    DELETING = "Deleting", "Deleting"
    APPLY_FAILED = "ApplyFailed", "Apply failed"
    RECONCILE_SUCCESS = "ReconcileSuccess", "Reconcile succeeded"
    RECONCILE_ERROR = "ReconcileError", "Reconcile error"
    DRIFTED = "Drifted", "Drifted"


def set_condition(
    conditions: list[dict[str, Any]], type_: str, status: str, reason: str, message: str = ""
) -> list[dict[str, Any]]:
    """The conditions with one type set; the transition time moves only when the status changes."""
    now = timezone.now().isoformat()
    updated: list[dict[str, Any]] = []
    found = False
    for condition in conditions:
        if condition.get("type") != type_:
            updated.append(condition)
            continue
        found = True
        changed = condition.get("status") != status
        updated.append(
            {
                "type": type_,
                "status": status,
                "reason": reason,
                "message": message,
                "last_transition_time": now if changed else condition.get("last_transition_time", now),
            }
        )
    if not found:
        updated.append(
            {
                "type": type_,
                "status": status,
                "reason": reason,
                "message": message,
                "last_transition_time": now,
            }
        )
    order = {t.value: i for i, t in enumerate(ConditionType)}
    return sorted(updated, key=lambda c: order.get(c["type"], 99))


def get_condition(conditions: list[dict[str, Any]], type_: str) -> dict[str, Any] | None:
    """The condition of a type, if set."""
    return next((c for c in conditions if c.get("type") == type_), None)
