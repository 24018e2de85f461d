"""A node whose observe fails is planned as "unknown" with the error, never as a guessed "update"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from integrations.engine.planner import PlanAction, plan_graph
from integrations.engine.types import Observation
from integrations.models.engine import NodeStatus
from integrations.vendors.errors import VendorError
from patchbay_cli.render import plan_text


class FakeType:
    observe_only = False
    sensitive_fields: frozenset[str] = frozenset()

    def __init__(self, name: str, fails: bool) -> None:
        self.type_name = name
        self.fails = fails

    def observe(self, context: Any) -> Observation:
        if self.fails:
            raise VendorError("GetVoiceConnector answered 503 ServiceUnavailable")
        return Observation(exists=True, up_to_date=True, outputs={}, diff={})


class FakeGraph:
    def __init__(self) -> None:
        self.types = {"first": FakeType("aws.first", False), "second": FakeType("aws.second", True)}
        nodes = {name: SimpleNamespace(spec=lambda inputs: {"name": "x"}) for name in self.types}
        self.blueprint = SimpleNamespace(order=lambda: list(self.types), by_name=nodes)
        row = SimpleNamespace(external_id="id-1", status=NodeStatus.READY)
        self.rows = dict.fromkeys(self.types, row)

    def resource_type(self, name: str) -> FakeType:
        return self.types[name]

    def inputs(self) -> SimpleNamespace:
        return SimpleNamespace(outputs={})

    def context(self, name: str, spec: dict[str, Any]) -> None:
        return None


def test_a_failed_observe_is_unknown_with_its_error() -> None:
    plan = plan_graph(FakeGraph())  # type: ignore[arg-type]
    actions = {a["node"]: a for a in plan["actions"]}
    assert actions["first"]["action"] == PlanAction.NOOP and "error" not in actions["first"]
    assert actions["second"]["action"] == PlanAction.UNKNOWN
    assert "503 ServiceUnavailable" in actions["second"]["error"]
    assert plan["changes"] == {"create": 0, "update": 0, "delete": 0, "no-op": 1, "unknown": 1}


def test_the_cli_prints_an_unknown_node_with_its_error() -> None:
    plan = plan_graph(FakeGraph())  # type: ignore[arg-type]
    answer = {
        "integrations": [
            {"name": "desk", "kind": "connect_vapi", "action": "no-op", "changed": True}
            | {"plan": plan["actions"]}
        ],
        "summary": {"create": 0, "update": 0, "delete": 0, "no-op": 1},
        "changed": True,
    }
    text = plan_text(answer)
    assert "? second (aws.second)" in text
    assert "could not be observed: GetVoiceConnector answered 503" in text
