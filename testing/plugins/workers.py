"""Real Celery worker processes on the test database (moved from the root conftest.py).

Use with `transactional_db`: the worker only sees committed rows.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings

from testing.processes import (
    ROOT,
    WORKER_READY_DEADLINE,
    EmbeddedBroker,
    StartWorker,
    WorkerProcess,
    WorkerRouting,
    worker_environment,
)


@pytest.fixture(scope="session")
def celery_worker_factory(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartWorker]:
    """Start real worker processes on the test database; `start(env={...})` adds settings (e.g. sandbox
    URLs), `start(broker=EmbeddedBroker...)` uses that broker instead of the session's, and
    `start(ready_timeout=...)` waits longer than WORKER_READY_DEADLINE for it to be ready (a loaded box).

    Each worker consumes a queue of its own, and tasks this process sends go to the
    newest live worker on the session's broker (then back to the one before when it
    stops): a worker started with other settings never takes another one's tasks.
    Workers are stopped at the end of the session. Use with `transactional_db`.
    """
    started: list[WorkerProcess] = []
    routing = WorkerRouting(settings.CELERY_TASK_DEFAULT_QUEUE)

    def start(
        env: dict[str, str] | None = None,
        broker: EmbeddedBroker | None = None,
        queue: str = "",
        ready_timeout: float = WORKER_READY_DEADLINE,
    ) -> WorkerProcess:
        # `queue=` joins a running worker's queue (more workers sharing its tasks); routing is unchanged.
        joins = bool(queue)
        queue = queue or f"{routing.base}-{uuid.uuid4().hex[:6]}"
        with django_db_blocker.unblock():  # type: ignore[attr-defined]
            child_env = worker_environment({**(env or {}), "CELERY_TASK_DEFAULT_QUEUE": queue}, broker)
        hostname = f"pbtest-{uuid.uuid4().hex[:8]}@localhost"
        log_path = tmp_path_factory.mktemp("celery-worker") / "worker.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "testing.worker",  # Patchbay's app with the test tasks and crash points
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    f"--hostname={hostname}",
                    f"--queues={queue}",
                ],
                cwd=ROOT,
                env=child_env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        worker = WorkerProcess(process=process, hostname=hostname, queue=queue, log_path=log_path)
        started.append(worker)
        worker.wait_ready(ready_timeout)
        if broker is None and not joins:  # a worker on another broker is reached by its own client
            routing.push(worker)
            worker.on_stop = lambda: routing.pop(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(scope="session")
def celery_worker_process(celery_worker_factory: StartWorker) -> WorkerProcess:
    """One real Celery worker for the session, on this session's queue, broker and test database."""
    return celery_worker_factory()
