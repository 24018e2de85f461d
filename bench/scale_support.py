"""Shared by bench_reconcile_scale.py and bench_apply_throughput.py: seeding, workers, runs, ledger, output.

Integrations are seeded through Patchbay's own actions (integrations/tests' makers), one
tenant with its own sandbox accounts per integration, the four kinds in rotation. They are
applied for real by real Celery worker processes (`celery_worker_factory`) against the
in-process sandbox, whose ledger counts every vendor request and lists every live object.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from integrations.actions import create_integration
from integrations.engine.names import integration_prefix
from integrations.engine.runs import request_run
from integrations.models import Integration
from integrations.models.engine import Run, RunKind, RunState
from integrations.tasks import queue_run
from integrations.tests.engine_support import READ_PREFIXES, Sandbox, make_connect_vapi
from integrations.tests.kind_makers import MAKERS as KIND_MAKERS
from tenants.audit import Actor
from testing.waits import wait_until

RESULTS = Path(__file__).resolve().parent / "results"

#: the kinds, in the order integrations are seeded (integration i is MAKERS[i % 4])
MAKERS: list[tuple[str, Callable[..., Any]]] = list(KIND_MAKERS.items())

FINISHED = (RunState.SUCCEEDED, RunState.FAILED)

#: area codes the Connect kinds order their Chime number in, in turn. All sandbox AWS accounts share
#: one Chime number inventory (of 500 numbers per area code), and a search returns the same first
#: candidates until one is ordered: two applies ordering in one area code at the same moment pick the
#: same number, and the loser's order ends Failed; it then orders the next candidate
#: (integrations/resources/chime_phone_number.py). Real AWS has one global inventory too.
AREA_CODES = ("503", "415", "212", "312", "206", "617", "303", "512", "404", "305")


def seed(
    sandbox: Sandbox, count: int, tag: str, area_codes: tuple[str, ...] = AREA_CODES
) -> list[Integration]:
    """`count` integrations of mixed kinds, each in its own tenant with its own sandbox accounts; the
    Connect kinds order their Chime number in `area_codes` in turn."""
    made = []
    for index in range(count):
        kind, make = MAKERS[index % len(MAKERS)]
        config = {"area_code": area_codes[index % len(area_codes)]} if kind.startswith("connect") else {}
        made.append(make(sandbox, slug=f"{tag}{index:04d}", **config).integration)
    return made


def seed_shared(sandbox: Sandbox, count: int, tag: str) -> list[Integration]:
    """`count` connect_vapi integrations in ONE tenant on ONE AWS and ONE Vapi account (issue 15, item 2).

    The first is made as the engine tests make one (it routes the instance's Connect number); the others
    reuse its accounts and config through `create_integration`, each with its own Chime area code (see
    AREA_CODES) and Vapi SIP URI user, and no Connect number: one number routes to one flow only.
    """
    first = make_connect_vapi(sandbox, slug=tag, area_code=AREA_CODES[0], sip_uri_user=f"{tag}0")
    made = [first.integration]
    for index in range(1, count):
        config = {
            **first.integration.config,
            "connect_phone_numbers": [],
            "area_code": AREA_CODES[index % len(AREA_CODES)],
            "sip_uri_user": f"{tag}{index}",
        }
        made.append(
            create_integration(
                first.tenant,
                name=f"desk-{index}",
                kind="connect_vapi",
                accounts={"aws": first.aws, "vapi": first.vapi},
                config=config,
                actor=Actor.system(),
            )
        )
    return made


def start_workers(factory: Any, env: dict[str, str], count: int) -> list[Any]:
    """`count` worker processes (solo pool, one run at a time each) consuming one queue."""
    first = factory(env=env)
    return [first, *(factory(env=env, queue=first.queue) for _ in range(count - 1))]


def runs_per_worker(workers: Iterable[Any]) -> list[int]:
    """How many runs each worker started (from its log's "<kind> run <id> started" lines)."""
    return [len(re.findall(r"\b(?:apply|reconcile|teardown) run \d+ started", w.log())) for w in workers]


def stop_workers(workers: Iterable[Any]) -> None:
    for worker in reversed(list(workers)):
        worker.stop()


def wait_all(run_ids: list[int], deadline: float) -> list[Run]:
    """Poll until every run has finished; fail with the unfinished ones past `deadline` seconds."""

    def all_finished() -> list[Run]:
        runs = list(Run.objects.filter(pk__in=run_ids).order_by("pk"))
        return runs if len(runs) == len(run_ids) and all(r.state in FINISHED for r in runs) else []

    def stuck() -> str:
        runs = Run.objects.filter(pk__in=run_ids).exclude(state__in=FINISHED).order_by("pk")
        unfinished = [f"{r.pk}:{r.kind}:{r.state}" for r in runs]
        return f"{len(unfinished)} run(s) unfinished: {unfinished[:20]}"

    return wait_until(all_finished, timeout=deadline, max_interval=1.0, message=stuck)


@dataclass
class ApplyResult:
    """All the integrations' applies, requested at once and executed by the workers."""

    runs: list[Run]
    wall: float  # seconds from the first request to the last run's end
    run_seconds: list[float]  # each run's start → end

    @property
    def failed(self) -> list[str]:
        return [f"{r.integration_name}: {r.message}" for r in self.runs if r.state != RunState.SUCCEEDED]


def apply_all(integrations: list[Integration], deadline: float) -> ApplyResult:
    started = timezone.now()
    runs = [request_run(integration, RunKind.APPLY, enqueue=queue_run)[0] for integration in integrations]
    done = wait_all([r.pk for r in runs], deadline)
    ends = [r.finished_at for r in done if r.finished_at]
    wall = (max(ends) - started).total_seconds() if ends else 0.0
    return ApplyResult(done, wall, run_seconds(done))


def settle(ledger: Any, workers: Iterable[Any] = (), *, quiet: float = 3.0, deadline: float = 300.0) -> None:
    """Wait until the workers have taken what was queued (a ping through the queue per worker: a solo
    pool takes its tasks in order) and the sandbox has had no request for `quiet` seconds: the work
    that follows a run (the registration refresh and diagnostics it queues on commit,
    integrations/diagnostics/receivers.py) is done and counted with it, not with whatever is measured
    next. (Quiet alone was not enough at N=1000: a backlog of refreshes that paused on the database
    for 3 s ran into the next pass.)"""
    for worker in workers:
        worker.wait_idle(timeout=deadline)
    end = time.monotonic() + deadline
    last, since = ledger.next_index, time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.5)
        if ledger.next_index != last:
            last, since = ledger.next_index, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    raise AssertionError(f"the sandbox never went quiet for {quiet}s within {deadline}s")


def run_seconds(runs: Iterable[Run]) -> list[float]:
    """Each finished run's start → end."""
    return [(r.finished_at - r.started_at).total_seconds() for r in runs if r.started_at and r.finished_at]


def is_write(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


def operations(requests: Iterable[Any]) -> Counter[str]:
    """`vendor:Operation` → count, for the sandbox ledger's request records."""
    return Counter(f"{r.vendor}:{r.operation}" for r in requests)


def duplicates(live_objects: Iterable[Any], integrations: list[Integration]) -> dict[str, int]:
    """Objects of these integrations (by their name prefix) that exist more than once, by type and name."""
    prefixes = tuple(integration_prefix(i.tenant.slug, i.name) + "-" for i in integrations)
    counts = Counter((o.type, o.name) for o in live_objects if o.name.startswith(prefixes))
    return {f"{kind} {name}": n for (kind, name), n in counts.items() if n > 1}


def quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain text table, columns right-aligned."""
    cells = [headers, *([f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(name: str, report: dict[str, Any]) -> Path:
    """The report as bench/results/<name>-<UTC stamp>.json (gitignored)."""
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"at": stamp, **report}, indent=2, default=str) + "\n")
    return path
