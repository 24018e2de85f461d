"""A task's round trip through a real worker process (not eager mode), on Redis and on the embedded broker."""

from __future__ import annotations

import pytest
from celery import Celery
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from testing.processes import EmbeddedBroker, StartWorker, WorkerProcess, session_suffix
from testing.waits import wait_until
from testing.worker import ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Seconds a task may take through the worker: broker polling + a query, on 2 shared cores.
TASK_DEADLINE = 30


def _logged(worker: WorkerProcess, text: str, deadline: float = 10.0) -> bool:
    """Whether the worker's log has `text` within `deadline` seconds (the test fails with the log if not)."""
    return wait_until(
        lambda: text in worker.log(),
        timeout=deadline,
        message=lambda: f"{text!r} not logged:\n{worker.log()}",
    )


def create_two_users() -> None:
    """Rows the worker must see if it really shares the test database."""
    get_user_model().objects.create_user("ops1@example.com", "ops1@example.com")
    get_user_model().objects.create_user("ops2@example.com", "ops2@example.com")


def test_task_runs_in_a_worker_on_the_configured_broker(celery_worker_process: WorkerProcess) -> None:
    create_two_users()

    answer = ping.delay("hello").get(timeout=TASK_DEADLINE)

    assert answer["echo"] == "hello"
    assert answer["database"] == connection.settings_dict["NAME"]
    assert answer["users"] == 2
    assert "Task testing.ping" in celery_worker_process.log()
    assert celery_worker_process.process.poll() is None


def test_configured_broker_is_redis_when_redis_url_is_set() -> None:
    if settings.REDIS_URL:
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        assert settings.CELERY_RESULT_BACKEND == settings.REDIS_URL
    else:
        assert settings.CELERY_BROKER_URL.startswith("sqla+sqlite:///")
        assert "patchbay-tests/celery-" in settings.CELERY_BROKER_URL


def test_task_runs_in_a_worker_on_the_embedded_broker(
    celery_worker_factory: StartWorker, request: pytest.FixtureRequest
) -> None:
    broker = EmbeddedBroker.for_session(f"celery-embedded-{session_suffix(request.config)}")
    worker = celery_worker_factory(broker=broker)
    create_two_users()
    # A separate client app: this session's own app may be pointed at Redis.
    client = Celery(
        "embedded-check", broker=broker.broker_url, backend=broker.result_backend, set_as_current=False
    )
    client.conf.update(accept_content=["json"], task_serializer="json", result_serializer="json")

    result = client.send_task("testing.ping", args=["over sqlite"], queue=worker.queue)
    answer = result.get(timeout=TASK_DEADLINE)

    assert answer["echo"] == "over sqlite"
    assert answer["database"] == connection.settings_dict["NAME"]
    assert answer["users"] == 2
    worker.stop()
    assert worker.process.returncode == 0


def test_tasks_go_to_the_newest_worker_and_back_when_it_stops(
    celery_worker_process: WorkerProcess, celery_worker_factory: StartWorker
) -> None:
    newer = celery_worker_factory(env={"RECONCILE_INTERVAL": "60"})

    ping.delay("to the newer").get(timeout=TASK_DEADLINE)
    newer.stop()
    ping.delay("to the older").get(timeout=TASK_DEADLINE)

    assert "to the newer" in newer.log()
    assert "to the newer" not in celery_worker_process.log()
    # the worker logs "succeeded: <result>" just after storing the result the caller already read
    assert _logged(celery_worker_process, "to the older")
    assert newer.queue != celery_worker_process.queue
