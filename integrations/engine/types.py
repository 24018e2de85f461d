"""The four-call contract of a resource type and the values that cross it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: a field diff: {field: (observed, desired)}
Diff = Mapping[str, tuple[Any, Any]]


class KnownAfterApply(str):
    """An output of a node that does not exist yet; formats as text so specs can embed it."""

    MARKER = "(known after apply)"
    node: str
    key: str

    def __new__(cls, node: str = "", key: str = "") -> KnownAfterApply:
        obj = super().__new__(cls, cls.MARKER)
        obj.node = node
        obj.key = key
        return obj


def contains_unknown(value: Any) -> bool:
    """Whether a spec value (nested) depends on an output that is only known after apply."""
    if isinstance(value, str):
        return KnownAfterApply.MARKER in value
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(contains_unknown(v) for v in value)
    return False


@dataclass(frozen=True)
class Observation:
    """What `observe` saw: does the object exist, does it match the spec, what are its outputs."""

    exists: bool
    up_to_date: bool = True
    diff: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    external_id: str = ""


@dataclass
class NodeContext:
    """Everything a resource type may use for one node: spec, identity, clients, recorded intent."""

    node: str
    spec: dict[str, Any]
    external_name: str
    external_id: str
    clients: Any  # integrations.vendors.clients.VendorClients for the integration's accounts
    intent: dict[str, Any] = field(default_factory=dict)
    #: persist `intent` before a vendor call whose result could be lost (set by the engine)
    save_intent: Callable[[dict[str, Any]], None] = lambda intent: None
    #: previously saved outputs of this node (ids the resource type needs to find its object)
    outputs: dict[str, Any] = field(default_factory=dict)

    def record_intent(self, **values: Any) -> None:
        """Save what is about to be sent, so a lost answer can be found by it next time."""
        self.intent.update(values)
        self.save_intent(dict(self.intent))


class ResourceType:
    """One kind of external object: observe / create / update / delete, all idempotent.

    - `observe` never changes the outside world. It finds the object by
      `ctx.external_id`, or, when that is empty, by `ctx.external_name` (or the
      recorded intent) so that a create whose answer was lost is adopted.
    - `create` returns the new external id; creating something that already
      exists must not fail on "already exists" (adopt it instead).
    - `update` makes the object match the spec, given the observed diff.
    - `delete` succeeds when the object is already gone.
    """

    #: registry name, e.g. "chime.voice_connector"
    type_name: str = ""
    #: the vendor account kind whose clients it uses: "aws" | "vapi" | "synthflow" | "genesys" | "twilio" | ""
    account_kind: str = ""
    #: the longest external name this vendor accepts, and the characters it allows
    name_max_length: int = 64
    #: a data source only observes: plan never creates, updates or deletes it
    observe_only: bool = False
    #: spec fields holding secrets: masked in plans, diffs and events
    sensitive_fields: frozenset[str] = frozenset()

    def observe(self, ctx: NodeContext) -> Observation:
        raise NotImplementedError

    def create(self, ctx: NodeContext) -> str:
        raise NotImplementedError

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        raise NotImplementedError

    def delete(self, ctx: NodeContext) -> None:
        raise NotImplementedError


def spec_diff(desired: Mapping[str, Any], observed: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field diff of the desired spec against what was observed (only the spec's fields count)."""
    diff: dict[str, tuple[Any, Any]] = {}
    for key, want in desired.items():
        if contains_unknown(want):
            continue
        have = observed.get(key)
        if have != want:
            diff[key] = (have, want)
    return diff
