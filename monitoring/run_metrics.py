"""Counting finished runs by kind and outcome, with their duration (a receiver of the engine's event)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from integrations.engine.events import run_finished
from monitoring import metrics

if TYPE_CHECKING:
    from integrations.models import Run


@receiver(run_finished)
def count_finished_run(run: Run, **_: Any) -> None:
    """One run reached succeeded or failed."""
    metrics.RUNS.labels(run.kind, run.state).inc()
    if run.started_at and run.finished_at:
        seconds = (run.finished_at - run.started_at).total_seconds()
        metrics.RUN_DURATION.labels(run.kind, run.state).observe(max(seconds, 0.0))
