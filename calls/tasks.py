"""Thin Celery tasks: load by id, call one calls/ function (STYLE.md "Tasks are thin")."""

from __future__ import annotations

from celery import shared_task

from calls import fetch_schedule, probe_schedule
from calls.models import ProbeRequest
from calls.probe_requests import run_probe_request
from calls.probes import probe_integration
from integrations.models import Integration


@shared_task(name="calls.fetch_recent_calls")
def fetch_recent_calls_task() -> int:
    """Beat: queue a log read for each integration whose connector log is due; returns how many."""
    due = fetch_schedule.due_integration_ids()
    for integration_id in due:
        fetch_integration_calls_task.delay(integration_id)
    return len(due)


@shared_task(name="calls.fetch_integration_calls", acks_late=True)
def fetch_integration_calls_task(integration_id: str) -> int:
    """Read one integration's connector log since its cursor; returns the number of calls touched."""
    integration = Integration.objects.select_related("aws_account").get(pk=integration_id)
    return len(fetch_schedule.fetch_since_cursor(integration).calls)


@shared_task(name="calls.enqueue_due_probes")
def enqueue_due_probes_task() -> int:
    """Beat: queue a probe round for each integration whose targets are due; returns how many."""
    due = probe_schedule.due_integration_ids()
    for integration_id in due:
        probe_integration_task.delay(integration_id)
    return len(due)


@shared_task(name="calls.probe_integration", acks_late=True)
def probe_integration_task(integration_id: str) -> int:
    """Send one OPTIONS to every SIP target of an integration; returns the number of probes."""
    integration = Integration.objects.get(pk=integration_id)
    return len(probe_integration(integration))


@shared_task(name="calls.run_probe_request", acks_late=True)
def run_probe_request_task(request_id: int) -> str:
    """Carry out a probe someone asked for (dashboard or API); returns its state afterwards."""

    request = ProbeRequest.objects.select_related("integration").get(pk=request_id)
    return run_probe_request(request).state
