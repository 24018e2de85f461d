"""The orphan check of the crash and fault campaigns: what the vendors hold that no node owns.

Moved here from bench/fault_campaign.py (`census`) so the crash tests, the soaks and the fault campaign
count duplicates and orphans one way. The vendors' objects are read from the sandbox's ledger.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from integrations.models import Integration
from integrations.models.engine import ResourceNode

if TYPE_CHECKING:
    from integrations.tests.engine_support import Sandbox

#: a node's object no longer counts once it is in this state (a released Chime number: AWS keeps it
#: 7 days in DeleteInProgress, AWS.md §1.3)
GONE_STATES = ("DeleteInProgress",)
#: the name of the row for leftover objects that carry the integration's prefix but match no node
NO_NODE = "(no node)"


def owner(obj: dict[str, Any], rows: list[ResourceNode], prefix: str) -> str | None:
    """The node owning a vendor object (by id, then by name); NO_NODE for one of the integration's
    prefix that no node claims; None for one that is not the integration's at all."""
    for row in rows:
        ext_id, name = row.external_id, row.external_name
        if ext_id and (obj["id"] == ext_id or ext_id.endswith(("/" + obj["id"], ":" + obj["id"]))):
            return row.node
        if name and (obj["name"] == name or obj["name"].startswith(name + "/")):
            return row.node
    return NO_NODE if obj["name"].startswith(prefix) else None


def census(
    sandbox: Sandbox, integration: Integration, prefix: str, baseline: set[tuple[str, str]]
) -> tuple[int, int]:
    """(duplicates, orphans) of what the vendors hold now beyond `baseline` (the accounts' own objects).

    A duplicate is a second object of one node with the same type and name; an orphan is a new
    object no node owns (by id or by name).
    """
    duplicates, orphans = _census(sandbox, integration, prefix, baseline)
    return sum(duplicates.values()), len(orphans)


def _census(
    sandbox: Sandbox, integration: Integration, prefix: str, baseline: set[tuple[str, str]]
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    rows = list(ResourceNode.objects.filter(integration_id=integration.pk))
    by_node: dict[str, list[dict[str, Any]]] = {}
    orphans: list[dict[str, Any]] = []
    for obj in sandbox.ledger()["objects"]:
        if obj["state"] in GONE_STATES or (obj["type"], obj["id"]) in baseline:
            continue
        node = owner(obj, rows, prefix)
        if node is None or node == NO_NODE:
            orphans.append(obj)
            continue
        by_node.setdefault(node, []).append(obj)
    duplicates: dict[str, int] = {}
    for node, objects in by_node.items():
        copies = Counter((o["type"], o["name"] or o["id"]) for o in objects)
        if extra := sum(n - 1 for n in copies.values()):
            duplicates[node] = extra
    return duplicates, orphans


def assert_no_orphans(
    sandbox: Sandbox, integration: Integration, prefix: str, baseline: set[tuple[str, str]]
) -> None:
    """Fail unless every vendor object beyond `baseline` belongs to one node, once; the message names
    the duplicated nodes and the orphaned objects."""
    duplicates, orphans = _census(sandbox, integration, prefix, baseline)
    found = [f"{node}: {n} duplicate(s)" for node, n in sorted(duplicates.items())]
    found += [f"orphan {o['type']} {o['name'] or o['id']} ({o['state']})" for o in orphans]
    assert not found, f"{integration.kind} {prefix}:\n" + "\n".join(found)
