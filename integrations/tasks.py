"""Thin Celery tasks: load by id, call one engine function (STYLE.md "Tasks are thin")."""

from __future__ import annotations

from celery import shared_task

from integrations.engine import runs, schedule


@shared_task(name="integrations.execute_run", acks_late=True)
def execute_run_task(run_id: int) -> None:
    """Run one queued apply/reconcile/teardown; the engine writes events and conditions."""
    runs.execute_run(run_id)


@shared_task(name="integrations.enqueue_due_reconciles")
def enqueue_due_reconciles_task() -> int:
    """Beat: queue reconciliation of the integrations that are due, spread over the tick."""
    return schedule.enqueue_due_reconciles()
