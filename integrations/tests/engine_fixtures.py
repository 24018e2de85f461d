"""Fixtures every end-to-end engine test module shares: sandbox settings, a real worker, the sandbox.

A module takes them by name (`engine_env = engine_fixtures.engine_env`, ...), so
each module gets its own worker (module scope) started with the sandbox's
endpoints, and each test gets this process pointed at the same sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from testkit import resets


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any) -> dict[str, str]:
    """The settings a worker and this process need to provision against the sandbox, fast."""
    return {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}


@pytest.fixture(scope="module")
def engine_worker(celery_worker_factory: Any, engine_env: dict[str, str]) -> Iterator[Any]:
    """A real Celery worker of this module, on the sandbox."""
    worker = celery_worker_factory(env=engine_env)
    yield worker
    worker.stop()


@pytest.fixture
def sandbox(sandbox_url: str, engine_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """This process pointed at the sandbox (no Genesys token cached from an earlier test's sandbox)."""
    apply_settings(monkeypatch, engine_env)
    resets.forget_tokens()
    return Sandbox(sandbox_url)
