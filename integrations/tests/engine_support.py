"""Shared pieces of the engine's end-to-end tests: sandbox wiring, accounts, runs, the ledger.

Tests that use these run the engine in a real Celery worker against the
sandbox; the worker gets the sandbox's endpoints through its environment, the
test process through Django settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from integrations.actions import create_integration, create_provider_account, update_provider_account
from integrations.engine.names import integration_prefix
from integrations.engine.runs import request_run
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import ResourceNode, Run, RunState
from integrations.tasks import queue_run
from tenants.actions import create_tenant
from tenants.audit import Actor
from tenants.models import Tenant
from testing.waits import wait_until

RUN_DEADLINE = 180.0
#: operation names that only read (AWS, Vapi, Synthflow, Genesys, Twilio): everything else writes
READ_PREFIXES = ("Get", "List", "Describe", "Search", "Query", "Scan", "Fetch", "AssumeRole", "PostToken")

#: settings the engine reads, made fast for tests (backoff in tens of milliseconds, short stale window)
FAST_ENGINE = {
    "ENGINE_RUN_STALE_SECONDS": "3",
    "ENGINE_HEARTBEAT_SECONDS": "0.5",
    "VENDOR_RETRY_BASE_SECONDS": "0.05",
    "VENDOR_RETRY_MAX_SECONDS": "0.3",
    "RESOURCE_WAIT_BASE_SECONDS": "0.05",
    "RESOURCE_WAIT_MAX_SECONDS": "0.2",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def sandbox_settings(sandbox_base: str) -> dict[str, str]:
    """Patchbay's endpoint settings for a running sandbox (from `GET /_sandbox/`)."""
    endpoints = httpx.get(f"{sandbox_base}/_sandbox/", timeout=10).json()["endpoints"]
    return {
        "AWS_ENDPOINT_URL": endpoints["aws"],
        "VAPI_BASE_URL": endpoints["vapi"],
        "SYNTHFLOW_BASE_URL": endpoints["synthflow"],
        "GENESYS_BASE_URL": endpoints["genesys"],
        "GENESYS_LOGIN_URL": endpoints["genesys_login"],
        "TWILIO_BASE_URL": endpoints["twilio"],
        "CHIME_DNS_SERVER": endpoints["dns"],
    }


