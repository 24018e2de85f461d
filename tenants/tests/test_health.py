"""/healthz and /readyz as a load balancer or an orchestrator sees them."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from monitoring.heartbeats import record_beat_tick, record_heartbeat
from monitoring.models import Component, Heartbeat
from monitoring.readiness import broker_can_broadcast
from monitoring.tasks import worker_heartbeat_task
from testing.processes import WorkerProcess
from testing.waits import wait_until


def closed_port() -> int:
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_ok_without_touching_the_database(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


#: seconds for the heartbeat task to go through the broker and a real worker
HEARTBEAT_DEADLINE = 30.0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_readyz_answers_ok_when_every_part_is_up(
    client: Client, celery_worker_process: WorkerProcess
) -> None:
    record_beat_tick()  # what beat's process does when it publishes
    # The heartbeat beat sends: through the broker to the real worker, which records itself. (On Redis
    # the worker part pings instead; the worker answers that too.)
    worker_heartbeat_task.delay()
    wait_until(
        Heartbeat.objects.filter(component=Component.WORKER).exists,
        timeout=HEARTBEAT_DEADLINE,
        message=lambda: f"no worker heartbeat:\n{celery_worker_process.log()[-3000:]}",
    )

    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {"database": "ok", "broker": "ok", "beat": "ok", "worker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_beat_and_worker_when_they_were_never_seen(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["beat"]) == ("ok", "ok", "failed")
    assert body["errors"]["beat"] == "beat has never ticked"
    if not broker_can_broadcast(settings.CELERY_BROKER_URL):
        # (On Redis any worker on the broker may answer the ping, one of another test for instance.)
        assert body["worker"] == "failed"
        assert "heartbeat" in body["errors"]["worker"]


@pytest.mark.django_db
def test_readyz_checks_only_the_parts_asked_for(client: Client) -> None:
    # A load balancer in front of the web processes asks for what serving needs, not for beat.
    response = client.get("/readyz?parts=database,broker")

    assert response.status_code == 200, response.content
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_readyz_fails_beat_after_two_silent_intervals(client: Client, settings: object) -> None:
    settings.HEARTBEAT_SECONDS = 30  # type: ignore[attr-defined]
    record_beat_tick(at=timezone.now() - timedelta(seconds=61))
    record_heartbeat(Component.WORKER, "worker@host")

    body = client.get("/readyz").json()

    assert body["beat"] == "failed"
    assert "more than 60s ago" in body["errors"]["beat"]
    if not broker_can_broadcast(settings.CELERY_BROKER_URL):
        # Embedded broker: the worker's heartbeat is its answer. (On Redis a real ping decides.)
        assert body["worker"] == "ok"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis_broker(client: Client) -> None:
    url = f"redis://:hunter2-broker-password@127.0.0.1:{closed_port()}/0"
    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "failed"
    assert "refused" in body["errors"]["broker"].lower()
    assert "hunter2" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_names_an_unreachable_embedded_broker(client: Client) -> None:
    record_beat_tick()
    with override_settings(CELERY_BROKER_URL="sqla+sqlite:////nonexistent-dir/patchbay/broker.sqlite3"):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body == {
        "database": "ok",
        "broker": "failed",
        "beat": "ok",
        "worker": "failed",
        "errors": {"broker": body["errors"]["broker"], "worker": "cannot tell: the broker is unreachable"},
    }
    assert "unable to open database file" in body["errors"]["broker"]


@pytest.mark.django_db(transaction=True)
def test_readyz_names_an_unreachable_database(client: Client) -> None:
    # Close the test connection and point it at a port with no server: the next query fails.
    connection.close()
    original = connection.settings_dict.copy()
    try:
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-dir/patchbay/db.sqlite3"
        else:
            connection.settings_dict["PORT"] = str(closed_port())
            connection.settings_dict["PASSWORD"] = "hunter2-db-password"
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.update(original)

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "failed"
    assert body["broker"] == "ok"
    assert body["beat"] == body["worker"] == "failed"
    assert body["errors"]["database"].startswith("OperationalError")
    assert "hunter2" not in response.content.decode()
