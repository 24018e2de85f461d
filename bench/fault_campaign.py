"""Issue 15's "Random faults" campaign: the pieces `bench/soak_faults.py` drives.

A clean apply of a kind is recorded first (its *trace*: every vendor request, in
order). Each seeded run then picks 1-3 steps of that trace at random and aims one
of the sandbox's faults at exactly that step (its operation, `after` the earlier
calls of the same operation): a throttle burst, a 5xx, latency (sometimes past
the client's read timeout, so the vendor did the write but the answer never
came), a dropped connection, or a lost response. The apply runs in a real Celery
worker; the run converged when it succeeded with every node ready, no vendor
object twice (counted by type and name) and no object the integration's nodes
do not own. A run left failed is one that needed a person: the campaign then
does what the person would (a second apply, faults cleared) and records whether
that converged.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from integrations.models import Integration
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunEvent, RunKind, RunState
from integrations.tests.engine_support import READ_PREFIXES, Sandbox, events_text, run_to_end, wait_for_run
from testing.orphans import census

#: what the client waits for an answer (seconds): some latency faults go past it
READ_TIMEOUT = 2.0
MODES = ("throttle", "error", "latency", "drop", "lose_response")
#: 5xx statuses the vendors document for a failure on their side
SERVER_ERRORS = (500, 502, 503, 504)


@dataclass(frozen=True)
class Step:
    """One vendor request of a clean apply: where a fault can be aimed."""

    target: str  # a fault's `vendor`: the AWS signing name, or the HTTP vendor
    operation: str
    after: int  # earlier requests of the same operation in the trace


def trace_steps(requests: list[dict[str, Any]]) -> list[Step]:
    """The steps of a clean apply's ledger requests (unnamed ones, e.g. a 404 before routing, left out)."""
    seen: Counter[tuple[str, str]] = Counter()
    steps = []
    for request in requests:
        if not request["operation"] or not request["vendor"]:
            continue
        target = request["service"] or request["vendor"]
        key = (target, request["operation"])
        steps.append(Step(target, request["operation"], seen[key]))
        seen[key] += 1
    return steps


def draw_faults(rng: random.Random, steps: list[Step]) -> list[dict[str, Any]]:
    """1-3 faults at random steps of the trace, each of a random mode (control-API bodies).

    Reads outnumber writes several times in a trace; half the faults are drawn from the writes
    only, so lost and dropped creates (the ones that could leave a duplicate) are well represented.
    """
    writes = [s for s in steps if not s.operation.startswith(READ_PREFIXES)] or steps
    chosen: list[Step] = []
    for _ in range(rng.randint(1, 3)):
        pool = [s for s in (writes if rng.random() < 0.5 else steps) if s not in chosen] or steps
        chosen.append(rng.choice(pool))
    faults = []
    for step in chosen:
        mode = rng.choice(MODES)
        spec: dict[str, Any] = {
            "vendor": step.target,
            "operation": step.operation,
            "mode": mode,
            "after": step.after,
        }
        if mode == "throttle":
            spec["times"] = rng.randint(1, 4)  # a burst
        elif mode == "error":
            spec["times"] = rng.randint(1, 2)
            spec["status"] = rng.choice(SERVER_ERRORS)
            spec["code"], spec["message"] = "InternalFailure", "injected 5xx"
        elif mode == "latency":
            spec["times"] = 1
            spec["latency_ms"] = rng.randint(100, int(READ_TIMEOUT * 1000) + 1500)
        else:
            spec["times"] = 1
        faults.append(spec)
    return faults


