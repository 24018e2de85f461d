"""Thin Celery tasks: load by id, call one engine function (STYLE.md "Tasks are thin")."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from integrations.engine import runs, schedule
from integrations.hooks import call_records, record_queue


@shared_task(name="integrations.execute_run", acks_late=True)
def execute_run_task(run_id: int) -> None:
    """Run one queued apply/reconcile/teardown; the engine writes events and conditions."""
    runs.execute_run(run_id)


@shared_task(name="integrations.enqueue_due_reconciles")
def enqueue_due_reconciles_task() -> int:
    """Beat: queue reconciliation of the integrations that are due, spread over the tick."""
    return schedule.enqueue_due_reconciles(enqueue=queue_run)


def queue_run(run_id: int, countdown: float = 0) -> None:
    """Hand one requested run to a worker (what `request_run`'s callers pass as `enqueue`)."""
    execute_run_task.apply_async(args=[run_id], countdown=countdown)


@shared_task(name="integrations.record_voice_webhook", acks_late=True, ignore_result=True)
def record_voice_webhook_task(
    tenant_id: int, integration_id: str, call_sid: str, params: dict[str, Any], at: str
) -> bool:
    """Store the voice webhook's record of one call (published by integrations/hooks/call_log.py)."""
    return call_records.write_record(tenant_id, integration_id, call_sid, params, at)


@shared_task(name="integrations.drain_voice_records", acks_late=True, ignore_result=True)
def drain_voice_records_task() -> int:
    """Write the voice webhook's records queued in Redis (integrations/hooks/record_queue.py)."""
    written, more = record_queue.drain()
    if more:  # a long queue is written by a chain of drains, one batch each
        drain_voice_records_task.apply_async()
    return written
