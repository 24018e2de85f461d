"""The engine's end-to-end fixtures: sandbox settings, a real worker per module, the sandbox, an applied
connect_vapi (moved from integrations/tests/engine_fixtures.py and calls/tests/e2e_support.py).

A test module takes them by name: it gets its own worker (module scope) started with the sandbox's
endpoints, and each test gets this process pointed at the same sandbox. A module that needs other
settings (a live server's URL, say) defines its own `engine_env`, which these fixtures then use.
Use with `django_db(transaction=True)`: the worker only sees committed rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    ConnectVapiSetup,
    Sandbox,
    apply_settings,
    events_text,
    make_connect_vapi,
    run_to_end,
    sandbox_settings,
)
from testing import resets
from testing.processes import StartWorker, WorkerProcess


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any) -> dict[str, str]:
    """The settings a worker and this process need to provision against the sandbox, fast."""
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}


@pytest.fixture(scope="module")
def engine_worker(celery_worker_factory: StartWorker, engine_env: dict[str, str]) -> Iterator[WorkerProcess]:
    """A real Celery worker of this module, on the sandbox."""
    worker = celery_worker_factory(env=engine_env)
    yield worker
    worker.stop()


@pytest.fixture
def sandbox(
    sandbox_url: str,
    engine_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[Sandbox]:
    """This process pointed at the sandbox (no Genesys token cached from an earlier test's sandbox).

    Afterwards, before the test's database is flushed, the module's worker finishes what the test's
    runs queued when they committed (their registration refresh): a flush racing it deadlocks.
    """
    apply_settings(monkeypatch, engine_env)
    resets.forget_tokens()
    yield Sandbox(sandbox_url)
    if "engine_worker" in request.fixturenames:
        request.getfixturevalue("engine_worker").wait_idle()


@pytest.fixture
def applied(
    sandbox_url: str,
    engine_env: dict[str, str],
    engine_worker: WorkerProcess,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Sandbox, ConnectVapiSetup, WorkerProcess]:
    """A connect_vapi integration applied by this module's worker (caller attributes forwarded):
    `(sandbox, setup, worker)`, for the end-to-end call ladder tests."""
    apply_settings(monkeypatch, engine_env)
    sandbox = Sandbox(sandbox_url)
    setup = make_connect_vapi(sandbox, forward_attributes=["CustomerName", "Plan"])
    run = run_to_end(setup.integration, RunKind.APPLY)
    assert run.state == RunState.SUCCEEDED, events_text(run)
    return sandbox, setup, engine_worker
