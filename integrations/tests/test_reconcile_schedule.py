"""Reconciliation runs once per RECONCILE_INTERVAL per integration, not once per beat tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.engine.schedule import due_integrations, enqueue_due_reconciles
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

INTERVAL = 300
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
#: the beat schedule's tick (controlplane/settings.py CELERY_BEAT_SCHEDULE)
TICK = timedelta(seconds=30)


@pytest.fixture(autouse=True)
def interval(settings) -> int:
    settings.RECONCILE_INTERVAL = INTERVAL
    return INTERVAL


def finished_run(integration: Integration, kind: str, at: datetime, state: str = RunState.SUCCEEDED) -> Run:
    return Run.objects.create(
        tenant=integration.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=kind,
        state=state,
        progress=100,
        created_at=at - timedelta(seconds=5),
        started_at=at - timedelta(seconds=5),
        finished_at=at,
    )


def ticks(start: datetime, end: datetime) -> list[datetime]:
    """Every beat tick from start (inclusive) to end (exclusive)."""
    out, at = [], start
    while at < end:
        out.append(at)
        at += TICK
    return out


def test_nothing_is_due_between_a_reconcile_and_the_next_interval() -> None:
    integration = IntegrationFactory()
    interval = timedelta(seconds=INTERVAL)
    finished_run(integration, RunKind.APPLY, T0)
    finished_run(integration, RunKind.RECONCILE, T0 + interval)

    for now in ticks(T0 + interval, T0 + 2 * interval):
        assert due_integrations(now=now) == [], f"due at t0+{(now - T0).total_seconds():.0f}s"
    assert due_integrations(now=T0 + 2 * interval) == [integration]


def test_a_beat_queues_one_reconcile_per_interval_over_an_hour() -> None:
    """Driving the beat with a controlled clock: 12 reconciles in an hour at I=300 s, not 120."""
    integration = IntegrationFactory()
    finished_run(integration, RunKind.APPLY, T0)
    queued: list[datetime] = []

    for now in ticks(T0, T0 + timedelta(hours=1)):
        enqueue_due_reconciles(now=now, enqueue=lambda run_id, countdown: None)
        active = Run.objects.filter(integration=integration, state=RunState.QUEUED).first()
        if active is not None:
            # The worker runs it at once: it finishes within this tick.
            queued.append(now)
            Run.objects.filter(pk=active.pk).update(state=RunState.SUCCEEDED, started_at=now, finished_at=now)

    assert queued == [T0 + k * timedelta(seconds=INTERVAL) for k in range(1, 3600 // INTERVAL)]


def test_a_failed_reconcile_waits_a_whole_interval_too() -> None:
    integration = IntegrationFactory()
    finished_run(integration, RunKind.APPLY, T0)
    finished_run(integration, RunKind.RECONCILE, T0 + timedelta(seconds=INTERVAL), state=RunState.FAILED)

    assert due_integrations(now=T0 + timedelta(seconds=INTERVAL + 60)) == []


def test_never_applied_deleting_and_busy_integrations_are_not_due() -> None:
    later = T0 + timedelta(days=1)
    never_applied = IntegrationFactory()
    finished_run(never_applied, RunKind.APPLY, T0, state=RunState.FAILED)
    deleting = IntegrationFactory(deleting=True)
    finished_run(deleting, RunKind.APPLY, T0)
    busy = IntegrationFactory()
    finished_run(busy, RunKind.APPLY, T0)
    Run.objects.create(
        tenant=busy.tenant, integration=busy, integration_name=busy.name, kind=RunKind.APPLY, created_at=later
    )
    due = IntegrationFactory()
    finished_run(due, RunKind.APPLY, T0)

    assert due_integrations(now=later) == [due]


def test_the_longest_waiting_integration_comes_first() -> None:
    first, second = IntegrationFactory(), IntegrationFactory()
    finished_run(second, RunKind.APPLY, T0 + timedelta(seconds=10))
    finished_run(first, RunKind.APPLY, T0)
    finished_run(first, RunKind.RECONCILE, T0 + timedelta(seconds=5))

    assert due_integrations(now=T0 + timedelta(days=1)) == [first, second]
