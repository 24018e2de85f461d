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

The shared-accounts variant (issue 15, item 2: "show the call count with and without the
sharing") seeds N connect_vapi integrations in one tenant on one AWS and one Vapi account and runs
the same pass with the workers' shared listings off, then on (1 and 2 workers), in one table. N is
BENCH_RECONCILE_SHARED_N (default 8; empty leaves the variant out).
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.conf import settings
from django.utils import timezone

from bench import scale_support as support
from integrations.engine.schedule import RECONCILE_BATCH, enqueue_due_reconciles
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.tasks import execute_run_task, queue_run
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from testing import resets

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


def make_all_due(ids: list[UUID]) -> None:
    """Every integration's last run ended two hours ago: all due at the next tick."""
    past = timezone.now() - timedelta(seconds=settings.RECONCILE_INTERVAL + 7200)
    Run.objects.filter(integration_id__in=ids).update(finished_at=past)


def reconcile_pass(ids: list[UUID], sandbox_server: Any, tick: float, workers: list[Any]) -> dict[str, Any]:
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
    support.settle(ledger, workers)  # the refresh each run queues on commit belongs to the pass
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
    resets.forget_tokens()
    sandbox = Sandbox(sandbox_url)
    integrations = support.seed(sandbox, size, tag=f"rs{size}x")
    ids = [i.pk for i in integrations]

    workers = support.start_workers(celery_worker_factory, env, 2)
    seeded = support.apply_all(integrations, deadline=600 + 30 * size)
    support.settle(sandbox_server.sandbox.ledger, workers)  # the applies' diagnostics are not the pass's
    support.stop_workers(workers)
    assert seeded.failed == [], seeded.failed
    nodes = ResourceNode.objects.filter(integration_id__in=ids).count()

    tick = float(os.environ.get("BENCH_TICK_SECONDS", beat_tick_seconds()))
    passes: dict[int, dict[str, Any]] = {}
    for count in WORKER_COUNTS:
        workers = support.start_workers(celery_worker_factory, env, count)
        try:
            passes[count] = reconcile_pass(ids, sandbox_server, tick, workers)
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


#: the shared-accounts variant (issue 15, item 2): N connect_vapi integrations on one tenant's accounts;
#: BENCH_RECONCILE_SHARED_N="" leaves it out
SHARED_SIZES = [int(n) for n in os.environ.get("BENCH_RECONCILE_SHARED_N", "8").split(",") if n.strip()]
#: its passes: (label, the workers' RECONCILE_SHARED_LIST_SECONDS, worker processes)
SHARED_PASSES = (("off", "0", 1), ("on", "30", 1), ("on", "30", 2))
SHARED_HEADERS = [
    "N",
    "sharing",
    "workers",
    "nodes",
    "calls",
    "calls/integration",
    "vapi calls",
    "vapi/integration",
    "aws calls",
    "aws/integration",
    "writes",
    "wall s",
]


@pytest.mark.parametrize("size", SHARED_SIZES)
def bench_noop_reconcile_pass_shared_accounts(
    size: int,
    sandbox_server: Any,
    sandbox_url: str,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same no-op pass over N connect_vapi integrations of ONE tenant on ONE AWS and ONE Vapi
    account, with the workers' shared listings off and on (integrations/vendors/shared_reads.py).

    Sharing covers the Vapi reads (credential, phone number) and the Chime ones (voice connector, SIP
    media application, SIP rule, phone number); the other AWS reads are per object. Without REDIS_URL
    the cache is per worker process, so each worker lists once per tick.
    """
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE}
    apply_settings(monkeypatch, env)
    resets.forget_tokens()
    integrations = support.seed_shared(Sandbox(sandbox_url), size, tag=f"sh{size}x")
    ids = [i.pk for i in integrations]
    workers = support.start_workers(celery_worker_factory, env, 2)
    seeded = support.apply_all(integrations, deadline=600 + 30 * size)
    support.settle(sandbox_server.sandbox.ledger, workers)
    support.stop_workers(workers)
    assert seeded.failed == [], seeded.failed
    nodes = ResourceNode.objects.filter(integration_id__in=ids).count()

    tick = float(os.environ.get("BENCH_TICK_SECONDS", beat_tick_seconds()))
    passes: dict[str, dict[str, Any]] = {}
    for label, seconds, count in SHARED_PASSES:
        workers = support.start_workers(
            celery_worker_factory, {**env, "RECONCILE_SHARED_LIST_SECONDS": seconds}, count
        )
        try:
            passes[f"{label}/{count}"] = reconcile_pass(ids, sandbox_server, tick, workers)
        finally:
            support.stop_workers(workers)

    rows = []
    for (label, _, count), p in zip(SHARED_PASSES, passes.values(), strict=True):
        vapi = sum(n for op, n in p["operations"].items() if op.startswith("vapi:"))
        aws = sum(n for op, n in p["operations"].items() if op.startswith("aws:"))
        rows.append(
            [
                size,
                label,
                count,
                nodes,
                p["calls"],
                p["calls"] / size,
                vapi,
                vapi / size,
                aws,
                aws / size,
                sum(p["writes"].values()),
                p["wall_seconds"],
            ]
        )
    path = support.write_json(
        f"reconcile-shared-n{size}",
        {
            "integrations": size,
            "kind": "connect_vapi",
            "nodes": nodes,
            "tick_seconds": tick,
            "passes": passes,
        },
    )
    with capsys.disabled():
        print(
            f"\n\nNo-op reconcile pass, N={size} connect_vapi on one tenant's accounts, "
            "shared listings off and on"
        )
        print(support.table(SHARED_HEADERS, rows))
        print(f"JSON: {path}")

    for name, p in passes.items():
        assert p["failed"] == [], f"{name}: {p['failed']}"
        assert p["runs"] == p["reconciled_integrations"] == size, f"{name}: {p['runs']} runs"
        assert p["writes"] == {}, f"a no-op reconcile pass wrote ({name}): {p['writes']}"
