"""Crash safety: SIGKILL the worker right after each node's vendor create, then apply again.

The worker runs with ENGINE_CRASH_AFTER_CREATE_DIR (testing/worker.py):
after a node's create call returned and before its result is saved, it kills
itself, once per node. Each new apply must find that node's object by its
deterministic name (or recorded intent) and adopt it. At the end the sandbox's
ledger must hold exactly one object per owned node: 0 duplicates.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from integrations.models.engine import ResourceNode, RunState
from integrations.tests.crash_support import crash_at_every_node
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    make_connect_vapi,
    sandbox_settings,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


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
    crashes = tmp_path / "crashes"
    final, creatable, adopted = crash_at_every_node(setup.integration, celery_worker_factory, env, crashes)

    assert final.state == RunState.SUCCEEDED
    assert sorted(p.name for p in crashes.iterdir()) == sorted(creatable)
    owned = sandbox.objects_named(setup.prefix)
    duplicates = {name: n for name, n in Counter((o["type"], o["name"]) for o in owned).items() if n > 1}
    assert duplicates == {}
    rows = ResourceNode.objects.filter(integration_id=setup.integration.pk)
    assert all(row.status == "ready" and row.external_id for row in rows)
    # Every adopted node says so in the events of the runs after its crash.
    assert adopted == set(creatable)
