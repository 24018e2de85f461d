"""The series that describe state or come from workers: reconcile lag, beat tick age, integrations by
health, ladder delay, beat's ticks, and workers' counters added up by the web process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import signals
from django.test import Client
from django.utils import timezone

from calls.choices import CallSource
from calls.grouping import ObservedMessage, Perspective
from calls.sip_message import parse_sip_message
from calls.storing import store_integration_calls
from calls.tests.sip_samples import CONNECTOR_HOST, answered_call
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.factories import IntegrationFactory
from monitoring.heartbeats import record_beat_tick
from monitoring.models import Component, Heartbeat
from monitoring.tests.scrape import METRICS_TOKEN, scrape, value
from testing.processes import ROOT, worker_environment
from testing.world import TenantWorld


@pytest.fixture(autouse=True)
def metrics_token(settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN


def _applied(world: TenantWorld, finished_ago: timedelta, **conditions: str) -> Any:
    integration = IntegrationFactory(
        tenant=world.tenant,
        kind="connect_vapi",
        conditions=[
            {"type": type_, "status": status, "reason": "", "message": "", "last_transition_time": ""}
            for type_, status in conditions.items()
        ],
    )
    now = timezone.now()
    Run.objects.create(
        tenant=world.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.APPLY,
        state=RunState.SUCCEEDED,
        started_at=now - finished_ago - timedelta(seconds=5),
        finished_at=now - finished_ago,
    )
    return integration


@pytest.mark.django_db
def test_reconcile_lag_is_how_long_past_due_an_integration_waits(
    client: Client, world: TenantWorld, settings: Any
) -> None:
    settings.RECONCILE_INTERVAL = 300
    late = _applied(world, timedelta(seconds=300 + 120), Ready="True", Synced="True")
    _applied(world, timedelta(seconds=10), Ready="True", Synced="True")  # not due yet: no series

    samples = scrape(client)

    lag = value(samples, "patchbay_reconcile_lag_seconds", integration=late.name)
    assert 120 <= lag < 180
    assert len([key for key in samples if key[0] == "patchbay_reconcile_lag_seconds"]) == 1


@pytest.mark.django_db
def test_integrations_are_counted_by_health(client: Client, world: TenantWorld) -> None:
    _applied(world, timedelta(0), Ready="True", Synced="True")
    _applied(world, timedelta(0), Ready="True", Synced="False")
    _applied(world, timedelta(0), Ready="False")
    IntegrationFactory(tenant=world.tenant, kind="connect_vapi")  # never applied

    samples = scrape(client)

    counts = {
        s: value(samples, "patchbay_integrations", status=s)
        for s in ("healthy", "degraded", "down", "pending")
    }
    assert counts == {"healthy": 1, "degraded": 1, "down": 1, "pending": 1}


@pytest.mark.django_db
def test_beat_tick_age_counts_from_the_last_tick(client: Client) -> None:
    record_beat_tick(at=timezone.now() - timedelta(seconds=45))

    age = value(scrape(client), "patchbay_beat_last_tick_age_seconds")

    assert 45 <= age < 75


@pytest.mark.django_db
def test_beat_records_a_tick_each_time_it_publishes() -> None:
    signals.beat_init.send(sender=None)  # this process is beat from now on
    try:
        signals.before_task_publish.send(sender="monitoring.worker_heartbeat", headers={})
    finally:
        from monitoring import celery_signals

        celery_signals._process["beat"] = False

    assert Heartbeat.objects.filter(component=Component.BEAT).exists()


@pytest.mark.django_db
def test_a_stored_call_moves_the_ladder_delay(client: Client, world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    ended = timezone.now() - timedelta(seconds=40)
    texts = answered_call()
    observed = [
        ObservedMessage(
            at=ended - timedelta(milliseconds=50 * (len(texts) - i)),
            message=parse_sip_message(text),
            fingerprint=hashlib.sha256(f"{i}{text}".encode()).hexdigest(),
        )
        for i, text in enumerate(texts)
    ]
    before = scrape(client)

    store_integration_calls(
        integration, CallSource.CLOUDWATCH, observed, view=Perspective(name=CONNECTOR_HOST)
    )
    store_integration_calls(
        integration, CallSource.CLOUDWATCH, observed, view=Perspective(name=CONNECTOR_HOST)
    )

    after = scrape(client)
    count = "patchbay_ladder_delay_seconds_count"
    assert value(after, count, source="cloudwatch") == value(before, count, source="cloudwatch") + 1  # once
    total = "patchbay_ladder_delay_seconds_sum"
    assert 40 <= value(after, total, source="cloudwatch") - value(before, total, source="cloudwatch") < 70
    in_60 = value(after, "patchbay_ladder_delay_seconds_bucket", source="cloudwatch", le="60.0")
    assert in_60 - value(before, "patchbay_ladder_delay_seconds_bucket", source="cloudwatch", le="60.0") == 1


WORKER_COUNTS = """
import django
django.setup()
from monitoring import metrics
metrics.RUNS.labels("apply", "failed").inc(3)
metrics.VENDOR_REQUESTS.labels("vapi", "GET /credential", "200").inc()
"""


@pytest.mark.django_db
def test_counters_of_other_processes_are_added_up_in_multiprocess_mode(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    # Two "worker" processes count into the shared directory; the web process's /metrics adds them up.
    env = {**worker_environment(), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WORKER_COUNTS], env=env, cwd=ROOT, check=True, timeout=120)
    assert len(os.listdir(tmp_path)) >= 2  # one file per process, named by host and pid
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)

    samples = scrape(client)

    assert value(samples, "patchbay_runs_total", kind="apply", outcome="failed") == 6
    assert value(samples, "patchbay_vendor_requests_total", vendor="vapi", status="200") == 2
