"""`make soak-faults`: issue 15's "Random faults" campaign over the four kinds (not part of `make test`).

`--runs` seeded runs in all (default 100), spread evenly over connect_vapi,
connect_synthflow, genesys_synthflow and twilio_synthflow. Each run resets the
sandbox, creates a tenant with its accounts and one integration, aims 1-3 of
the sandbox's faults at random steps of the kind's clean apply, and applies in
a real Celery worker (bench/fault_campaign.py says what "converged" means). The
faults of run i of a kind come from `random.Random(f"{seed}-{kind}-{i}")`: the
same `--seed` injects the same faults.

Prints kind | runs | converged | faults hit | node retries | p50/max seconds to
converge | runs that needed a person | duplicates | orphans, writes every run as
JSON to bench/results/ (gitignored), and fails unless every run converged.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.fault_campaign import (
    READ_TIMEOUT,
    FaultRun,
    draw_faults,
    execute,
    start_patient_worker,
    summary,
    table,
    trace_steps,
)
from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    events_text,
    run_to_end,
    sandbox_settings,
)
from integrations.tests.kind_makers import MAKERS
from testing import resets
from testing.orphans import assert_no_orphans

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

RESULTS = Path(__file__).resolve().parent / "results"

SHORT = {"connect_vapi": "cv", "connect_synthflow": "cs", "genesys_synthflow": "gs", "twilio_synthflow": "ts"}


@pytest.fixture(scope="module")
def engine_env(sandbox_server: Any) -> dict[str, str]:
    return {
        **sandbox_settings(sandbox_server.url),
        **FAST_ENGINE,
        "PUBLIC_BASE_URL": "https://pb.example.com",
        "VENDOR_HTTP_TIMEOUT": str(READ_TIMEOUT),
    }


@pytest.fixture(scope="module")
def worker(celery_worker_factory: Any, engine_env: dict[str, str]) -> Iterator[Any]:
    started = start_patient_worker(celery_worker_factory, engine_env)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def campaign(request: pytest.FixtureRequest) -> Iterator[list[FaultRun]]:
    """Every run of every kind; after the last kind, the table on stdout and the JSON in bench/results/."""
    done: list[FaultRun] = []
    yield done
    if not done:
        return
    rows = summary(done)
    seed = request.config.getoption("--seed")
    sys.stdout.write(f"\n\nRandom faults (seed {seed})\n{table(rows)}\n")
    for run in done:
        if not run.converged:
            sys.stdout.write(f"  {run.kind} #{run.index}: {run.as_dict()}\n")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"random-faults-{stamp}.json"
    report = {"at": stamp, "seed": seed, "summary": rows, "runs": [r.as_dict() for r in done]}
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    sys.stdout.write(f"JSON: {path}\n")


def _setup(sandbox: Sandbox, kind: str, slug: str) -> tuple[Any, set[tuple[str, str]]]:
    """A reset sandbox, a new tenant with accounts and one integration; the objects already there."""
    sandbox.post("reset")
    resets.forget_tokens()
    setup = MAKERS[kind](sandbox, slug=slug)
    baseline = {(o["type"], o["id"]) for o in sandbox.ledger()["objects"]}
    return setup, baseline


@pytest.mark.parametrize("kind", list(MAKERS))
def soak_random_faults_converge(
    kind: str,
    campaign: list[FaultRun],
    worker: Any,
    sandbox_url: str,
    engine_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    apply_settings(monkeypatch, engine_env)
    sandbox = Sandbox(sandbox_url)
    seed = str(request.config.getoption("--seed"))
    total = int(request.config.getoption("--runs"))
    kinds = list(MAKERS)
    runs = total // len(kinds) + (1 if kinds.index(kind) < total % len(kinds) else 0)

    # The trace: a clean apply, every vendor request it sent.
    setup, baseline = _setup(sandbox, kind, f"rf{SHORT[kind]}trace")
    first = sandbox.ledger()["next"]
    started = time.monotonic()
    clean = run_to_end(setup.integration, RunKind.APPLY)
    assert clean.state == RunState.SUCCEEDED, events_text(clean)
    assert_no_orphans(sandbox, setup.integration, setup.prefix, baseline)
    steps = trace_steps(sandbox.ledger(since=first)["requests"])
    took = time.monotonic() - started
    sys.stdout.write(f"\n{kind}: clean apply {took:.1f}s, {len(steps)} vendor requests\n")

    mine = []
    for index in range(runs):
        rng = random.Random(f"{seed}-{kind}-{index}")
        faults = draw_faults(rng, steps)
        setup, baseline = _setup(sandbox, kind, f"rf{SHORT[kind]}{index}")
        run = execute(
            FaultRun(kind, index, f"{seed}-{kind}-{index}", faults),
            sandbox,
            setup.integration,
            setup.prefix,
            baseline,
        )
        mine.append(run)
        campaign.append(run)
        verdict = "converged" if run.converged else f"NOT converged ({run.state}, {run.needed_person=})"
        modes = ",".join(f"{f['mode']}@{f['vendor']}.{f['operation']}#{f['after']}" for f in faults)
        sys.stdout.write(f"  #{index} {run.seconds:5.1f}s {verdict} [{modes}]\n")
        sys.stdout.flush()

    assert [r.as_dict() for r in mine if not r.converged] == []
