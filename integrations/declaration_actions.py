"""Plan and apply a set of declarations (issue 17, item 4), as Terraform does for a directory of files.

`plan_declarations` changes nothing: per integration it says create / update / no-op (and delete for
the tenant's undeclared integrations when `prune` is asked), with the field changes and the engine's
plan. `apply_declarations` makes those changes through `integrations.actions` (so each is audited
as an API create, update, apply or teardown is) in one transaction: one bad declaration and
nothing changes. Declaring the same file twice changes nothing the second time.

Each entry: `{"name", "kind", "id", "action", "changes": {field: [old, new]}, "plan": [...],
"changed": bool}`, plus `"run"` after an apply. `changed` is what a CI step cares about: the
declaration differs from what is stored, or the engine would change something at a vendor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.exceptions import ErrorDetail, ValidationError

from integrations import actions
from integrations.declarations import Declared, read_declarations
from integrations.engine.conditions import ConditionStatus, ConditionType
from integrations.engine.graph import IntegrationGraph
from integrations.engine.planner import PlanAction, plan_graph
from integrations.integration_checks import reference_problems
from integrations.kinds import blueprint_for
from integrations.models import Integration
from integrations.models.engine import ACTIVE_RUN_STATES, NodeStatus, ResourceNode, Run
from integrations.resources import get_resource_type
from integrations.vendors.errors import VendorError
from tenants.audit import Actor
from tenants.exceptions import Conflict
from tenants.models import Tenant


class DeclarationAction:
    """What a declaration does to the integration of its name."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "no-op"


def _node(name: str, type_name: str, action: str) -> dict[str, Any]:
    return {"node": name, "type": type_name, "action": action, "diff": {}, "known_after_apply": []}


