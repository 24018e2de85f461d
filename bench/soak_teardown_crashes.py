"""`make soak-teardown`: issue 15's "Teardown crashes" campaign, every kind (not part of `make test`).

For each kind an integration is applied against the sandbox by a real Celery worker,
then torn down by workers that SIGKILL themselves right after each node's vendor
delete, once per node (`ENGINE_CRASH_AFTER_DELETE_DIR`), a new worker and a new
teardown run after each kill, until a teardown succeeds and the integration row is
gone (integrations/tests/teardown_crash_support.py). The sandbox's ledger says what
each node left: duplicates and orphans must all be 0, every node that sends a delete
must have been cut right after it, and the run after each cut must have finished
that node (a second delete of what is already gone is success).

It prints kind | node | objects | killed after delete | next run | duplicates | orphans and
writes the same as JSON to bench/results/ (gitignored). The file name keeps it out of
`make test` (`test_*.py`) and `make bench` (`bench_*.py`); the functions are `soak_*`.
`make test` keeps one kind of it: integrations/tests/test_engine_teardown_crash.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    sandbox_settings,
)
from integrations.tests.kind_makers import MAKERS
from integrations.tests.teardown_crash_support import (
    TeardownCampaign,
    table,
    teardown_crash_at_every_node,
)
from testing import resets

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

RESULTS = Path(__file__).resolve().parent / "results"


@pytest.fixture(scope="module")
def campaigns() -> Iterator[list[TeardownCampaign]]:
    """The kinds' campaigns; after the last one, the table on stdout and the JSON in bench/results/."""
    done: list[TeardownCampaign] = []
    yield done
    if not done:
        return
    problems = [p for c in done for p in c.problems()]
    verdict = "all 0" if not problems else f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
    sys.stdout.write(f"\n\nTeardown crashes ({verdict})\n{table(done)}\n")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"teardown-crashes-{stamp}.json"
    report = {"at": stamp, "problems": problems, "campaigns": [c.as_dict() for c in done]}
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    sys.stdout.write(f"JSON: {path}\n")


@pytest.mark.parametrize("kind", list(MAKERS))
def soak_teardown_survives_a_kill_after_every_delete(
    kind: str,
    campaigns: list[TeardownCampaign],
    sandbox_server: Any,
    sandbox_url: str,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": "https://pb.example.com"}
    apply_settings(monkeypatch, env)
    resets.forget_tokens()
    sandbox = Sandbox(sandbox_url)
    setup = MAKERS[kind](sandbox, slug=f"td{kind.replace('_', '')[:10]}")

    campaign = teardown_crash_at_every_node(
        setup.integration, celery_worker_factory, env, tmp_path / "crashes", sandbox, setup.prefix
    )
    campaigns.append(campaign)

    assert campaign.problems() == []
    assert campaign.kills == len(campaign.deletable) > 0
