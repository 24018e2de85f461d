"""Which integrations are due for reconciliation, spread over time rather than all at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from integrations.engine.runs import request_run
from integrations.models import Integration
from integrations.models.engine import RunKind, RunState

#: at most this many reconciles are queued per beat tick, so a restart after an
#: outage does not flood the vendors with every integration at once
RECONCILE_BATCH = 50


def due_integrations(now: Any = None, limit: int = RECONCILE_BATCH) -> list[Integration]:
    """Applied integrations whose last run ended at least RECONCILE_INTERVAL ago, oldest first."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RECONCILE_INTERVAL)
    applied = Q(runs__kind=RunKind.APPLY, runs__state=RunState.SUCCEEDED)
    return list(
        Integration.objects.filter(applied, deleting=False)
        .annotate(last_finished=Max("runs__finished_at"))
        .filter(last_finished__lte=cutoff)
        .exclude(runs__state__in=[RunState.QUEUED, RunState.RUNNING])
        .select_related("tenant")
        .order_by("last_finished")
        .distinct()[:limit]
    )


def enqueue_due_reconciles(tick_seconds: float = 30.0) -> int:
    """Queue a reconcile for each due integration, spreading their start over one beat tick."""
    from integrations.tasks import execute_run_task

    due = due_integrations()
    spacing = tick_seconds / max(len(due), 1)
    for index, integration in enumerate(due):
        countdown = index * spacing

        def enqueue(run_id: int, countdown: float = countdown) -> None:
            execute_run_task.apply_async(args=[run_id], countdown=countdown)

        request_run(integration, RunKind.RECONCILE, enqueue=enqueue)
    return len(due)
