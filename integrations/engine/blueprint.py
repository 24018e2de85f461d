"""Blueprints: the graph of nodes an integration kind needs, and how each node's spec is computed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from integrations.engine.types import KnownAfterApply


@dataclass(frozen=True)
class SpecInputs:
    """What a node's spec may depend on: the config, the accounts' settings, earlier nodes' outputs."""

    config: Mapping[str, Any]
    accounts: Mapping[str, Mapping[str, Any]]  # account kind → settings (never secrets)
    integration_name: str
    tenant_slug: str
    public_id: str
    outputs: Mapping[str, Mapping[str, Any]]  # node → outputs of nodes that exist

    def out(self, node: str, key: str) -> Any:
        """An output of an earlier node, or a KnownAfterApply marker while that node does not exist."""
        values = self.outputs.get(node)
        if not values or key not in values:
            return KnownAfterApply(node, key)
        return values[key]

    def out_list(self, node: str, key: str) -> list[Any]:
        """A list output, or a one-marker list while unknown (so specs can iterate it)."""
        value = self.out(node, key)
        return [value] if isinstance(value, KnownAfterApply) else list(value)


SpecFunction = Callable[[SpecInputs], dict[str, Any]]
#: whether an integration with this config needs the node at all
NodeCondition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class BlueprintNode:
    """One node: its resource type, what it depends on, and how its desired spec is computed."""

    name: str
    type: str
    spec: SpecFunction
    depends_on: tuple[str, ...] = ()
    title: str = ""
    #: None: every integration of the kind has the node; else only those whose config passes it. A
    #: node left out by a config change is deleted like a node a blueprint dropped.
    when: NodeCondition | None = None


@dataclass(frozen=True)
class Blueprint:
    """The resource graph of one integration kind."""

    kind: str
    nodes: tuple[BlueprintNode, ...]
    by_name: dict[str, BlueprintNode] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_name = {node.name: node for node in self.nodes}
        if len(by_name) != len(self.nodes):
            raise ValueError(f"{self.kind}: duplicate node names")
        for node in self.nodes:
            missing = set(node.depends_on) - set(by_name)
            if missing:
                raise ValueError(f"{self.kind}.{node.name} depends on unknown nodes {sorted(missing)}")
        object.__setattr__(self, "by_name", by_name)
        self.order()  # raises graphlib.CycleError on a cycle

    def for_config(self, config: Mapping[str, Any]) -> Blueprint:
        """The graph an integration with `config` has: the conditional nodes it does not need left out
        (with the dependencies on them; a spec that reads such a node must not need it then)."""
        kept = [n for n in self.nodes if n.when is None or n.when(config)]
        if len(kept) == len(self.nodes):
            return self
        names = {n.name for n in kept}
        nodes = tuple(
            BlueprintNode(
                n.name, n.type, n.spec, tuple(d for d in n.depends_on if d in names), n.title, n.when
            )
            for n in kept
        )
        return Blueprint(kind=self.kind, nodes=nodes)

    def order(self) -> list[str]:
        """Nodes in dependency order (creation order), stable for equal ranks."""
        sorter = TopologicalSorter({n.name: n.depends_on for n in self.nodes})
        rank = {n.name: i for i, n in enumerate(self.nodes)}
        ordered: list[str] = []
        sorter.prepare()
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=rank.__getitem__)
            ordered.extend(ready)
            sorter.done(*ready)
        return ordered

    def dependents(self, name: str) -> list[str]:
        """Nodes that depend directly on `name`."""
        return [n.name for n in self.nodes if name in n.depends_on]
