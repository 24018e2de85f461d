"""Checks an integration's save and apply make at its vendors' side (issue 11, items 3 and 4).

- `check_account_change`: an integration holding objects in an account may not move to
  another account of that vendor (the old account's objects would be orphaned).
- `check_vendor_ids` / `reference_problems`: the vendor ids in the config exist in the linked
  accounts (`vendor_choices.check_references`), before anything is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ErrorDetail, ValidationError

from integrations.choices import AccountKind
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import NodeStatus, ResourceNode
from integrations.resources import RESOURCE_TYPES
from integrations.vendor_choices import check_references


def kinds_holding_objects(integration: Integration) -> dict[str, int]:
    """{account kind: how many vendor objects} the integration holds (or may hold) in its accounts."""
    held: dict[str, int] = {}
    rows = ResourceNode.objects.filter(integration=integration).exclude(status=NodeStatus.DELETED)
    for node_type, status, external_id, pending in rows.values_list(
        "type", "status", "external_id", "create_pending_at"
    ):
        if status == NodeStatus.PENDING and not external_id and pending is None:
            continue  # in the blueprint, never created
        kind = getattr(RESOURCE_TYPES.get(node_type), "account_kind", "")
        if kind:
            held[kind] = held.get(kind, 0) + 1
    return held


def check_account_change(integration: Integration, accounts: Mapping[str, ProviderAccount]) -> None:
    """Refuse to move an applied integration to another account of a vendor where it holds objects.

    The engine only knows the objects through the account that made them: switching accounts would
    plan creates in the new one and orphan the old one's objects (issue 11, item 3).
    """
    current = integration.account_ids()
    changed = [kind for kind, account in accounts.items() if str(current.get(kind) or "") != str(account.pk)]
    if not changed:
        return
    held = kinds_holding_objects(integration)
    errors: dict[str, list[ErrorDetail]] = {}
    for kind in changed:
        if held.get(kind):
            old = integration.account(kind)
            old_name = old.name if old is not None else ""
            label = AccountKind(kind).label
            errors[kind] = [
                ErrorDetail(
                    f"This integration has {held[kind]} object(s) in the {label} account "
                    f"{old_name!r}, which Patchbay would no longer manage. Tear the "
                    f"integration down first (delete it, which removes its objects), then create it "
                    f"again with the other account.",
                    code="account_holds_objects",
                )
            ]
    if errors:
        raise ValidationError({"accounts": errors})


def check_vendor_ids(kind: str, accounts: Mapping[str, ProviderAccount], config: Mapping[str, Any]) -> None:
    """With `VENDOR_CHECKS_ON_SAVE`: every vendor id in the config exists in the chosen accounts."""
    if not settings.VENDOR_CHECKS_ON_SAVE:
        return
    errors = check_references(kind, accounts, config)
    if errors:
        raise ValidationError({"config": errors})


def reference_problems(integration: Integration) -> dict[str, list[str]]:
    """Vendor ids of the config that the linked accounts do not have, by dotted field."""
    required = get_kind(integration.kind).required_accounts
    linked = {kind: integration.account(kind) for kind in required}
    errors = check_references(integration.kind, {k: a for k, a in linked.items() if a}, integration.config)
    return {f"config.{field}": messages for field, messages in errors.items()}