def _new_nodes(kind: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    """A new integration's plan without asking any vendor: every node its config needs is created."""
    blueprint = blueprint_for(kind, config)
    nodes = []
    for name in blueprint.order():
        type_name = blueprint.by_name[name].type
        observe_only = get_resource_type(type_name).observe_only
        nodes.append(_node(name, type_name, PlanAction.NOOP if observe_only else PlanAction.CREATE))
    return nodes


def _engine_plan(declared: Declared) -> dict[str, Any]:
    """The engine's plan of an existing integration as it would be with the declared fields.

    The graph gets a copy of the row with the declaration applied in memory (never saved), so the
    plan shows what apply would do after this declaration; like any plan it only observes.
    """
    assert declared.existing is not None
    preview = Integration.objects.select_related("tenant").get(pk=declared.existing.pk)
    preview.config = declared.config
    preview.policy = declared.policy
    preview.set_accounts(declared.accounts)
    try:
        plan = plan_graph(IntegrationGraph(preview))
        problems = reference_problems(preview)
    except VendorError as error:
        return {"actions": [], "error": str(error)}
    return {**plan, "problems": problems} if problems else plan


def _teardown_nodes(integration: Integration) -> list[dict[str, Any]]:
    """What a teardown deletes: every node that was created (from the rows; no vendor is asked)."""
    rows = ResourceNode.objects.filter(integration=integration).exclude(
        status__in=(NodeStatus.PENDING, NodeStatus.DELETED)
    )
    return [_node(row.node, row.type, PlanAction.DELETE) for row in rows.order_by("-id")]


def _converged(integration: Integration) -> bool:
    """Ready, with every node's object in place as last observed: an apply would change nothing.

    Read from the rows, not the vendors, so that declaring an unchanged file costs no vendor call;
    drift found later is healed by reconciliation (or shown, under the report policy).
    """
    ready = any(
        c.get("type") == ConditionType.READY and c.get("status") == ConditionStatus.TRUE
        for c in integration.conditions or []
    )
    unsettled = ResourceNode.objects.filter(integration=integration).exclude(
        status__in=(NodeStatus.READY, NodeStatus.DELETED)
    )
    return ready and not unsettled.exists()


def _entry(declared: Declared, action: str) -> dict[str, Any]:
    existing = declared.existing
    return {
        "name": declared.name,
        "kind": declared.kind,
        "id": str(existing.pk) if existing is not None else None,
        "action": action,
        "changes": declared.changes
        if existing is not None
        else {k: [None, v] for k, v in declared.state().items()},
        "plan": [],
    }


def _undeclared(tenant: Tenant, declared: list[Declared]) -> list[Integration]:
    """The tenant's integrations that `prune` would tear down (those already going are left alone)."""
    if not declared:
        # An empty file or a glob that matched nothing must not read as "delete everything".
        raise ValidationError(
            {"prune": ["Declare at least one integration: prune with none would tear down every one."]}
        )
    names = {d.name for d in declared}
    return list(
        Integration.objects.for_tenant(tenant).exclude(name__in=names).exclude(deleting=True).order_by("name")
    )


def _delete_entry(integration: Integration) -> dict[str, Any]:
    return {
        "name": integration.name,
        "kind": integration.kind,
        "id": str(integration.pk),
        "action": DeclarationAction.DELETE,
        "changes": {},
        "plan": _teardown_nodes(integration),
        "changed": True,
    }


def plan_declarations(tenant: Tenant, data: Any, *, prune: bool = False) -> list[dict[str, Any]]:
    """What declaring `data` would do, integration by integration; nothing changes (a dry run)."""
    entries = []
    declared_all = read_declarations(tenant, data)
    for declared in declared_all:
        if declared.existing is None:
            entry = _entry(declared, DeclarationAction.CREATE)
            entry["plan"] = _new_nodes(declared.kind, declared.config)
        else:
            entry = _entry(declared, DeclarationAction.UPDATE if declared.changes else DeclarationAction.NOOP)
            engine = _engine_plan(declared)
            entry["plan"] = engine["actions"]
            for key in ("error", "problems"):
                if engine.get(key):
                    entry[key] = engine[key]
        entry["changed"] = entry["action"] != DeclarationAction.NOOP or any(
            node["action"] != PlanAction.NOOP for node in entry["plan"]
        )
        entries.append(entry)
    if prune:
        entries.extend(_delete_entry(integration) for integration in _undeclared(tenant, declared_all))
    return entries


def _run_json(run: Run | None) -> dict[str, Any] | None:
    return None if run is None else run.summary()


def _with_name(name: str, exc: ValidationError) -> dict[str, Any]:
    detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    return {name: detail}


@transaction.atomic
def apply_declarations(
    tenant: Tenant, data: Any, *, actor: Actor, prune: bool = False
) -> list[dict[str, Any]]:
    """Create or update the declared integrations and queue their applies; with `prune`, tear down the rest.

    All in one transaction: a declaration refused by an action (e.g. a vendor id the account does not
    have) undoes the others. An unchanged integration that has converged gets no run, so a second
    declaration of the same file changes nothing at all.
    """
    declared_all = read_declarations(tenant, data)
    entries: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    saved: list[tuple[Declared, Integration, dict[str, Any]]] = []
    for declared in declared_all:
        try:
            if declared.existing is None:
                entry = _entry(declared, DeclarationAction.CREATE)
                integration = actions.create_integration(
                    tenant,
                    name=declared.name,
                    kind=declared.kind,
                    accounts=declared.accounts,
                    config=declared.config,
                    policy=declared.policy,
                    actor=actor,
                )
                entry["id"] = str(integration.pk)
            elif declared.changes:
                entry = _entry(declared, DeclarationAction.UPDATE)
                integration = actions.update_integration(
                    declared.existing,
                    actor=actor,
                    accounts=declared.accounts,
                    config=declared.config,
                    policy=declared.policy,
                )
            else:
                entry = _entry(declared, DeclarationAction.NOOP)
                integration = declared.existing
        except ValidationError as exc:
            errors.update(_with_name(declared.name, exc))
            continue
        saved.append((declared, integration, entry))
    if errors:
        raise ValidationError(errors)  # the transaction is rolled back: nothing was declared
    for _, integration, entry in saved:
        unchanged = entry["action"] == DeclarationAction.NOOP
        active = Run.objects.filter(integration=integration, state__in=ACTIVE_RUN_STATES).first()
        if unchanged and (active is not None or _converged(integration)):
            # Nothing new to apply: the run already under way (or none) is the answer.
            entry["run"], entry["changed"] = _run_json(active), False
        else:
            try:
                run = actions.apply_integration(integration, actor=actor)
            except Conflict as exc:
                code = exc.detail.code if isinstance(exc.detail, ErrorDetail) else None
                raise Conflict(f"{integration.name}: {exc.detail}", code=code) from exc
            entry["run"], entry["changed"] = _run_json(run), True
        entries.append(entry)
    if prune:
        for integration in _undeclared(tenant, declared_all):
            entry = _delete_entry(integration)
            entry["run"] = _run_json(actions.teardown_integration(integration, actor=actor))
            entries.append(entry)
    return entries