@dataclass
class FaultRun:
    """One seeded run of the campaign."""

    kind: str
    index: int
    seed: str
    faults: list[dict[str, Any]]
    state: str = ""
    seconds: float = 0.0  # from the apply's request to its end (and a person's apply, when one was needed)
    faults_hit: int = 0  # requests the sandbox answered with a fault (each one re-sent by someone)
    node_retries: int = 0  # the engine's node-level retries (run events "retry")
    not_ready: list[str] = field(default_factory=list)
    duplicates: int = 0
    orphans: int = 0
    needed_person: bool = False
    person_apply_converged: bool | None = None
    message: str = ""

    @property
    def converged(self) -> bool:
        return self.state == RunState.SUCCEEDED and not (self.not_ready or self.duplicates or self.orphans)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "converged": self.converged}


def _not_ready(integration: Integration) -> list[str]:
    rows = ResourceNode.objects.filter(integration_id=integration.pk).exclude(status=NodeStatus.DELETED)
    return sorted(f"{r.node}:{r.status}" for r in rows if r.status != NodeStatus.READY)


def execute(
    run: FaultRun, sandbox: Sandbox, integration: Integration, prefix: str, baseline: set[tuple[str, str]]
) -> FaultRun:
    """Inject the run's faults, apply, wait, and judge; a failed apply gets a person's second apply."""
    for spec in run.faults:
        sandbox.post("faults", spec)
    first_index = sandbox.ledger()["next"]
    started = time.monotonic()
    applied = run_to_end(integration, RunKind.APPLY)
    run.seconds = time.monotonic() - started
    run.state = applied.state
    run.node_retries = RunEvent.objects.filter(run=applied, outcome="retry").count()
    run.faults_hit = sum(1 for r in sandbox.ledger(since=first_index)["requests"] if r["fault"])
    if applied.state != RunState.SUCCEEDED:
        run.needed_person = True
        run.message = f"{applied.message} | {events_text(applied)[-1500:]}"
        sandbox.clear_faults()  # what is left of them; a person applies again
        started = time.monotonic()
        again = wait_for_run(_request_apply(integration))
        run.seconds += time.monotonic() - started
        run.person_apply_converged = again.state == RunState.SUCCEEDED
    sandbox.clear_faults()
    run.not_ready = _not_ready(integration)
    run.duplicates, run.orphans = census(sandbox, integration, prefix, baseline)
    return run


def _request_apply(integration: Integration) -> Run:
    from integrations.engine.runs import request_run
    from integrations.tasks import queue_run

    apply, _ = request_run(integration, RunKind.APPLY, enqueue=queue_run)
    return apply


def summary(runs: list[FaultRun]) -> list[dict[str, Any]]:
    """One row per kind (and a total): runs, converged, retries, time to converge, people needed."""
    rows = []
    kinds = sorted({r.kind for r in runs})
    for kind in [*kinds, "all"]:
        mine = [r for r in runs if kind in ("all", r.kind)]
        done = [r.seconds for r in mine if r.converged or r.person_apply_converged]
        rows.append(
            {
                "kind": kind,
                "runs": len(mine),
                "converged": sum(r.converged for r in mine),
                "faults_hit": sum(r.faults_hit for r in mine),
                "node_retries": sum(r.node_retries for r in mine),
                "p50_s": round(statistics.median(done), 2) if done else 0.0,
                "max_s": round(max(done), 2) if done else 0.0,
                "needed_person": sum(r.needed_person for r in mine),
                "duplicates": sum(r.duplicates for r in mine),
                "orphans": sum(r.orphans for r in mine),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    """The summary as an aligned text table."""
    heads = list(rows[0])
    widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in heads]
    lines = [" | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    for row in rows:
        lines.append(" | ".join(str(row[h]).ljust(w) for h, w in zip(heads, widths, strict=True)))
    return "\n".join(lines)


#: seconds a worker may take to be ready: its Django setup on 2 shared cores that other sessions keep busy
WORKER_READY_SECONDS = 240.0


def start_patient_worker(celery_worker_factory: Any, env: dict[str, str]) -> Any:
    """`celery_worker_factory(env=env)` (testing/plugins/workers.py), waiting longer for it to be ready."""
    return celery_worker_factory(env=env, ready_timeout=WORKER_READY_SECONDS)
