"""Drive one resource type the way the engine does, against the sandbox, and read the sandbox ledger.

`Node` keeps what the engine keeps for a node between calls (external id,
intent, outputs) and hands each call a fresh `NodeContext`; the four calls are
the resource type's own, unmocked.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from integrations.engine.executor import GraphExecutor
from integrations.engine.types import Diff, NodeContext, Observation, ResourceType
from integrations.resources import get_resource_type

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def table_policy(actions: list[str]) -> dict[str, Any]:
    """An inline policy document on the call tables."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "arn:aws:dynamodb:*:*:table/pb-*"}],
    }


def role_spec(policies: list[str], actions: list[str]) -> dict[str, Any]:
    """An `aws.iam_role` spec for a Lambda execution role."""
    return {
        "service_principal": "lambda.amazonaws.com",
        "managed_policy_arns": policies,
        "inline_policy": table_policy(actions),
    }


def function_spec(role_arn: str, package: str = "connect_handler", **changes: Any) -> dict[str, Any]:
    """An `aws.lambda_function` spec for one of our packages."""
    spec = {
        "package": package,
        "role_arn": role_arn,
        "runtime": "python3.12",
        "timeout": 8,
        "memory": 128,
        "environment": {"TABLE_NAME": "pb-t-i-calls"},
    }
    return {**spec, **changes}


@dataclass
class Node:
    """One blueprint node of a given resource type, with the engine's saved state."""

    type_name: str
    name: str
    spec: dict[str, Any]
    clients: Any
    external_id: str = ""
    intent: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def rtype(self) -> ResourceType:
        return get_resource_type(self.type_name)

    def _save_intent(self, intent: dict[str, Any]) -> None:
        self.intent = dict(intent)

    def context(self, **overrides: Any) -> NodeContext:
        values: dict[str, Any] = {
            "node": self.name,
            "spec": copy.deepcopy(self.spec),
            "external_name": self.name,
            "external_id": self.external_id,
            "clients": self.clients,
            "intent": dict(self.intent),
            "save_intent": self._save_intent,
            "outputs": dict(self.outputs),
        }
        values.update(overrides)
        return NodeContext(**values)

    def observe(self, **overrides: Any) -> Observation:
        """Observe, and keep the outputs and id as the engine saves them."""
        seen = self.rtype.observe(self.context(**overrides))
        if seen.exists:
            self.outputs = dict(seen.outputs)
            self.external_id = seen.external_id or self.external_id
        return seen

    def create(self) -> Observation:
        """Create (external id emptied first, as the engine does), then observe."""
        self.external_id = ""
        self.external_id = self.rtype.create(self.context())
        return self.observe()

    def update(self, diff: Diff) -> Observation:
        ctx = self.context()
        self.rtype.update(ctx, diff)
        self.external_id = ctx.external_id or self.external_id
        return self.observe()

    def delete(self) -> None:
        self.rtype.delete(self.context())


def assert_lifecycle(node: Node, changed_spec: dict[str, Any], changed_fields: set[str]) -> dict[str, Any]:
    """observe → absent; create → up to date; spec change → that diff; update → up to date; delete twice.

    Returns the outputs seen right after the create.
    """
    first = node.observe()
    assert not first.exists, f"{node.type_name} should not exist before create: {first}"
    created = node.create()
    assert created.exists and created.up_to_date, created
    assert node.external_id
    outputs = dict(created.outputs)
    original = node.spec
    node.spec = changed_spec
    drifted = node.observe()
    assert drifted.exists
    assert not drifted.up_to_date
    assert set(drifted.diff) == changed_fields, drifted.diff
    for field_name, (have, want) in drifted.diff.items():
        assert have != want, field_name
    healed = node.update(drifted.diff)
    assert healed.exists and healed.up_to_date, healed
    node.delete()
    assert not node.observe().exists
    node.delete()  # already gone: no error
    node.spec = original
    return outputs


@dataclass(frozen=True)
class SandboxControl:
    """The sandbox's control API: faults and the ledger."""

    url: str

    def fault(self, operation: str, mode: str, **extra: Any) -> None:
        body = {"vendor": "aws", "operation": operation, "mode": mode, "times": 1, **extra}
        httpx.post(f"{self.url}/_sandbox/faults", json=body, timeout=10).raise_for_status()

    def ledger(self) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/_sandbox/ledger", timeout=30)
        response.raise_for_status()
        return response.json()

    def objects(self, type_name: str, name: str | None = None) -> list[dict[str, Any]]:
        """Live objects of a ledger type (e.g. "chime.VoiceConnector"), optionally with one name."""
        return [
            o
            for o in self.ledger()["objects"]
            if o["type"] == type_name and (name is None or o["name"] == name)
        ]

    def operations(self) -> list[str]:
        """Operation names of every request so far, in order."""
        return [r["operation"] for r in self.ledger()["requests"]]

    def set_options(self, options: dict[str, Any]) -> None:
        httpx.post(f"{self.url}/_sandbox/options", json=options, timeout=10).raise_for_status()


def first_observe(node: Node, *, reconcile: bool = True) -> Observation:
    """The engine's first look at a node (what `_converge` acts on), in a reconcile or an apply run:
    in a reconcile, reads-by-id may come from a shared listing (integrations/vendors/shared_reads.py)."""
    executor = GraphExecutor(cast(Any, None), cast(Any, None), shared_reads=reconcile)
    return executor._first_observe(node.rtype, node.context())
