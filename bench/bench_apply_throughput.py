"""Benchmark (issue 15, item 4): 50 integrations applied at once, with 1 and with 2 workers.

Method. For each worker count, 50 new integrations of the four kinds in rotation are
created through Patchbay's actions (each tenant with its own sandbox accounts), then an
apply is requested for all 50 at once (`request_run`, as the API does) and executed by that
many real Celery worker processes (solo pool, one run at a time each, all consuming one
queue) against the sandbox. The Connect kinds all order their Chime number in one area code, so
applies running at once meet the same search results, as two applies of one region would (the one
whose order fails orders the next candidate; "numbers ordered again" counts those orders). Wall
time runs from the first request to the last run's end;
the scaling ratio is wall(1 worker) / wall(2 workers) (2.0 would be perfect).

The test fails if any run fails, an integration got more than one apply run, or the
sandbox holds two objects of one type under one name of these integrations (a duplicate);
times are reported, never asserted. BENCH_APPLY_N changes the 50. The table goes to the
terminal, the JSON to bench/results/. Run with `make bench`.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from bench import scale_support as support
from integrations.models.engine import ResourceNode, Run
from integrations.tests.engine_support import FAST_ENGINE, Sandbox, apply_settings, sandbox_settings
from testing import resets

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

SIZE = int(os.environ.get("BENCH_APPLY_N", "50"))
WORKER_COUNTS = (1, 2)
HEADERS = [
    "integrations",
    "workers",
    "wall s",
    "applies/min",
    "run p50 s",
    "run max s",
    "failed",
    "duplicates",
    "numbers ordered again",
    "runs per worker",
]


def bench_apply_throughput_one_and_two_workers(
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

    phases: dict[int, dict[str, Any]] = {}
    for count in WORKER_COUNTS:
        integrations = support.seed(sandbox, SIZE, tag=f"at{count}w", area_codes=("503",))
        workers = support.start_workers(celery_worker_factory, env, count)
        mark = sandbox_server.sandbox.ledger.next_index
        try:
            result = support.apply_all(integrations, deadline=300 + 30 * SIZE)
            per_worker = support.runs_per_worker(workers)
        finally:
            support.stop_workers(workers)
        runs_per_integration = Counter(
            Run.objects.filter(integration_id__in=[i.pk for i in integrations]).values_list(
                "integration_id", flat=True
            )
        )
        durations = sorted(result.run_seconds)
        # Chime orders beyond one per number: a number taken by a concurrent apply between its search
        # and its order, ordered again from the next candidate (integrations/resources/chime_phone_number.py)
        orders = [
            r
            for r in sandbox_server.sandbox.ledger.requests(since=mark)
            if r.operation == "CreatePhoneNumberOrder"
        ]
        numbers = ResourceNode.objects.filter(
            integration_id__in=[i.pk for i in integrations],
            type__in=("chime.phone_number", "chime.connector_phone_number"),
        ).count()
        phases[count] = {
            "integrations": SIZE,
            "wall_seconds": result.wall,
            "applies_per_minute": 60 * SIZE / result.wall if result.wall else 0.0,
            "run_seconds_p50": support.quantile(durations, 0.5),
            "run_seconds_max": max(durations, default=0.0),
            "failed": result.failed,
            "integrations_with_several_runs": sorted(
                str(k) for k, n in runs_per_integration.items() if n > 1
            ),
            "duplicates": support.duplicates(sandbox_server.sandbox.live_objects(), integrations),
            "chime_numbers": numbers,
            "chime_orders": len(orders),
            "runs_per_worker": per_worker,
        }

    ratio = phases[1]["wall_seconds"] / phases[2]["wall_seconds"] if phases[2]["wall_seconds"] else 0.0
    rows = [
        [
            SIZE,
            count,
            p["wall_seconds"],
            p["applies_per_minute"],
            p["run_seconds_p50"],
            p["run_seconds_max"],
            len(p["failed"]),
            len(p["duplicates"]),
            p["chime_orders"] - p["chime_numbers"],
            "/".join(map(str, p["runs_per_worker"])),
        ]
        for count, p in phases.items()
    ]
    path = support.write_json(
        f"apply-throughput-n{SIZE}",
        {"scaling_ratio": ratio, "phases": {f"{count} worker(s)": p for count, p in phases.items()}},
    )
    with capsys.disabled():
        print(f"\n\nApply throughput: {SIZE} integrations (kinds in rotation) requested at once")
        print(support.table(HEADERS, rows))
        print(f"scaling ratio wall(1 worker) / wall(2 workers): {ratio:.2f}")
        print(f"JSON: {path}")

    for count, p in phases.items():
        assert p["failed"] == [], f"{count} worker(s): {p['failed']}"
        assert p["integrations_with_several_runs"] == [], f"{count} worker(s): several applies"
        assert p["duplicates"] == {}, f"{count} worker(s) duplicated: {p['duplicates']}"
