"""How soon a call is read (issue 15, "Ladder latency"): the beat tick and the idle and active read
intervals, as configured, make an idle integration's first call due within the idle interval and half a
tick of its end, whatever the tick's phase, and an active one's read every active interval, not on
every tick. bench/bench_ladder_latency.py measures the end-to-end time with a real worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from calls import fetch_schedule
from calls.models import CallLogCursor
from calls.tasks import fetch_recent_calls_task
from calls.tests.factories import SipCallFactory
from controlplane.celery import app
from integrations.models import ResourceNode
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def idle_integration_read_at(moment: datetime) -> Any:
    integration = IntegrationFactory(kind="connect_vapi")
    ResourceNode.objects.create(
        tenant=integration.tenant,
        integration=integration,
        node="voice_connector",
        type="chime.VoiceConnector",
        external_id="vc1234567890",
        outputs={"id": "vc1234567890"},
    )
    CallLogCursor.objects.create(
        tenant=integration.tenant, integration=integration, fetched_until=moment, fetched_at=moment
    )
    return integration


def test_beat_runs_the_fetch_job() -> None:
    entry = app.conf.beat_schedule["fetch-recent-calls"]
    assert entry["task"] == fetch_recent_calls_task.name
    assert entry["task"] in app.tasks


@pytest.mark.parametrize("phase", [0.01, 0.5, 0.99])
def test_a_call_right_after_a_read_is_read_again_within_the_idle_interval_and_half_a_tick(
    phase: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    tick = float(settings.CELERY_BEAT_SCHEDULE["fetch-recent-calls"]["schedule"])
    assert tick == settings.CALLS_FETCH_TICK_SECONDS == 5
    integration = idle_integration_read_at(T0)
    call_end = T0 + timedelta(milliseconds=1)  # just missed by the last read: the worst case
    now = T0 + timedelta(seconds=tick * phase)

    while True:
        monkeypatch.setattr(timezone, "now", lambda moment=now: moment)
        if str(integration.pk) in fetch_schedule.due_integration_ids():
            break
        assert now - call_end < timedelta(seconds=120), "never due"
        now += timedelta(seconds=tick)

    assert (now - call_end).total_seconds() <= settings.CALLS_IDLE_FETCH_SECONDS + tick / 2 == 17.5


def test_an_active_integration_is_read_every_active_interval_not_on_every_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tick = settings.CALLS_FETCH_TICK_SECONDS
    integration = idle_integration_read_at(T0)
    SipCallFactory(tenant=integration.tenant, integration=integration, started_at=T0 - timedelta(seconds=30))
    due_at = []
    for step in range(1, 9):  # 40 s of ticks
        now = T0 + timedelta(seconds=step * tick)
        monkeypatch.setattr(timezone, "now", lambda moment=now: moment)
        if str(integration.pk) in fetch_schedule.due_integration_ids():
            due_at.append(step * tick)
            # The worker starts the read a moment after the tick: the next is still due 10 s later.
            read_at = now + timedelta(seconds=0.5)
            CallLogCursor.objects.filter(integration=integration).update(
                fetched_at=read_at, fetched_until=read_at
            )

    assert settings.CALLS_ACTIVE_FETCH_SECONDS == 10
    assert due_at == [10, 20, 30, 40]


def test_a_read_is_not_repeated_on_every_tick_while_no_call_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    integration = idle_integration_read_at(T0)
    monkeypatch.setattr(timezone, "now", lambda: T0 + timedelta(seconds=1))

    assert str(integration.pk) not in fetch_schedule.due_integration_ids()
