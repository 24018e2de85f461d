"""End-to-end engine tests of the Synthflow kinds: setups through Patchbay's actions, and the crash loop.

Builds on engine_support (sandbox wiring, runs, the ledger). `make_connect_synthflow`
and `make_twilio_synthflow` create a tenant, sandbox accounts and the integration;
the crash loop is integrations/tests/crash_support.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from integrations.actions import create_integration, create_provider_account, update_provider_account
from integrations.engine.names import integration_prefix
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import ResourceNode
from integrations.tests.engine_support import Sandbox
from integrations.vendors.synthflow import SynthflowClient
from integrations.vendors.twilio import TwilioClient
from tenants.actions import create_tenant
from tenants.audit import Actor
from tenants.models import Tenant


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
    aws_made = sandbox.post(
        "accounts",
        {"vendor": "aws", "external_id": aws.external_id, "permission_policy": aws.permission_policy()},
    )
    aws = update_provider_account(
        aws, actor=actor, settings={"role_arn": aws_made["role_arn"], "region": aws_made["region"]}
    )
    synthflow, synthflow_made = _synthflow_account(sandbox, tenant, region)
    base = {
        "connect_instance_id": aws_made["connect_instance_id"],
        # The number the sandbox claimed in the instance: callers dial it (seed guide 000).
        "connect_phone_numbers": [aws_made["connect_phone_number"]],
    }
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
