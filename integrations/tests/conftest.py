"""Fixtures for the integrations app's tests: the sandbox, and a real assumed-role AWS session on it.

`aws_account` creates, in a freshly reset sandbox, the cross-account role a
customer would create for Patchbay (trusting it only with an external id), and
returns Patchbay's own `VendorClients` for a provider account on that role,
with every AWS call going to the sandbox through `settings.AWS_ENDPOINT_URL`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from integrations.aws_permissions import permission_policy
from integrations.models import ProviderAccount
from integrations.tests.resource_harness import BASIC_EXECUTION, Node, SandboxControl, role_spec
from integrations.tests.sandbox_aws import SandboxAwsAccount
from integrations.vendors.clients import clients_for


@pytest.fixture
def aws_account(
    sandbox_url: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> SandboxAwsAccount:
    """An AWS account with a Connect instance and Patchbay's access role, reached through the sandbox."""
    settings.AWS_ENDPOINT_URL = sandbox_url
    # Patchbay's own base credentials, used only to call AssumeRole (the sandbox accepts any).
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    external_id = f"pb-test-{uuid.uuid4().hex[:12]}"
    account_id = httpx.get(f"{sandbox_url}/_sandbox/", timeout=10).json()["aws_account_id"]
    # The role gets exactly the policy Patchbay asks customers to attach (and the sandbox enforces it).
    body = {"vendor": "aws", "external_id": external_id, "permission_policy": permission_policy(account_id)}
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=30)
    response.raise_for_status()
    created = response.json()
    account = ProviderAccount(
        name="sandbox aws",
        kind="aws",
        settings={"role_arn": created["role_arn"], "region": created["region"]},
        external_id=external_id,
    )
    return SandboxAwsAccount(
        clients=clients_for({"aws": account}),
        role_arn=created["role_arn"],
        external_id=external_id,
        region=created["region"],
        account_id=created["account_id"],
        connect_instance_id=created["connect_instance_id"],
        connect_instance_arn=created.get("connect_instance_arn", ""),
        connect_phone_number=created["connect_phone_number"],
    )


@pytest.fixture
def sandbox_control(sandbox_url: str) -> SandboxControl:
    """Faults, options and the ledger of the (freshly reset) sandbox."""
    return SandboxControl(sandbox_url)


@pytest.fixture
def fast_resource_waits(settings: Any) -> None:
    """Bounded polls of the resource types in tens of milliseconds instead of seconds."""
    settings.RESOURCE_WAIT_BASE_SECONDS = 0.01
    settings.RESOURCE_WAIT_MAX_SECONDS = 0.05


@pytest.fixture
def make_node(aws_account: SandboxAwsAccount) -> Callable[..., Node]:
    """`make_node(type_name, external_name, spec)` → a node on the sandbox account."""

    def make(type_name: str, name: str, spec: dict[str, Any]) -> Node:
        return Node(type_name=type_name, name=name, spec=spec, clients=aws_account.clients)

    return make


@pytest.fixture
def lambda_role(make_node: Callable[..., Node]) -> str:
    """The ARN of a role Lambda may assume, made by the IAM role type itself."""
    role = make_node("aws.iam_role", "pb-t-i-lambda-role", role_spec([BASIC_EXECUTION], ["dynamodb:GetItem"]))
    return str(role.create().outputs["arn"])
