"""Child processes of a test session: the SQLite files they share, their environment, real Celery workers.

Moved from the root conftest.py. A worker (or a live server) only sees committed rows: tests that use
one are marked `transactional_db` (or `django_db(transaction=True)`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from testing.waits import wait_until

#: the repository's root (a child process's working directory)
ROOT = Path(__file__).resolve().parent.parent
# SQLite test databases and embedded-broker files of test sessions. Named by process id:
# several sessions may run at once on one checkout (and xdist workers within one).
SESSION_FILES = Path(tempfile.gettempdir()) / "patchbay-tests"
#: screenshots of browser tests (gitignored)
ARTIFACTS = ROOT / "test-artifacts"
# Seconds for a worker to log "ready." (Django setup plus broker connect; slow on 2 shared cores).
# PATCHBAY_WORKER_READY_SECONDS raises it (`make bench`, whose workers start on a loaded box).
WORKER_READY_DEADLINE = float(os.environ.get("PATCHBAY_WORKER_READY_SECONDS", "60"))
# Seconds a worker gets for a warm shutdown before it is killed.
WORKER_STOP_GRACE = 15.0

#: where vendor calls go in tests that did not point them at a sandbox: a closed local port, so a
#: stray call fails at once (connection refused) instead of reaching a real vendor or hanging
NO_VENDOR = "http://127.0.0.1:9"
VENDOR_URL_SETTINGS = (
    "AWS_ENDPOINT_URL",
    "VAPI_BASE_URL",
    "SYNTHFLOW_BASE_URL",
    "GENESYS_BASE_URL",
    "GENESYS_LOGIN_URL",
    "TWILIO_BASE_URL",
)


def session_suffix(config: pytest.Config) -> str:
    """`gw0`, `gw1`, ... under pytest-xdist, `main` otherwise: keeps parallel sessions apart."""
    workerinput: dict[str, str] = getattr(config, "workerinput", {})
    return workerinput.get("workerid", "main")


def database_url() -> str:
    """A DATABASE_URL for the database this process is connected to now (the test database in tests)."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise NotImplementedError(f"no DATABASE_URL form for {db['ENGINE']}")
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass(frozen=True)
class EmbeddedBroker:
    """kombu's SQLAlchemy transport over SQLite files: the broker `make run` uses with nothing set."""

    broker_url: str
    result_backend: str

    @classmethod
    def for_session(cls, name: str) -> EmbeddedBroker:
        """Broker and result files named `name`, of this test process only."""
        SESSION_FILES.mkdir(exist_ok=True)
        base = SESSION_FILES / f"{name}-{os.getpid()}"
        return cls(
            broker_url=f"sqla+sqlite:///{base}-broker.sqlite3",
            result_backend=f"db+sqlite:///{base}-results.sqlite3",
        )


def worker_environment(
    extra: dict[str, str] | None = None, broker: EmbeddedBroker | None = None
) -> dict[str, str]:
    """The environment a child Django process needs to share this test session's database, broker and keys."""
    env = {key: value for key, value in os.environ.items() if key not in {"CELERY_TASK_ALWAYS_EAGER"}}
    for name in VENDOR_URL_SETTINGS:
        env.setdefault(name, getattr(settings, name, "") or NO_VENDOR)
    env.setdefault("CHIME_DNS_SERVER", getattr(settings, "CHIME_DNS_SERVER", "") or "127.0.0.1:9")
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "controlplane.settings",
            "DATABASE_URL": database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "FERNET_KEYS": ",".join(settings.FERNET_KEYS),
            "ALLOW_PRIVATE_TARGETS": "true" if settings.ALLOW_PRIVATE_TARGETS else "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if broker is not None:
        env.pop("REDIS_URL", None)
        env["CELERY_BROKER_URL"] = broker.broker_url
        env["CELERY_RESULT_BACKEND"] = broker.result_backend
    elif settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
        env["CELERY_RESULT_BACKEND"] = settings.CELERY_RESULT_BACKEND
    env.update(extra or {})
    return env


@dataclass
class WorkerProcess:
    """A `celery -A testing.worker worker` child process consuming this session's queue."""

    process: subprocess.Popen[bytes]
    hostname: str
    queue: str
    log_path: Path
    #: called once when the worker stops (the factory routes tasks back to the previous worker)
    on_stop: Callable[[], None] | None = None

    def log(self) -> str:
        """Everything the worker has written so far."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = WORKER_READY_DEADLINE) -> None:
        """Block until the worker logs that it is ready; fail with its log if it dies or is late."""

        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"Celery worker exited with {self.process.returncode}:\n{self.log()}")
            return f"{self.hostname} ready." in self.log()

        try:
            wait_until(ready, timeout=timeout, message=lambda: f"Celery worker not ready:\n{self.log()}")
        except pytest.fail.Exception:
            self.stop()
            raise

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until the worker has done what was queued before now (a ping through its queue: the solo
        pool takes tasks in order); False when it is gone or did not answer in time. Tests call it before
        their database is flushed, so a task a run queued on commit (the registration refresh) does not
        hold locks the flush needs."""
        from testing.worker import ping

        if self.process.poll() is not None:
            return False
        try:
            ping.apply_async(args=["idle?"], queue=self.queue).get(timeout=timeout)
        except Exception:  # best effort: the worker may be stopping, or killed by a crash test
            return False
        return True

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it outlives the grace period."""
        if self.on_stop is not None:
            self.on_stop()
            self.on_stop = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=WORKER_STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


StartWorker = Callable[..., WorkerProcess]


class WorkerRouting:
    """Points this process's Celery default queue at the newest live test worker (or the session queue).

    A worker that died without `stop()` (the crash tests SIGKILL theirs) is skipped: tasks never
    go to a queue nobody consumes.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.live: list[WorkerProcess] = []

    def push(self, worker: WorkerProcess) -> None:
        """`worker` is ready: send tasks to its queue."""
        self.live.append(worker)
        self._apply()

    def pop(self, worker: WorkerProcess) -> None:
        """`worker` stopped: send tasks to the newest one still running."""
        self.live = [w for w in self.live if w is not worker]
        self._apply()

    def _apply(self) -> None:
        from controlplane.celery import app

        self.live = [w for w in self.live if w.process.poll() is None]
        queue = self.live[-1].queue if self.live else self.base
        app.conf.task_default_queue = queue
        settings.CELERY_TASK_DEFAULT_QUEUE = queue
