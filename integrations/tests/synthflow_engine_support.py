"""End-to-end engine tests of the Synthflow kinds: setups through Patchbay's actions, and the crash loop.

Builds on engine_support (sandbox wiring, runs, the ledger). `make_connect_synthflow`
and `make_twilio_synthflow` create a tenant, sandbox accounts and the integration;
`crash_at_every_node` is test_engine_crash's loop for any integration.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from integrations.actions import create_integration, create_provider_account, update_provider_account
from integrations.blueprints import get_blueprint
from integrations.engine.names import integration_prefix
from integrations.engine.runs import request_run
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.resources import get_resource_type
from integrations.tests.engine_support import Sandbox, events_text
from integrations.vendors.synthflow import SynthflowClient
from integrations.vendors.twilio import TwilioClient
from tenants.actions import create_tenant
from tenants.audit import Actor
from tenants.models import Tenant

CRASH_DEADLINE = 120.0


@dataclass
class SynthflowSetup:
    """A tenant with its sandbox accounts and one integration of a Synthflow kind."""

    tenant: Tenant
    integration: Integration
    accounts: dict[str, ProviderAccount]
    sandbox_accounts: dict[str, dict[str, Any]]

    @property
    def prefix(self) -> str:
        return integration_prefix(self.tenant.slug, self.integration.name)

    @property
    def assistant_id(self) -> str:
        return self.sandbox_accounts["synthflow"]["assistant_id"]

    @property
    def workspace_id(self) -> str:
        return self.sandbox_accounts["synthflow"]["workspace_id"]

    def refresh(self) -> Integration:
        self.integration = Integration.objects.select_related("tenant").get(pk=self.integration.pk)
        return self.integration

    def node(self, name: str) -> ResourceNode:
        return ResourceNode.objects.get(integration_id=self.integration.pk, node=name)

    def synthflow(self) -> SynthflowClient:
        account = self.accounts["synthflow"]
        return SynthflowClient(account.read_secrets()["api_key"], account.settings["region"])

    def twilio(self) -> TwilioClient:
        twilio = self.sandbox_accounts["twilio"]
        return TwilioClient(twilio["account_sid"], twilio["auth_token"])


def _tenant(slug: str) -> Tenant:
    owner = get_user_model().objects.create_user(username=f"{slug}-owner", email=f"owner@{slug}.test")
    return create_tenant(slug, slug.title(), owner=owner, actor=Actor.system())


def _synthflow_account(
    sandbox: Sandbox, tenant: Tenant, region: str
) -> tuple[ProviderAccount, dict[str, Any]]:
    made = sandbox.post("accounts", {"vendor": "synthflow", "region": region})
    account = create_provider_account(
        tenant,
        name="synthflow",
        kind="synthflow",
        settings={"region": region, "workspace_id": made["workspace_id"]},
        secrets={"api_key": made["api_key"]},
        actor=Actor.system(),
    )
    return account, made


def make_connect_synthflow(
    sandbox: Sandbox, *, slug: str = "acme", region: str = "eu", policy: str = "heal", **config: Any
) -> SynthflowSetup:
    """A connect_synthflow integration (ordering a number in area code 503 unless given a phone_number)."""
    actor = Actor.system()
    tenant = _tenant(slug)
    aws = create_provider_account(
        tenant,
        name="aws",
        kind="aws",
        settings={"role_arn": "arn:aws:iam::123456789012:role/placeholder", "region": "us-east-1"},
        secrets={},
        actor=actor,
    )
    aws_made = sandbox.post("accounts", {"vendor": "aws", "external_id": aws.external_id})
    aws = update_provider_account(
        aws, actor=actor, settings={"role_arn": aws_made["role_arn"], "region": aws_made["region"]}
    )
    synthflow, synthflow_made = _synthflow_account(sandbox, tenant, region)
    base = {"connect_instance_id": aws_made["connect_instance_id"]}
    if "phone_number" not in config:
        base["area_code"] = "503"
    base.update({"synthflow_assistant_id": synthflow_made["assistant_id"], **config})
    integration = create_integration(
        tenant,
        name="front-desk",
        kind="connect_synthflow",
        accounts={"aws": aws, "synthflow": synthflow},
        config=base,
        policy=policy,
        actor=actor,
    )
    return SynthflowSetup(
        tenant,
        integration,
        {"aws": aws, "synthflow": synthflow},
        {"aws": aws_made, "synthflow": synthflow_made},
    )


def make_twilio_synthflow(
    sandbox: Sandbox, *, slug: str = "acme", region: str = "global", **config: Any
) -> SynthflowSetup:
    """A twilio_synthflow integration on a fresh sandbox Twilio account's number."""
    actor = Actor.system()
    tenant = _tenant(slug)
    twilio_made = sandbox.post("accounts", {"vendor": "twilio"})
    twilio = create_provider_account(
        tenant,
        name="twilio",
        kind="twilio",
        settings={"account_sid": twilio_made["account_sid"]},
        secrets={"auth_token": twilio_made["auth_token"]},
        actor=actor,
    )
    synthflow, synthflow_made = _synthflow_account(sandbox, tenant, region)
    base = {
        "twilio_number": twilio_made["phone_number"],
        "synthflow_assistant_id": synthflow_made["assistant_id"],
    }
    integration = create_integration(
        tenant,
        name="phones",
        kind="twilio_synthflow",
        accounts={"twilio": twilio, "synthflow": synthflow},
        config={**base, **config},
        actor=actor,
    )
    return SynthflowSetup(
        tenant,
        integration,
        {"twilio": twilio, "synthflow": synthflow},
        {"twilio": twilio_made, "synthflow": synthflow_made},
    )


