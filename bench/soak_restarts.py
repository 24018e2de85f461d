"""`make soak-restarts`: issue 15's "Dependencies restart" campaign (not part of `make test`).

Run by bench/restarts.py, which starts a Redis and a PostgreSQL of its own
(bench/private_servers.py) and points this session at them: the test database
and the real Celery worker's database are on that PostgreSQL, the broker is
that Redis. For each kind, an apply is started with the vendors slowed down
(a latency fault on every operation, so the apply is still going), and once
the run is under way and has finished a node, Redis (then, in a second
scenario, PostgreSQL) is stopped, left down a few seconds and started again.

The run must then finish by itself and succeed, with every node ready, no
object twice and none that no node owns; and the worker must still take work
afterwards: a second apply on the same integration runs to the end and changes
nothing, so nothing the first one recorded is missing at the vendors (lost).

Prints server | kind | run | nodes done at the cut | seconds down | finished after | state | resumed |
duplicates | orphans | not ready | next apply; JSON to bench/results/ (gitignored).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from bench.fault_campaign import start_patient_worker
from bench.private_servers import from_environment
from bench.soak_faults import MAKERS, SHORT
from integrations.engine.runs import request_run
from integrations.models import Integration
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunEvent, RunKind, RunState
from integrations.tasks import queue_run
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from testing import resets
from testing.orphans import census
from testing.waits import poll_until, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

RESULTS = Path(__file__).resolve().parent / "results"
DOWN_SECONDS = 4.0
RUN_DEADLINE = 240.0
#: every vendor call of the apply waits this long, so the restart lands in the middle of it
SLOW_MS = 400
VENDORS = {
    "connect_vapi": ("aws", "vapi"),
    "connect_synthflow": ("aws", "synthflow"),
    "genesys_synthflow": ("genesys", "synthflow"),
    "twilio_synthflow": ("twilio", "synthflow"),
}


def _db(read: Any) -> Any:
    """`read()` against the database, waiting out a database that is restarting (this process's side)."""
    end = time.monotonic() + RUN_DEADLINE
    while True:
        try:
            return read()
        except (OperationalError, InterfaceError):
            if time.monotonic() > end:
                raise
            connection.close()
            time.sleep(0.5)


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any) -> dict[str, str]:
    return {
        **sandbox_settings(sandbox_server.url),
        **FAST_ENGINE,
        "PUBLIC_BASE_URL": "https://pb.example.com",
    }


@pytest.fixture(scope="module")
def worker(celery_worker_factory: Any, engine_env: dict[str, str]) -> Iterator[Any]:
    started = start_patient_worker(celery_worker_factory, engine_env)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def outcomes() -> Iterator[list[dict[str, Any]]]:
    done: list[dict[str, Any]] = []
    yield done
    if not done:
        return
    heads = list(done[0])
    lines = [" | ".join(heads)] + [" | ".join(str(o[h]) for h in heads) for o in done]
    sys.stdout.write("\n\nDependencies restart\n" + "\n".join(lines) + "\n")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"restarts-{stamp}.json"
    path.write_text(json.dumps({"at": stamp, "outcomes": done}, indent=2, default=str) + "\n")
    sys.stdout.write(f"JSON: {path}\n")


def _wait_mid_apply(run: Run) -> int:
    """Until the run is running and has finished a node; the number of nodes it finished."""

    def under_way() -> int:
        run.refresh_from_db()
        done = RunEvent.objects.filter(run=run, outcome="ok").exclude(node="").count()
        assert run.state in (RunState.QUEUED, RunState.RUNNING), f"ended before the cut: {run.message}"
        return done if run.state == RunState.RUNNING else 0

    return wait_until(under_way, timeout=RUN_DEADLINE, message=f"run {run.pk} never got under way")


def _wait_end(run: Run) -> Run:
    """The run once finished, or as it is after RUN_DEADLINE (the caller reports its state)."""

    def finished() -> bool:
        _db(run.refresh_from_db)
        return run.state in (RunState.SUCCEEDED, RunState.FAILED)

    poll_until(finished, timeout=RUN_DEADLINE)
    return run


def _not_ready(integration: Any) -> list[str]:
    """Nodes the run left anything but ready."""
    rows = ResourceNode.objects.filter(integration_id=integration.pk).exclude(status=NodeStatus.DELETED)
    return sorted(f"{r.node}:{r.status}" for r in rows if r.status != NodeStatus.READY)


@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("server", ["redis", "postgres"])
def soak_apply_survives_a_restart(
    server: str,
    kind: str,
    outcomes: list[dict[str, Any]],
    worker: Any,
    sandbox_url: str,
    engine_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply_settings(monkeypatch, engine_env)
    redis, postgres = from_environment()
    target = redis if server == "redis" else postgres
    sandbox = Sandbox(sandbox_url)
    sandbox.post("reset")
    resets.forget_tokens()
    setup = MAKERS[kind](sandbox, slug=f"rs{server[:2]}{SHORT[kind]}")
    baseline = {(o["type"], o["id"]) for o in sandbox.ledger()["objects"]}
    for vendor in VENDORS[kind]:
        sandbox.fault(vendor, "*", "latency", times=0, latency_ms=SLOW_MS)

    run, _ = request_run(setup.integration, RunKind.APPLY, enqueue=queue_run)
    nodes_done = _wait_mid_apply(run)
    cut = time.monotonic()
    target.stop()
    time.sleep(DOWN_SECONDS)
    target.start()
    down = time.monotonic() - cut
    sandbox.clear_faults()
    close_old_connections()
    run = _wait_end(run)
    finished_after = time.monotonic() - cut

    integration = _db(lambda: Integration.objects.get(pk=setup.integration.pk))
    duplicates, orphans = census(sandbox, integration, setup.prefix, baseline)
    not_ready = _not_ready(integration)
    again, _ = request_run(integration, RunKind.APPLY, enqueue=queue_run)
    again = _wait_end(again)
    outcome = {
        "server": server,
        "kind": kind,
        "run": run.pk,
        "nodes_done_at_cut": nodes_done,
        "down_s": round(down, 1),
        "finished_after_s": round(finished_after, 1),
        "state": run.state,
        # walks resumed after the database came back (the run's own "retry" events)
        "resumed": _db(lambda: RunEvent.objects.filter(run=run, node="", outcome="retry").count()),
        "duplicates": duplicates,
        "orphans": orphans,
        "not_ready": not_ready,
        "next_apply": f"{again.state} ({again.message})",
        "message": run.message[:300],
    }
    outcomes.append(outcome)
    sys.stdout.write(f"\n{outcome}\n")

    assert run.state == RunState.SUCCEEDED, run.message
    assert (duplicates, orphans, not_ready) == (0, 0, [])
    assert again.state == RunState.SUCCEEDED and again.message == "0 change(s)", again.message
