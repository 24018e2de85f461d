"""Plan: observe every node, diff against the desired spec, list the actions — change nothing.

Nodes whose inputs come from nodes that do not exist yet cannot be observed
fully; their fields that depend on those inputs are listed as
"known after apply", as Terraform does. A node whose observe fails is
"unknown", with the error: the plan cannot tell what apply would do to it.
"""

from __future__ import annotations

from typing import Any

from integrations.engine.graph import IntegrationGraph
from integrations.engine.types import contains_unknown
from integrations.models.engine import NodeStatus
from integrations.vendors.errors import VendorError


class PlanAction:
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "no-op"
    UNKNOWN = "unknown"  # the observe failed (`error` says why)


def _unknown_fields(spec: dict[str, Any]) -> list[str]:
    return sorted(key for key, value in spec.items() if contains_unknown(value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


MASK = "(sensitive)"


def _masked(diff: dict[str, Any], sensitive: frozenset[str]) -> dict[str, Any]:
    return {k: ([MASK if v[0] is not None else None, MASK] if k in sensitive else v) for k, v in diff.items()}


def plan_graph(graph: IntegrationGraph) -> dict[str, Any]:
    """`{"actions": [{node, type, action, diff, known_after_apply[, error]}], "changes": {action: count}}`,
    actions in dependency order; `error` only on an `unknown` action."""
    actions: list[dict[str, Any]] = []
    planned_outputs: dict[str, dict[str, Any]] = {}
    for name in graph.blueprint.order():
        rtype = graph.resource_type(name)
        inputs = graph.inputs()
        # Outputs of nodes observed earlier in this plan count as known (they exist now).
        merged = {**inputs.outputs, **planned_outputs}
        inputs = type(inputs)(**{**inputs.__dict__, "outputs": merged})
        spec = graph.blueprint.by_name[name].spec(inputs)
        unknown = _unknown_fields(spec)
        entry: dict[str, Any] = {
            "node": name,
            "type": rtype.type_name,
            "action": PlanAction.NOOP,
            "diff": {},
            "known_after_apply": unknown,
        }
        row = graph.rows[name]
        if unknown and not row.external_id:
            entry["action"] = PlanAction.NOOP if rtype.observe_only else PlanAction.CREATE
            entry["diff"] = _masked(
                {k: [None, v] for k, v in spec.items() if k not in unknown}, rtype.sensitive_fields
            )
            actions.append(entry)
            continue
        try:
            seen = rtype.observe(graph.context(name, spec))
        except VendorError as error:
            entry["action"] = PlanAction.UNKNOWN
            entry["error"] = str(error)
            actions.append(entry)
            continue
        if seen.exists:
            planned_outputs[name] = dict(seen.outputs)
            if not seen.up_to_date and not rtype.observe_only:
                entry["action"] = PlanAction.UPDATE
                entry["diff"] = _masked(
                    {k: [_jsonable(v[0]), _jsonable(v[1])] for k, v in seen.diff.items()},
                    rtype.sensitive_fields,
                )
        elif not rtype.observe_only:
            entry["action"] = PlanAction.CREATE
            entry["diff"] = _masked(
                {k: [None, v] for k, v in spec.items() if k not in unknown}, rtype.sensitive_fields
            )
        actions.append(entry)
    # Rows of nodes the blueprint no longer has are deleted by apply.
    known = set(graph.blueprint.by_name)
    for name, row in graph.rows.items():
        if name not in known and row.status not in (NodeStatus.PENDING, NodeStatus.DELETED):
            actions.append(
                {
                    "node": name,
                    "type": row.type,
                    "action": PlanAction.DELETE,
                    "diff": {},
                    "known_after_apply": [],
                }
            )
    changes = dict.fromkeys(
        (PlanAction.CREATE, PlanAction.UPDATE, PlanAction.DELETE, PlanAction.NOOP, PlanAction.UNKNOWN), 0
    )
    for entry in actions:
        changes[entry["action"]] += 1
    return {"actions": actions, "changes": changes}
