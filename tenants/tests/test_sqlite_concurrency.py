"""`make run`'s embedded stack survives concurrent writers: four demo applies at once on SQLite.

Everything runs as `make run` runs it, whatever database the test session uses: a fresh
SQLite file, the embedded broker, a worker with two processes (each applying with engine
threads), and the four seeded demo integrations requested at once. Before WAL and
IMMEDIATE transactions (controlplane/settings.py), runs failed with "database is locked".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from integrations.tests.engine_support import FAST_ENGINE, sandbox_settings

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
# Applies of all four kinds against the sandbox on 2 shared cores.
APPLY_DEADLINE_SECONDS = 240
# Run by `manage.py shell` in the repository: it waits with the test kit's poll_until (what is still
# unfinished at the deadline is printed like the rest, and the test reads it).
APPLY_ALL = f"""
from integrations.engine.runs import request_run
from integrations.tasks import queue_run
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from tenants.models import Tenant
from testing.waits import poll_until
demo = Tenant.objects.get(slug="demo")
runs = [request_run(i, RunKind.APPLY, enqueue=queue_run)[0].pk for i in Integration.objects.for_tenant(demo)]
done = (RunState.SUCCEEDED, RunState.FAILED)
rows = Run.objects.filter(pk__in=runs)
poll_until(lambda: all(r.state in done for r in rows.all()), timeout={APPLY_DEADLINE_SECONDS})
for r in rows.all():
    print(r.integration_name, r.state, (r.message or "").replace(chr(10), " ")[:300])
"""


def test_four_demo_applies_at_once_on_sqlite_all_succeed(tmp_path: Path, sandbox_server: Any) -> None:
    env = {
        **os.environ,
        **sandbox_settings(sandbox_server.url),
        **FAST_ENGINE,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'patchbay.sqlite3'}",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
        "CELERY_RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.sqlite3'}",
        "CELERY_TASK_DEFAULT_QUEUE": "sqlite-concurrency",
        "ALLOW_PRIVATE_TARGETS": "true",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    httpx.post(f"{sandbox_server.url}/_sandbox/reset", timeout=30).raise_for_status()
    manage("migrate", "--no-input")
    manage("seed_demo", "--password-file", str(tmp_path / "pw"), "--sandbox-url", sandbox_server.url)
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "controlplane",
            "worker",
            "--concurrency=2",
            "--loglevel=INFO",
            "-Q",
            "sqlite-concurrency",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        report = manage("shell", "-c", APPLY_ALL)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()

    lines = [line for line in report.splitlines() if line.startswith("demo-")]
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert len(lines) == 4, report
    assert all(" succeeded " in f"{line} " for line in lines), report + worker_log[-4000:]
    assert "database is locked" not in worker_log