def apply_settings(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    """Point this (test) process at the sandbox with the same values the worker gets."""
    typed: dict[str, Any] = {
        "ENGINE_RUN_STALE_SECONDS": float,
        "ENGINE_HEARTBEAT_SECONDS": float,
        "VENDOR_RETRY_BASE_SECONDS": float,
        "VENDOR_RETRY_MAX_SECONDS": float,
        "RESOURCE_WAIT_BASE_SECONDS": float,
        "RESOURCE_WAIT_MAX_SECONDS": float,
    }
    for key, value in values.items():
        if key.startswith("AWS_") and key != "AWS_ENDPOINT_URL":
            monkeypatch.setenv(key, value)
            continue
        monkeypatch.setattr(django_settings, key, typed.get(key, str)(value), raising=False)


@dataclass
class Sandbox:
    """Talks to the sandbox's control API."""

    url: str

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_sandbox/{path}", json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.put(f"{self.url}/_sandbox/{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def fault(self, vendor: str, operation: str, mode: str, times: int = 1, **extra: Any) -> None:
        self.post("faults", {"vendor": vendor, "operation": operation, "mode": mode, "times": times, **extra})

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_sandbox/faults", timeout=10).raise_for_status()

    def ledger(self, since: int = 0) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/_sandbox/ledger", params={"since": since}, timeout=30)
        response.raise_for_status()
        return response.json()

    def request_count(self) -> int:
        return len(self.ledger()["requests"])

    def writes_since(self, index: int) -> list[dict[str, Any]]:
        """Requests after `index` that change something at a vendor."""
        return [
            r for r in self.ledger(since=index)["requests"] if not r["operation"].startswith(READ_PREFIXES)
        ]

    def objects_named(self, prefix: str) -> list[dict[str, Any]]:
        """Live objects whose name carries an integration's prefix."""
        return [o for o in self.ledger()["objects"] if o["name"].startswith(prefix)]

    def call(self, **body: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_sandbox/calls", json=body, timeout=60)
        assert response.status_code < 500, response.text
        return response.json()


@dataclass
class ConnectVapiSetup:
    """A tenant with AWS and Vapi accounts at the sandbox and one connect_vapi integration."""

    tenant: Tenant
    aws: ProviderAccount
    vapi: ProviderAccount
    integration: Integration
    connect_instance_id: str
    assistant_id: str
    #: the number the sandbox claimed in the instance, which callers dial
    connect_phone_number: str = ""

    @property
    def prefix(self) -> str:
        return integration_prefix(self.tenant.slug, self.integration.name)

    def refresh(self) -> Integration:
        self.integration = Integration.objects.select_related("tenant").get(pk=self.integration.pk)
        return self.integration


def without_actions(policy: dict[str, Any], withheld: tuple[str, ...]) -> dict[str, Any]:
    """The permission policy with some actions taken out (statements left empty are dropped)."""
    statements = [{**s, "Action": [a for a in s["Action"] if a not in withheld]} for s in policy["Statement"]]
    return {**policy, "Statement": [s for s in statements if s["Action"]]}


def make_connect_vapi(
    sandbox: Sandbox,
    *,
    slug: str = "acme",
    policy: str = "heal",
    withhold: tuple[str, ...] = (),
    **config: Any,
) -> ConnectVapiSetup:
    """Create the tenant, its sandbox accounts and a connect_vapi integration through Patchbay's actions.

    The sandbox's access role gets the account's permission policy, less the `withhold` actions.
    """
    actor = Actor.system()
    owner = get_user_model().objects.create_user(username=f"{slug}-owner", email=f"owner@{slug}.test")
    tenant = create_tenant(slug, slug.title(), owner=owner, actor=actor)
    aws = create_provider_account(
        tenant,
        name="aws",
        kind="aws",
        settings={"role_arn": "arn:aws:iam::123456789012:role/placeholder", "region": "us-east-1"},
        secrets={},
        actor=actor,
    )
    aws_account = sandbox.post(
        "accounts",
        {
            "vendor": "aws",
            "external_id": aws.external_id,
            "permission_policy": without_actions(aws.permission_policy() or {}, withhold),
        },
    )
    aws = update_provider_account(
        aws, actor=actor, settings={"role_arn": aws_account["role_arn"], "region": aws_account["region"]}
    )
    vapi_account = sandbox.post("accounts", {"vendor": "vapi"})
    vapi = create_provider_account(
        tenant,
        name="vapi",
        kind="vapi",
        settings={"region": "us"},
        secrets={"api_key": vapi_account["api_key"]},
        actor=actor,
    )
    integration = create_integration(
        tenant,
        name="front-desk",
        kind="connect_vapi",
        accounts={"aws": aws, "vapi": vapi},
        config={
            "connect_instance_id": aws_account["connect_instance_id"],
            # The number the sandbox claimed in the instance: callers dial it (seed guide 001).
            "connect_phone_numbers": [aws_account["connect_phone_number"]],
            "area_code": "503",
            "vapi_assistant_id": vapi_account["assistant_id"],
            "sip_uri_user": "patchbay",
            **config,
        },
        policy=policy,
        actor=actor,
    )
    return ConnectVapiSetup(
        tenant,
        aws,
        vapi,
        integration,
        aws_account["connect_instance_id"],
        vapi_account["assistant_id"],
        aws_account["connect_phone_number"],
    )


def wait_for_run(run: Run, deadline: float = RUN_DEADLINE) -> Run:
    """Poll until the run has finished; fail with its events when it takes too long."""

    def finished() -> bool:
        run.refresh_from_db()
        return run.state in (RunState.SUCCEEDED, RunState.FAILED)

    def still_running() -> str:
        events = "\n".join(f"{e.node} {e.action} {e.outcome} {e.message}" for e in run.events.all())
        return f"run {run.pk} ({run.kind}) still {run.state}:\n{events}"

    wait_until(finished, timeout=deadline, message=still_running)
    return run


def run_to_end(integration: Integration, kind: str) -> Run:
    """Request a run through the engine and wait for the worker to finish it."""
    run, _ = request_run(integration, kind, enqueue=queue_run)
    return wait_for_run(run)


def events_text(run: Run) -> str:
    return "\n".join(f"{e.node}: {e.action} {e.outcome} {e.message}" for e in run.events.all())


def iter_nodes(integration: Integration) -> Iterator[str]:
    from integrations.kinds import blueprint_for

    yield from blueprint_for(integration.kind, integration.config).order()


def narrow_vapi_gateways(sandbox: Sandbox, setup: ConnectVapiSetup, ips: list[str]) -> None:
    """Someone edits the integration's Vapi credential down to a few /32 gateways, at Vapi."""
    credential = ResourceNode.objects.get(integration_id=setup.integration.pk, node="vapi_credential")
    api_key = setup.vapi.read_secrets()["api_key"]
    response = httpx.patch(
        f"{sandbox.url}/vapi/credential/{credential.external_id}",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"gateways": [{"ip": ip, "outboundEnabled": False} for ip in ips]},
        timeout=10,
    )
    response.raise_for_status()
