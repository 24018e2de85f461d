"""genesys_synthflow crash safety: SIGKILL the worker right after each node's create, then apply again.

Its own module: the crash workers must be the only workers (see test_engine_crash.py).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from integrations.blueprints import get_blueprint
from integrations.engine.runs import request_run
from integrations.models.engine import Run, RunKind, RunState
from integrations.resources import get_resource_type
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    events_text,
    sandbox_settings,
)
from integrations.tests.test_engine_genesys_synthflow import (
    OWNED_OBJECT_TYPES,
    _call,
    _live,
    make_genesys_synthflow,
)
from integrations.vendors import genesys as genesys_vendor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

CRASH_DEADLINE = 120.0


def test_a_worker_killed_after_every_create_leaves_no_duplicates(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    engine_env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, engine_env)
    genesys_vendor.forget_tokens()
    sandbox = Sandbox(sandbox_url)
    setup = make_genesys_synthflow(sandbox, slug="crashco")
    creatable = [n.name for n in get_blueprint("genesys_synthflow").nodes
                 if not get_resource_type(n.type).observe_only]  # fmt: skip
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    env = {**engine_env, "ENGINE_CRASH_AFTER_CREATE_DIR": str(crashes), "ENGINE_CONCURRENCY": "1"}
    final = None
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
        assert worker.process.returncode == -9
    assert final is not None, "apply never completed"
    assert sorted(p.name for p in crashes.iterdir()) == sorted(creatable)
    counts = Counter(_live(sandbox, setup))
    assert {k: n for k, n in counts.items() if n > 1} == {}
    assert {t for t, _ in counts} == OWNED_OBJECT_TYPES
    adopted = {e.node for r in Run.objects.filter(integration_id=setup.integration.pk)
               for e in r.events.all() if e.action == "adopt"}  # fmt: skip
    assert adopted == set(creatable)
    assert _call(sandbox, setup)["status"] == 200


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
    end = time.monotonic() + CRASH_DEADLINE
    while time.monotonic() < end:
        run, created = request_run(integration, RunKind.APPLY)
        if created:
            return run
        time.sleep(0.3)
    pytest.fail("the dead worker's run never became stale")
