"""genesys_synthflow crash safety: SIGKILL the worker right after each node's create, then apply again.

Its own module: the crash workers must be the only workers (see test_engine_crash.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from integrations.models.engine import RunState
from integrations.tests.crash_support import crash_at_every_node
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    sandbox_settings,
)
from integrations.tests.genesys_engine_support import (
    OWNED_OBJECT_TYPES,
    call_through_genesys,
    live_objects,
    make_genesys_synthflow,
)
from testing import resets

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_killed_after_every_create_leaves_no_duplicates(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    engine_env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, engine_env)
    resets.forget_tokens()
    sandbox = Sandbox(sandbox_url)
    setup = make_genesys_synthflow(sandbox, slug="crashco")
    crashes = tmp_path / "crashes"
    final, creatable, adopted = crash_at_every_node(
        setup.integration, celery_worker_factory, engine_env, crashes
    )
    assert final.state == RunState.SUCCEEDED
    assert sorted(p.name for p in crashes.iterdir()) == sorted(creatable)
    counts = Counter(live_objects(sandbox, setup))
    assert {k: n for k, n in counts.items() if n > 1} == {}
    assert {t for t, _ in counts} == OWNED_OBJECT_TYPES
    assert adopted == set(creatable)
    assert call_through_genesys(sandbox, setup)["status"] == 200
