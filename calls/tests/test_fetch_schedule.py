"""A call's ladder is in Patchbay within 60 s of its end: the beat tick and the idle read interval,
as configured, make an idle integration's first call due in time, whatever the tick's phase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from calls import fetch_schedule
from calls.models import CallLogCursor
from calls.tasks import fetch_recent_calls_task
from controlplane.celery import app
from integrations.models import ResourceNode
from integrations.tests.factories import IntegrationFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
#: seconds a queued fetch may take to run (worker pickup, two FilterLogEvents reads, storing)
FETCH_BUDGET = 5.0


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
def test_a_call_right_after_a_read_is_read_again_within_60_seconds_of_its_end(
    phase: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    tick = float(settings.CELERY_BEAT_SCHEDULE["fetch-recent-calls"]["schedule"])
    integration = idle_integration_read_at(T0)
    call_end = T0 + timedelta(milliseconds=1)  # just missed by the last read: the worst case
    now = T0 + timedelta(seconds=tick * phase)

    while True:
        monkeypatch.setattr(timezone, "now", lambda moment=now: moment)
        if str(integration.pk) in fetch_schedule.due_integration_ids():
            break
        assert now - call_end < timedelta(seconds=120), "never due"
        now += timedelta(seconds=tick)

    assert (now - call_end).total_seconds() + FETCH_BUDGET <= 60


def test_a_read_is_not_repeated_on_every_tick_while_no_call_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    integration = idle_integration_read_at(T0)
    monkeypatch.setattr(timezone, "now", lambda: T0 + timedelta(seconds=1))

    assert str(integration.pk) not in fetch_schedule.due_integration_ids()
