"""Benchmark (issue 15, item 2): one no-op reconcile pass over N applied integrations, 1 and 2 workers.

Method. N integrations of the four kinds in rotation are created through Patchbay's
actions (each tenant with its own sandbox accounts) and applied for real by two Celery
workers against the sandbox: every object a reconcile reads exists in the sandbox — no
clones, no fakes. Then, for 1 and then 2 worker processes (solo pool, one run at a time
each, both consuming one queue), every integration is made due (its runs' end moved two
hours back, past RECONCILE_INTERVAL) and this process plays the beat: it calls the beat
task's body, `enqueue_due_reconciles`, every beat tick (the configured schedule, 30 s) until
each integration has had its reconcile queued. The beat queues at most RECONCILE_BATCH (50)
per tick and spreads them over the tick with countdowns; the intended time of a run is its
enqueue time plus its countdown.

Reported per pass: vendor calls (sandbox ledger, from the first enqueue to the last run's
end), per integration and per node; writes (must be 0: the pass is a no-op); wall time from
the first tick to the last run's end; and the gap between each run's intended and actual
start (median and largest). The test fails if a run fails, an integration is not reconciled
exactly once, or anything is written; times are reported, never asserted.

N is 10 and 100 under `make bench`; `make bench-full` runs N=1000 (BENCH_RECONCILE_N, a
comma-separated list). The table goes to the terminal, the JSON to bench/results/.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from bench import scale_support as support
from integrations.engine.schedule import RECONCILE_BATCH, enqueue_due_reconciles
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.tasks import execute_run_task, queue_run
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from integrations.vendors import genesys as genesys_vendor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

SIZES = [int(n) for n in os.environ.get("BENCH_RECONCILE_N", "10,100").split(",") if n.strip()]
WORKER_COUNTS = (1, 2)
HEADERS = [
    "N",
    "workers",
    "nodes",
    "calls",
    "calls/integration",
    "calls/node",
    "writes",
    "ticks",
    "wall s",
    "gap p50 s",
    "gap max s",
    "runs per worker",
]


def beat_tick_seconds() -> float:
    return float(settings.CELERY_BEAT_SCHEDULE["enqueue-due-reconciles"]["schedule"])


def make_all_due(ids: list[int]) -> None:
    """Every integration's last run ended two hours ago: all due at the next tick."""
    past = timezone.now() - timedelta(seconds=settings.RECONCILE_INTERVAL + 7200)
    Run.objects.filter(integration_id__in=ids).update(finished_at=past)


def reconcile_pass(ids: list[int], sandbox_server: Any, tick: float) -> dict[str, Any]:
    """Play the beat until every integration has a reconcile queued, wait for them all, measure."""
    intended: dict[int, Any] = {}
    send = execute_run_task.apply_async

    def recording(args: Any, kwargs: Any = None, countdown: float | None = None, **options: Any) -> Any:
        intended[args[0]] = timezone.now() + timedelta(seconds=countdown or 0)
        return send(args=args, kwargs=kwargs, countdown=countdown, **options)

    ledger = sandbox_server.sandbox.ledger
    make_all_due(ids)
    mark = ledger.next_index
    started = timezone.now()
    ticks = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute_run_task, "apply_async", recording)
        while True:
            tick_at = time.monotonic()
            enqueue_due_reconciles(tick_seconds=tick, enqueue=queue_run)
            ticks += 1
            queued = Run.objects.filter(
                integration_id__in=ids, kind=RunKind.RECONCILE, created_at__gte=started
            )
            if queued.values("integration_id").distinct().count() >= len(ids):
                break
            time.sleep(max(0.0, tick - (time.monotonic() - tick_at)))
    runs = support.wait_all(list(queued.values_list("pk", flat=True)), deadline=600 + 30 * len(ids))
    requests = ledger.requests(since=mark)
    by_operation = support.operations(requests)
    writes = {op: n for op, n in by_operation.items() if support.is_write(op.split(":", 1)[1])}
    gaps = sorted(
        (r.started_at - intended[r.pk]).total_seconds() for r in runs if r.started_at and r.pk in intended
    )
    ends = [r.finished_at for r in runs if r.finished_at]
    return {
        "runs": len(runs),
        "failed": [f"{r.integration_name}: {r.message}" for r in runs if r.state != RunState.SUCCEEDED],
        "reconciled_integrations": len({r.integration_id for r in runs}),
        "calls": len(requests),
        "writes": writes,
        "ticks": ticks,
        "wall_seconds": (max(ends) - started).total_seconds() if ends else 0.0,
        "gap_p50_seconds": support.quantile(gaps, 0.5),
        "gap_max_seconds": max(gaps, default=0.0),
        "run_seconds_p50": support.quantile(sorted(support.run_seconds(runs)), 0.5),
        "operations": dict(sorted(by_operation.items())),
    }


@pytest.mark.parametrize("size", SIZES)
def bench_noop_reconcile_pass_at_scale(
    size: int,
    sandbox_server: Any,
    sandbox_url: str,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, env)
    genesys_vendor.forget_tokens()
    sandbox = Sandbox(sandbox_url)
    integrations = support.seed(sandbox, size, tag=f"rs{size}x")
    ids = [i.pk for i in integrations]

    workers = support.start_workers(celery_worker_factory, env, 2)
    seeded = support.apply_all(integrations, deadline=600 + 30 * size)
    support.stop_workers(workers)
    assert seeded.failed == [], seeded.failed
    nodes = ResourceNode.objects.filter(integration_id__in=ids).count()

    tick = float(os.environ.get("BENCH_TICK_SECONDS", beat_tick_seconds()))
    passes: dict[int, dict[str, Any]] = {}
    for count in WORKER_COUNTS:
        workers = support.start_workers(celery_worker_factory, env, count)
        try:
            passes[count] = reconcile_pass(ids, sandbox_server, tick)
            passes[count]["runs_per_worker"] = support.runs_per_worker(workers)
        finally:
            support.stop_workers(workers)

    rows = [
        [
            size,
            count,
            nodes,
            p["calls"],
            p["calls"] / size,
            p["calls"] / max(nodes, 1),
            sum(p["writes"].values()),
            p["ticks"],
            p["wall_seconds"],
            p["gap_p50_seconds"],
            p["gap_max_seconds"],
            "/".join(map(str, p["runs_per_worker"])),
        ]
        for count, p in passes.items()
    ]
    kinds = dict.fromkeys((k for k, _ in support.MAKERS), 0)
    for integration in Integration.objects.filter(pk__in=ids):
        kinds[integration.kind] += 1
    path = support.write_json(
        f"reconcile-scale-n{size}",
        {
            "integrations": size,
            "kinds": kinds,
            "nodes": nodes,
            "tick_seconds": tick,
            "batch_per_tick": RECONCILE_BATCH,
            "seed_apply_wall_seconds": seeded.wall,
            "passes": {f"{count} worker(s)": p for count, p in passes.items()},
        },
    )
    with capsys.disabled():
        print(f"\n\nNo-op reconcile pass, N={size} ({kinds}), beat tick {tick:.0f}s, {RECONCILE_BATCH}/tick")
        print(support.table(HEADERS, rows))
        print(f"JSON: {path}")

    for count, p in passes.items():
        assert p["failed"] == [], f"{count} worker(s): {p['failed']}"
        assert p["runs"] == p["reconciled_integrations"] == size, f"{count} worker(s): {p['runs']} runs"
        assert p["writes"] == {}, f"a no-op reconcile pass wrote ({count} worker(s)): {p['writes']}"
