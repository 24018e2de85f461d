"""Crash safety for any kind: SIGKILL a real worker right after each node's vendor create, apply again.

The worker runs with `ENGINE_CRASH_AFTER_CREATE_DIR` (testing/worker.py):
after a node's create call returned and before its result is saved, it marks
the node in that directory and kills itself, once per node. The next run must
find and adopt what the dead one created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from integrations.engine.runs import request_run
from integrations.kinds import blueprint_for
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from integrations.resources import get_resource_type
from integrations.tasks import queue_run
from integrations.tests.engine_support import events_text
from testing.waits import wait_until

CRASH_DEADLINE = 120.0


def wait_for_crash_or_end(worker: Any, run: Run) -> None:
    """Until the worker died (the crash point fired) or the run finished."""

    def crashed_or_ended() -> bool:
        if worker.process.poll() is not None:
            return True
        run.refresh_from_db()
        return run.state in (RunState.SUCCEEDED, RunState.FAILED)

    wait_until(
        crashed_or_ended,
        timeout=CRASH_DEADLINE,
        message=lambda: f"neither a crash nor the end of run {run.pk}:\n{events_text(run)}",
    )


def request_apply(integration: Integration) -> Run:
    """A new apply; the dead worker's run blocks it until its heartbeat is stale."""

    def new_run() -> Run | None:
        run, created = request_run(integration, RunKind.APPLY, enqueue=queue_run)
        return run if created else None

    return wait_until(
        new_run, timeout=CRASH_DEADLINE, interval=0.1, message="the dead worker's run never became stale"
    )


def crash_at_every_node(
    integration: Integration, celery_worker_factory: Any, env: dict[str, str], crashes: Path
) -> tuple[Run, list[str], set[str]]:
    """Apply with a worker that SIGKILLs itself after each node's create, once per node, until done.

    Returns the final (succeeded) run, the creatable nodes, and the nodes whose object a later
    run adopted. One node at a time (ENGINE_CONCURRENCY=1), so each kill cuts exactly one create.
    """
    blueprint = blueprint_for(integration.kind, integration.config)
    creatable = [n.name for n in blueprint.nodes if not get_resource_type(n.type).observe_only]
    crashes.mkdir()
    env = {**env, "ENGINE_CRASH_AFTER_CREATE_DIR": str(crashes), "ENGINE_CONCURRENCY": "1"}
    final: Run | None = None
    for _ in range(len(creatable) + 1):
        worker = celery_worker_factory(env=env)
        run = request_apply(integration)
        wait_for_crash_or_end(worker, run)
        run.refresh_from_db()
        if run.state == RunState.SUCCEEDED:
            final = run
            worker.stop()
            break
        assert run.state != RunState.FAILED, events_text(run)
        worker.process.wait(timeout=30)
        assert worker.process.returncode == -9, "the worker must have died by SIGKILL"
    assert final is not None, "apply never completed"
    adopted = {
        e.node
        for r in Run.objects.filter(integration_id=integration.pk)
        for e in r.events.all()
        if e.action == "adopt"
    }
    return final, creatable, adopted
