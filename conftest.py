"""Fixtures shared by every app's tests: file-backed test databases, an isolated broker,
a real Celery worker process, and a headless Chromium page.

Cross-process fixtures (`celery_worker_process`, `live_server` + `browser_page`)
need tests marked `transactional_db` (or `django_db(transaction=True)`): the
other process only sees committed rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect, sync_playwright

# Tenant, member and token fixtures (`world`, `other_world`) for every app's API and dashboard tests.
pytest_plugins = ["tenants.tests.fixtures", "tenants.tests.leak_guard"]

ROOT = Path(__file__).resolve().parent
# SQLite test databases and embedded-broker files of test sessions. Named by process id:
# several sessions may run at once on one checkout (and xdist workers within one).
SESSION_FILES = Path(tempfile.gettempdir()) / "patchbay-tests"
ARTIFACTS = ROOT / "test-artifacts"
# Seconds for a worker to log "ready." (Django setup plus broker connect; slow on 2 shared cores).
# PATCHBAY_WORKER_READY_SECONDS raises it (`make bench`, whose workers start on a loaded box).
WORKER_READY_DEADLINE = float(os.environ.get("PATCHBAY_WORKER_READY_SECONDS", "60"))
# Seconds a worker gets for a warm shutdown before it is killed.
WORKER_STOP_GRACE = 15.0
CHROMIUM = "/usr/bin/chromium"
# Milliseconds Playwright waits for a page or an element (2 shared cores, a cold Chromium).
BROWSER_TIMEOUT_MS = 20_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def session_suffix(config: pytest.Config) -> str:
    """`gw0`, `gw1`, ... under pytest-xdist, `main` otherwise: keeps parallel sessions apart."""
    workerinput = getattr(config, "workerinput", {})
    return workerinput.get("workerid", "main")


def pytest_configure(config: pytest.Config) -> None:
    """Give this test session its own Celery queue and, without Redis, its own broker files.

    A `make run` on the same checkout uses var/celery-broker.sqlite3 and the
    `celery` queue; test tasks must never reach its worker (or its database).
    """
    suffix = session_suffix(config)
    overrides: dict[str, str] = {"task_default_queue": f"pb-test-{suffix}-{uuid.uuid4().hex[:8]}"}
    if not settings.REDIS_URL:
        broker = EmbeddedBroker.for_session(f"celery-{suffix}")
        overrides["broker_url"] = broker.broker_url
        overrides["result_backend"] = broker.result_backend
        settings.CELERY_BROKER_URL = overrides["broker_url"]
        settings.CELERY_RESULT_BACKEND = overrides["result_backend"]
    settings.CELERY_TASK_DEFAULT_QUEUE = overrides["task_default_queue"]
    # SIP probes and vendor calls in tests go to the local sandbox on loopback (DESIGN §8).
    settings.ALLOW_PRIVATE_TARGETS = True
    # A test that forgot to point a vendor at the sandbox fails fast instead of reaching the vendor.
    for name in VENDOR_URL_SETTINGS:
        if not getattr(settings, name, ""):
            setattr(settings, name, NO_VENDOR)
    # WhiteNoise warns on every request when STATIC_ROOT is missing (collectstatic never runs in tests).
    Path(settings.STATIC_ROOT).mkdir(exist_ok=True)
    from controlplane.celery import app

    app.conf.update(overrides)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this process's broker files (Django removes its test database itself)."""
    for path in SESSION_FILES.glob(f"*-{os.getpid()}-*.sqlite3"):
        path.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, request: pytest.FixtureRequest
) -> None:
    """Put SQLite test databases in files, so a worker process or a live server can open them too."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        SESSION_FILES.mkdir(exist_ok=True)
        name = SESSION_FILES / f"db-{os.getpid()}-{session_suffix(request.config)}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(name)


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


@dataclass
class WorkerProcess:
    """A `celery -A controlplane worker` child process consuming this session's queue."""

    process: subprocess.Popen[bytes]
    hostname: str
    queue: str
    log_path: Path
    #: called once when the worker stops (the factory routes tasks back to the previous worker)
    on_stop: Callable[[], None] | None = None

    def log(self) -> str:
        """Everything the worker has written so far."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, deadline: float) -> None:
        """Block until the worker logs that it is ready; fail with its log if it dies or is late."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"Celery worker exited with {self.process.returncode}:\n{self.log()}")
            if f"{self.hostname} ready." in self.log():
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"Celery worker not ready after {WORKER_READY_DEADLINE}s:\n{self.log()}")

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


@pytest.fixture(scope="session")
def celery_worker_factory(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartWorker]:
    """Start real worker processes on the test database; `start(env={...})` adds settings (e.g. sandbox
    URLs), `start(broker=EmbeddedBroker...)` uses that broker instead of the session's.

    Each worker consumes a queue of its own, and tasks this process sends go to the
    newest live worker on the session's broker (then back to the one before when it
    stops): a worker started with other settings never takes another one's tasks.
    Workers are stopped at the end of the session. Use with `transactional_db`.
    """
    started: list[WorkerProcess] = []
    routing = WorkerRouting(settings.CELERY_TASK_DEFAULT_QUEUE)

    def start(
        env: dict[str, str] | None = None, broker: EmbeddedBroker | None = None, queue: str = ""
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
                    "testkit.worker",  # Patchbay's app with the test tasks and crash points
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
        worker.wait_ready(time.monotonic() + WORKER_READY_DEADLINE)
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


@pytest.fixture
def dashboard_client() -> Callable[[Any], Client]:
    """`dashboard_client(user)`: a browser-like test client logged in as `user` (form posts, HTML pages)."""

    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


class _FieldErrors(HTMLParser):
    """Collects the error messages rendered beside one form field (templates/partials/field.html)."""

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field
        self.depth = 0  # >0 while inside the field's block
        self.in_error = False
        self.found = False
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.depth:
            if tag == "div":
                self.depth += 1
            if tag == "li" and self.in_error:
                self.errors.append("")
            if tag == "ul" and "errorlist" in (attributes.get("class") or ""):
                self.in_error = True
        elif tag == "div" and attributes.get("data-field") == self.field:
            self.depth = 1
            self.found = True

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "div":
            self.depth -= 1
        if tag == "ul":
            self.in_error = False

    def handle_data(self, data: str) -> None:
        if self.depth and self.in_error and self.errors:
            self.errors[-1] += data


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown beside form field `field` (its HTML name) on a dashboard page."""
    parser = _FieldErrors(field)
    parser.feed(html)
    assert parser.found, f"no field {field!r} on the page"
    return [error.strip() for error in parser.errors]


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A headless Debian Chromium page (Playwright); a screenshot of its last state goes to test-artifacts/.

    Use with `live_server` (pytest-django) and `transactional_db`. Playwright is
    started per test: its sync API keeps an asyncio loop marked as running on this
    thread, so Django's ORM calls in the test need DJANGO_ALLOW_ASYNC_UNSAFE
    while it lives, and no other test should run under it.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        try:
            yield page
        finally:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
            context.close()
            browser.close()
