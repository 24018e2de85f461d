"""Benchmark: vendor calls a no-op reconcile makes, per kind (DESIGN §2: as few as the APIs allow).

For each kind, an integration is applied against the sandbox, then reconciled
with nothing changed; the sandbox ledger counts the requests of the reconcile
by vendor and operation. Reported as counts (calls per node), which machine
noise cannot blur. Runs are executed in this process (the engine's own
`execute_run`, as the worker's task body calls it), not through Celery: the
counts do not depend on who executes them.

The run fails only if a no-op reconcile writes anything (it must not).

Run with `make bench`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from integrations.engine.runs import execute_run, request_run
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    READ_PREFIXES,
    Sandbox,
    apply_settings,
    make_connect_vapi,
    sandbox_settings,
)
from integrations.tests.genesys_engine_support import make_genesys_synthflow
from integrations.tests.synthflow_engine_support import make_connect_synthflow, make_twilio_synthflow

pytestmark = pytest.mark.django_db(transaction=True)

MAKERS: dict[str, Callable[..., Any]] = {
    "connect_vapi": make_connect_vapi,
    "connect_synthflow": make_connect_synthflow,
    "genesys_synthflow": make_genesys_synthflow,
    "twilio_synthflow": make_twilio_synthflow,
}


def run_in_process(integration: Integration, kind: str) -> Run:
    run, _ = request_run(integration, kind, enqueue=lambda run_id: None)
    execute_run(run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.parametrize("kind", list(MAKERS))
def bench_noop_reconcile_vendor_calls(
    kind: str, sandbox_server: Any, sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_settings(monkeypatch, {**sandbox_settings(sandbox_server.url), **FAST_ENGINE})
    sandbox = Sandbox(sandbox_url)
    setup = MAKERS[kind](sandbox, slug=f"bench{kind.replace('_', '')[:10]}")
    applied = run_in_process(setup.integration, RunKind.APPLY)
    assert applied.state == RunState.SUCCEEDED, applied.message
    nodes = setup.integration.resources.count()

    start = sandbox.request_count()
    reconciled = run_in_process(setup.integration, RunKind.RECONCILE)
    requests = sandbox.ledger(since=start)["requests"]

    assert reconciled.state == RunState.SUCCEEDED, reconciled.message
    by_operation = Counter(f"{r['vendor']}:{r['operation']}" for r in requests)
    writes = [op for op in by_operation if not op.split(":", 1)[1].startswith(READ_PREFIXES)]
    lines = [
        f"\n{kind}: no-op reconcile of {nodes} nodes made {len(requests)} vendor calls "
        f"({len(requests) / max(nodes, 1):.2f} per node), {len(writes)} writes",
        *(f"    {count:3d}  {op}" for op, count in sorted(by_operation.items())),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    assert writes == [], f"a no-op reconcile wrote: {writes}"
