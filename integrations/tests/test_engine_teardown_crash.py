"""Teardown crash safety, twilio_synthflow: SIGKILL the worker right after each node's vendor delete.

The cheapest kind keeps the crash point in `make test` so it cannot rot; every kind
runs in `make soak-teardown` (bench/soak_teardown_crashes.py). Its own module: the
crash workers must be the only workers (see test_engine_crash.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from integrations.models import Integration
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunKind, RunState
from integrations.tests.crash_support import request_apply, wait_for_crash_or_end
from integrations.tests.engine_support import (
    FAST_ENGINE,
    Sandbox,
    apply_settings,
    events_text,
    run_to_end,
    sandbox_settings,
)
from integrations.tests.synthflow_engine_support import make_twilio_synthflow
from integrations.tests.teardown_crash_support import table, teardown_crash_at_every_node

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_twilio_synthflow_teardown_survives_a_kill_after_every_delete(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": "https://pb.example.com"}
    apply_settings(monkeypatch, env)
    sandbox = Sandbox(sandbox_url)
    setup = make_twilio_synthflow(sandbox, slug="tdcrash")
    number_sid = setup.sandbox_accounts["twilio"]["phone_number_sid"]
    previous = setup.twilio().get_number(number_sid).voice_url

    campaign = teardown_crash_at_every_node(
        setup.integration, celery_worker_factory, env, tmp_path / "d", sandbox, setup.prefix
    )
    sys.stdout.write("\n" + table([campaign]) + "\n")

    assert campaign.problems() == []
    # Every node that sends a delete was cut right after it, and the next run finished it.
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == sorted(campaign.deletable)
    assert {"warm_transfer_acl", "warm_transfer_domain", "synthflow_number", "twilio_voice"} <= set(
        campaign.deletable
    )
    assert campaign.kills == len(campaign.deletable)
    assert all(t.orphans == 0 and t.duplicates == 0 for t in campaign.nodes)
    # The SIP domain, its IP list and the imported number existed and are gone: the deletes happened.
    assert {t.node for t in campaign.nodes if t.objects} >= {
        "warm_transfer_acl",
        "warm_transfer_domain",
        "synthflow_number",
    }
    assert sandbox.objects_named(setup.prefix) == []
    assert not Integration.objects.filter(pk=setup.integration.pk).exists()
    final = Run.objects.get(pk=campaign.runs[-1])
    assert (final.kind, final.state) == (RunKind.TEARDOWN, RunState.SUCCEEDED)
    # The number is the customer's: it stays, pointing where it pointed before the apply.
    assert setup.twilio().get_number(number_sid).voice_url == previous


def test_retired_nodes_an_apply_deletes_survive_a_kill_after_each_delete(
    sandbox_url: str,
    sandbox_server: Any,
    celery_worker_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Naming a warm_transfer_uri retires the SIP Domain and its IP list: the next apply deletes them."""
    env = {**sandbox_settings(sandbox_server.url), **FAST_ENGINE, "PUBLIC_BASE_URL": "https://pb.example.com"}
    apply_settings(monkeypatch, env)
    sandbox = Sandbox(sandbox_url)
    setup = make_twilio_synthflow(sandbox, slug="tdretire")
    worker = celery_worker_factory(env=env)
    applied = run_to_end(setup.integration, RunKind.APPLY)
    worker.stop()
    assert applied.state == RunState.SUCCEEDED, events_text(applied)
    assert {"twilio.sip_domain", "twilio.ip_access_control_list"} <= _types(sandbox, setup.prefix)
    integration = setup.integration
    integration.config = {**integration.config, "warm_transfer_uri": "acme.sip.twilio.com"}
    integration.save(update_fields=["config"])

    crashes = tmp_path / "r"
    crashes.mkdir()
    crash_env = {**env, "ENGINE_CRASH_AFTER_DELETE_DIR": str(crashes), "ENGINE_CONCURRENCY": "1"}
    states = []
    seen: set[str] = set()
    for _ in range(len(RETIRED) + 1):
        worker = celery_worker_factory(env=crash_env)
        run = request_apply(integration)
        wait_for_crash_or_end(worker, run)
        run.refresh_from_db()
        states.append(run.state)
        if run.state != RunState.RUNNING:
            worker.stop()
            break
        worker.process.wait(timeout=30)
        assert worker.process.returncode == -9, "the worker must have died by SIGKILL"
        # Killed between the delete and its save: the next apply meets a node still "deleting".
        (killed,) = {p.name for p in crashes.iterdir()} - seen
        seen.add(killed)
        assert _status(setup, killed) == NodeStatus.DELETING

    assert states == [RunState.RUNNING, RunState.RUNNING, RunState.SUCCEEDED], events_text(run)
    assert sorted(p.name for p in crashes.iterdir()) == sorted(RETIRED)
    assert all(_status(setup, node) == NodeStatus.DELETED for node in RETIRED)
    assert _types(sandbox, setup.prefix) == {"synthflow.number"}
    imported = setup.synthflow().get_number(
        setup.workspace_id, setup.sandbox_accounts["twilio"]["phone_number"]
    )
    assert imported.termination_uri == "acme.sip.twilio.com"


RETIRED = ("warm_transfer_domain", "warm_transfer_acl")


def _types(sandbox: Sandbox, prefix: str) -> set[str]:
    return {o["type"] for o in sandbox.objects_named(prefix)}


def _status(setup: Any, node: str) -> str:
    return ResourceNode.objects.get(integration_id=setup.integration.pk, node=node).status