def duplicates_of(sandbox: Sandbox, prefix: str) -> dict[tuple[str, str], int]:
    """Objects carrying the integration's prefix that exist more than once (by type and name)."""
    counts = Counter((o["type"], o["name"]) for o in sandbox.objects_named(prefix))
    return {identity: n for identity, n in counts.items() if n > 1}


def _wait_for_crash_or_end(worker: Any, run: Run) -> None:
    end = time.monotonic() + CRASH_DEADLINE
    while time.monotonic() < end:
        if worker.process.poll() is not None:
            return
        run.refresh_from_db()
        if run.state in (RunState.SUCCEEDED, RunState.FAILED):
            return
        time.sleep(0.2)
    pytest.fail(f"neither a crash nor the end of run {run.pk}:\n{events_text(run)}")


def _request_apply(integration: Integration) -> Run:
    """A new apply; the dead worker's run blocks it until its heartbeat is stale."""
    end = time.monotonic() + CRASH_DEADLINE
    while time.monotonic() < end:
        run, created = request_run(integration, RunKind.APPLY)
        if created:
            return run
        time.sleep(0.3)
    pytest.fail("the dead worker's run never became stale")


def crash_at_every_node(
    integration: Integration, celery_worker_factory: Any, env: dict[str, str], crashes: Path
) -> tuple[Run, list[str], set[str]]:
    """Apply with a worker that SIGKILLs itself after each node's create, once per node, until done.

    Returns the final (succeeded) run, the creatable nodes, and the nodes whose object a later
    run adopted. One node at a time (ENGINE_CONCURRENCY=1), so each kill cuts exactly one create.
    """
    blueprint = get_blueprint(integration.kind)
    creatable = [n.name for n in blueprint.nodes if not get_resource_type(n.type).observe_only]
    crashes.mkdir()
    env = {**env, "ENGINE_CRASH_AFTER_CREATE_DIR": str(crashes), "ENGINE_CONCURRENCY": "1"}
    final: Run | None = None
    for _ in range(len(creatable) + 1):
        worker = celery_worker_factory(env=env)
        run = _request_apply(integration)
        _wait_for_crash_or_end(worker, run)
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
