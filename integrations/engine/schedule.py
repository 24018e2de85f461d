"""Which integrations are due for reconciliation, spread over time rather than all at once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from integrations.engine.runs import request_run
from integrations.models import Integration
from integrations.models.engine import ACTIVE_RUN_STATES, Run, RunKind, RunState

#: at most this many reconciles are queued per beat tick, so a restart after an
#: outage does not flood the vendors with every integration at once
RECONCILE_BATCH = 50


def due_integrations(now: Any = None, limit: int = RECONCILE_BATCH) -> list[Integration]:
    """Applied integrations whose last run of any kind ended RECONCILE_INTERVAL ago or more, oldest first."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.RECONCILE_INTERVAL)
    # Each condition on runs is its own subquery. Filtering on `runs__...` and then
    # annotating Max("runs__finished_at") would reuse the filtered join, so "last
    # finished" would be the last successful *apply*, and an integration would be due
    # on every beat tick once that apply was older than the interval.
    runs = Run.objects.filter(integration=OuterRef("pk"))
    applied = Exists(runs.filter(kind=RunKind.APPLY, state=RunState.SUCCEEDED))
    active = Exists(runs.filter(state__in=ACTIVE_RUN_STATES))
    return list(
        Integration.objects.filter(applied, ~active, deleting=False)
        .annotate(last_finished=Max("runs__finished_at"))
        .filter(last_finished__lte=cutoff)
        .select_related("tenant")
        .order_by("last_finished")[:limit]
    )


def enqueue_due_reconciles(
    tick_seconds: float = 30.0,
    *,
    enqueue: Callable[[int, float], None],
    now: Any = None,
) -> int:
    """Queue a reconcile for each due integration, spreading their start over one beat tick:
    `enqueue(run_id, countdown)` is the queue (`integrations.tasks.queue_run` from beat).

    `now` and `enqueue` let a test drive the beat with its own clock and queue.
    """
    due = due_integrations(now=now)
    spacing = tick_seconds / max(len(due), 1)
    for index, integration in enumerate(due):
        countdown = index * spacing
        request_run(integration, RunKind.RECONCILE, enqueue=functools.partial(_later, enqueue, countdown))
    return len(due)


def _later(enqueue: Callable[[int, float], None], countdown: float, run_id: int) -> None:
    enqueue(run_id, countdown)
