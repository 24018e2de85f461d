"""Crash safety: SIGKILL the worker right after each node's vendor create, then apply again.

The worker runs with ENGINE_CRASH_AFTER_CREATE_DIR (integrations/engine/crash.py):
after a node's create call returned and before its result is saved, it kills
itself, once per node. Each new apply must find that node's object by its
deterministic name (or recorded intent) and adopt it. At the end the sandbox's
ledger must hold exactly one object per owned node: 0 duplicates.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from integrations.blueprints import get_blueprint
from integrations.engine.runs import request_run
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.resources import get_resource_type
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    events_text,
    make_connect_vapi,
    sandbox_settings,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CRASH_DEADLINE = 120.0


def _wait_for_crash_or_end(worker: Any, run: Run) -> None:
    end = time.monotonic() + CRASH_DEADLINE
    while time.monotonic() < end:
        if worker.process.poll() is not None:
            return
        run.refresh_from_db()
        if run.state in (RunState.SUCCEEDED, RunState.FAILED):
            return
        time.sleep(0.2)
    pytest.fail(f"neither a crash nor the end of run {run.pk}:\n{events_text(run)}")


def _request_apply(integration: Any) -> Run:
    """A new apply; the dead worker's run blocks it until its heartbeat is stale."""
    end = time.monotonic() + CRASH_DEADLINE
    while time.monotonic() < end:
        run, created = request_run(integration, RunKind.APPLY)
        if created:
            return run
        time.sleep(0.3)
    pytest.fail("the dead worker's run never became stale")


def test_a_worker_killed_after_every_create_leaves_no_duplicates(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, env)
    sandbox = Sandbox(sandbox_url)
    setup = make_connect_vapi(sandbox, slug="crashco")
    blueprint = get_blueprint("connect_vapi")
    creatable = [n.name for n in blueprint.nodes if not get_resource_type(n.type).observe_only]
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    env["ENGINE_CRASH_AFTER_CREATE_DIR"] = str(crashes)
    # One node at a time, so that each kill interrupts exactly one create: with concurrent
    # branches a kill also cuts creates in flight, which are adopted without ever crashing.
    env["ENGINE_CONCURRENCY"] = "1"

    final: Run | None = None
    for _ in range(len(creatable) + 1):
        worker = celery_worker_factory(env=env)
        run = _request_apply(setup.integration)
        _wait_for_crash_or_end(worker, run)
        run.refresh_from_db()
        if run.state == RunState.SUCCEEDED:
            final = run
            worker.stop()
            break
        assert run.state != RunState.FAILED, events_text(run)
        worker.process.wait(timeout=30)
        assert worker.process.returncode == -9, "the worker must have died by SIGKILL"
    assert final is not None, "apply never completed"
    assert sorted(p.name for p in crashes.iterdir()) == sorted(creatable)

    owned = sandbox.objects_named(setup.prefix)
    duplicates = {name: n for name, n in Counter((o["type"], o["name"]) for o in owned).items() if n > 1}
    assert duplicates == {}
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert all(row.status == "ready" and row.external_id for row in rows)
    # Every adopted node says so in the events of the runs after its crash.
    adopted = {
        e.node
        for r in Run.objects.filter(integration_id=setup.integration.pk)
        for e in r.events.all()
        if e.action == "adopt"
    }
    assert adopted == set(creatable)
