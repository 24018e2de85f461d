"""The running stack the soak measures, started and stopped by the soak itself.

In a fresh temporary directory (never `var/`, so `make run`'s database and keys are not touched):
its own SQLite database, embedded Celery broker and file cache, keys generated for this run, and free
ports. It starts the sandbox (`python -m sandbox`), migrates, seeds (bench/soak/seed.py), then serves
Patchbay as docker-compose's `web` service does (`gunicorn controlplane.wsgi:application --workers 3`)
with a Celery worker beside it, in production settings (`DEBUG` off) except for plain HTTP on loopback.

The file cache stands in for production's Redis: login and API throttle counters must be shared by
the three gunicorn workers, as they are behind docker-compose, or a brute force spread over workers
would be counted three times more slowly than in production.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bin"))
from run_all import SANDBOX_SETTINGS, answers, sandbox_endpoints  # noqa: E402

from bench.soak.probe import children_of  # noqa: E402
from testing.waits import poll_until  # noqa: E402

PYTHON = sys.executable
GUNICORN_WORKERS = 3
#: seconds each process gets to come up (a cold moto import is slow on shared cores)
START_DEADLINE = 90.0
STOP_GRACE = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    """Sandbox, gunicorn and a Celery worker on a temporary database; `with Stack() as stack: ...`."""

    keep: bool = False
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="patchbay-soak-")))
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, IO[bytes]] = field(default_factory=dict)
    seeded: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    #: gunicorn's --workers and --threads (the soak: docker-compose's 3 sync workers)
    workers: int = GUNICORN_WORKERS
    threads: int = 1
    #: a private redis-server for broker and cache, as production (docker-compose) has, instead of the
    #: embedded SQLite broker and file cache
    redis: bool = False
    #: gunicorn's access log (the soak reads it; a load benchmark would measure the log's writes)
    access_log: bool = True
    sandbox_url: str = ""

    host = "127.0.0.1"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_path(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def environment(self) -> dict[str, str]:
        """Production settings with keys of this run, a database and broker in the temporary directory."""
        here = self.directory
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
        env.update(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(60),
            FERNET_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            PATCHBAY_AWS_ACCOUNT_ID=str(secrets.randbelow(9 * 10**11) + 10**11),
            PUBLIC_BASE_URL=self.base_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=f"sqlite:///{here / 'patchbay.sqlite3'}",
            REDIS_URL="",
            CELERY_BROKER_URL=f"sqla+sqlite:///{here / 'celery-broker.sqlite3'}",
            CELERY_RESULT_BACKEND=f"db+sqlite:///{here / 'celery-results.sqlite3'}",
            CACHE_URL=f"filecache://{here / 'cache'}",
            EMAIL_URL="consolemail://",
            # Plain HTTP on loopback, as `make run` (bin/run_all.py, development_settings).
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            SECURE_HSTS_SECONDS="0",
            ALLOW_PRIVATE_TARGETS="true",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        return env

    def start_process(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = self.logs[name] = self.log_path(name).open("wb")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def run(self, *argv: str) -> str:
        """A command to completion in the stack's environment; its output, or SystemExit with it."""
        done = subprocess.run(argv, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"soak: {' '.join(argv[:4])} failed with status {done.returncode}")
        return done.stdout

    def start_redis(self) -> None:
        """redis-server on a free port, in memory only; broker and cache of this run."""
        port = free_port()
        self.start_process(
            "redis",
            ["redis-server", "--port", str(port), "--bind", self.host, "--save", "", "--appendonly", "no"],
        )

        def listening() -> bool:
            with contextlib.suppress(OSError), socket.create_connection((self.host, port), timeout=1):
                return True
            return False

        poll_until(listening, timeout=START_DEADLINE)  # gives up quietly after START_DEADLINE, as before
        url = f"redis://{self.host}:{port}/0"
        for name in ("CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            self.env.pop(name, None)
        self.env["REDIS_URL"] = url

    def start(self) -> None:
        self.env = self.environment()
        (ROOT / "staticfiles").mkdir(exist_ok=True)
        if self.redis:
            self.start_redis()
        sandbox_port = free_port()
        self.start_process(
            "sandbox",
            [
                *(PYTHON, "-m", "sandbox", "--port", str(sandbox_port)),
                *("--dns-port", str(free_port()), "--sip-port", str(free_port())),
            ],
        )
        sandbox_url = self.sandbox_url = f"http://{self.host}:{sandbox_port}"
        endpoints = sandbox_endpoints(sandbox_url, time.monotonic() + START_DEADLINE)
        if endpoints is None:
            raise SystemExit(f"soak: the sandbox did not answer; see {self.log_path('sandbox')}")
        for key, setting in SANDBOX_SETTINGS.items():
            if key in endpoints:
                self.env[setting] = endpoints[key]
        self.run(PYTHON, "manage.py", "migrate", "--no-input")
        self.seeded = json.loads(
            self.run(PYTHON, "-m", "bench.soak.seed", "seed", "--sandbox-url", sandbox_url)
        )
        self.start_process(
            "worker",
            [PYTHON, "-m", "celery", "-A", "controlplane", "worker", "--loglevel=INFO", "--concurrency=1"],
        )
        self.start_process(
            "web",
            [
                *(PYTHON, "-m", "gunicorn", "controlplane.wsgi:application"),
                *("--bind", f"{self.host}:{self.port}", "--workers", str(self.workers)),
                *("--threads", str(self.threads)),
                *(("--access-logfile", "-") if self.access_log else ()),
            ],
        )
        if not answers(f"{self.base_url}/healthz", time.monotonic() + START_DEADLINE):
            raise SystemExit(f"soak: gunicorn did not answer; see {self.log_path('web')}")
        poll_until(lambda: len(self.web_workers()) >= self.workers, timeout=START_DEADLINE)

    def add_integration(self, name: str, config: dict[str, Any]) -> dict[str, Any]:
        """One more twilio_synthflow integration in the seeded tenant (bench/soak/seed.py `integration`)."""
        argv = ["--sandbox-url", self.sandbox_url, "--name", name, "--config", json.dumps(config)]
        return json.loads(self.run(PYTHON, "-m", "bench.soak.seed", "integration", *argv))

    def web_workers(self) -> list[int]:
        """The gunicorn worker processes (the master forks them; one serves each request)."""
        master = self.processes.get("web")
        return children_of(master.pid) if master is not None else []

    def rows(self) -> dict[str, Any]:
        """What the requests wrote (bench/soak/seed.py, `rows`)."""
        return json.loads(self.run(PYTHON, "-m", "bench.soak.seed", "rows", self.seeded["public_id"]))

    def stop(self) -> None:
        """SIGTERM every process (newest first), SIGKILL what outlives the grace; remove the directory."""
        for process in reversed(self.processes.values()):
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in reversed(self.processes.values()):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for log in self.logs.values():
            log.close()
        if not self.keep:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.keep = True  # the logs say why
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
