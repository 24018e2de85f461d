"""Teardown crash safety for any kind: SIGKILL a real worker right after each node's vendor delete.

The integration is applied normally first. Then the worker runs the teardown with
`ENGINE_CRASH_AFTER_DELETE_DIR` (testing/worker.py): after a node's
delete call returned and before the node is saved as deleted, it marks the node
in that directory and kills itself, once per node. The next teardown run finds
that node still "deleting" with its external id and deletes it a second time: the
vendor's "not found" must count as done. The campaign ends when a teardown run
succeeds, which deletes the integration row.

What the vendors hold is read from the sandbox's ledger (live objects) before the
apply, after it, after each kill and at the end. An object is the node's when its
id is the node's external id (or its tail) or its name is the node's external name
(or `<name>/...`, a Twilio list's addresses); objects that were there before the
apply are the customer's (a number the integration only points somewhere) and
are never counted. A released Chime number stays in DeleteInProgress (AWS.md §1.3):
gone for this count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from integrations.actions import teardown_integration
from integrations.kinds import blueprint_for
from integrations.models import Integration
from integrations.models.engine import NodeStatus, ResourceNode, Run, RunKind, RunState
from integrations.resources import get_resource_type
from integrations.tests.crash_support import CRASH_DEADLINE, wait_for_crash_or_end
from integrations.tests.engine_support import READ_PREFIXES, Sandbox, events_text, run_to_end
from tenants.audit import Actor
from testing.orphans import GONE_STATES, NO_NODE
from testing.waits import wait_until

#: what a teardown may never send: it deletes, it does not make anything
CREATING_PREFIXES = ("Create", "Import", "Order", "Claim", "Associate")


@dataclass
class NodeTally:
    """One node of one kind's teardown campaign."""

    kind: str
    node: str
    type: str
    killed: bool = False  # the worker died right after this node's delete
    status_at_kill: str = ""  # the node's row when it died: "deleting" (the delete not yet saved)
    next_run: str = ""  # what the run after the kill did with it: "delete" again, or "gone"
    objects: int = 0  # objects of the node at the vendors after the apply
    duplicates: int = 0  # most copies beyond one of any of its objects, over every sample
    orphans: int = 0  # its objects still live after the teardown succeeded


@dataclass
class TeardownCampaign:
    """What one kind's campaign did and left."""

    kind: str
    integration_id: str
    deletable: list[str]
    nodes: list[NodeTally]
    runs: list[int] = field(default_factory=list)  # teardown runs, in order
    kills: int = 0
    integration_gone: bool = False
    creates: list[str] = field(default_factory=list)  # creating writes sent during the teardown

    def problems(self) -> list[str]:
        """Everything that is not as it must be; empty when the campaign passed."""
        found = []
        killed = sorted(t.node for t in self.nodes if t.killed)
        if killed != sorted(self.deletable):
            found.append(
                f"{self.kind}: killed after {killed}, expected every deletable node {self.deletable}"
            )
        for t in self.nodes:
            if t.duplicates or t.orphans:
                found.append(f"{self.kind}/{t.node}: {t.duplicates} duplicate(s), {t.orphans} orphan(s)")
            if t.killed and t.status_at_kill != NodeStatus.DELETING:
                found.append(f"{self.kind}/{t.node}: killed with its row {t.status_at_kill!r}, not deleting")
            if t.killed and t.next_run not in ("delete", "gone"):
                found.append(f"{self.kind}/{t.node}: the run after the kill did {t.next_run or 'nothing'!r}")
        if not self.integration_gone:
            found.append(f"{self.kind}: the integration row is still there")
        if self.creates:
            found.append(f"{self.kind}: the teardown sent creating writes {self.creates}")
        return found

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _live(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [o for o in sandbox.ledger()["objects"] if o["state"] not in GONE_STATES]


def _owner(obj: dict[str, Any], rows: list[ResourceNode], prefix: str) -> str | None:
    for row in rows:
        ext_id, name = row.external_id, row.external_name
        if ext_id and (obj["id"] == ext_id or ext_id.endswith(("/" + obj["id"], ":" + obj["id"]))):
            return row.node
        if name and (obj["name"] == name or obj["name"].startswith(name + "/")):
            return row.node
    return NO_NODE if obj["name"].startswith(prefix) else None


class _Census:
    """Samples the vendors' objects and attributes each to a node (customer objects left out)."""

    def __init__(self, sandbox: Sandbox, prefix: str, baseline: list[dict[str, Any]]) -> None:
        self.sandbox = sandbox
        self.prefix = prefix
        self.baseline = {(o["type"], o["id"]) for o in baseline}
        self.rows: list[ResourceNode] = []
        self.duplicates: Counter[str] = Counter()

    def owned(self) -> dict[str, list[dict[str, Any]]]:
        """Node → its live objects now; also records the most duplicates seen per node."""
        by_node: dict[str, list[dict[str, Any]]] = {}
        for obj in _live(self.sandbox):
            if (obj["type"], obj["id"]) in self.baseline:
                continue
            node = _owner(obj, self.rows, self.prefix)
            if node is not None:
                by_node.setdefault(node, []).append(obj)
        for node, objects in by_node.items():
            copies = Counter((o["type"], o["name"] or o["id"]) for o in objects)
            extra = sum(n - 1 for n in copies.values())
            self.duplicates[node] = max(self.duplicates[node], extra)
        return by_node


def _request_teardown(integration: Integration, dead: Run | None) -> Run:
    """A new teardown run, as the API's delete asks; the dead worker's run blocks it until stale."""

    def new_run() -> Run | None:
        run = teardown_integration(integration, actor=Actor.system())
        return run if dead is None or run.pk != dead.pk else None

    return wait_until(
        new_run,
        timeout=CRASH_DEADLINE,
        interval=0.1,
        message="the dead worker's teardown run never became stale",
    )


def _node_action(run: Run, node: str) -> str:
    """What `run` finished doing with `node` (its last ok event)."""
    actions = [e.action for e in run.events.filter(node=node, outcome="ok").order_by("pk")]
    return actions[-1] if actions else ""


def teardown_crash_at_every_node(
    integration: Integration,
    celery_worker_factory: Any,
    env: dict[str, str],
    crashes: Path,
    sandbox: Sandbox,
    prefix: str,
) -> TeardownCampaign:
    """Apply, then tear down with a worker that SIGKILLs itself after each node's delete, until done.

    One node at a time (ENGINE_CONCURRENCY=1), so each kill cuts exactly one delete. `prefix` is the
    integration's name prefix (objects carrying it that match no node are counted as NO_NODE).
    """
    census = _Census(sandbox, prefix, _live(sandbox))
    worker = celery_worker_factory(env=env)
    applied = run_to_end(integration, RunKind.APPLY)
    worker.stop()
    assert applied.state == RunState.SUCCEEDED, events_text(applied)

    census.rows = list(ResourceNode.objects.filter(integration_id=integration.pk))
    blueprint = blueprint_for(integration.kind, integration.config)
    rows = {row.node: row for row in census.rows}
    # A teardown calls the vendor delete of every owned node the apply made (it has an external id).
    deletable = [
        n.name
        for n in blueprint.nodes
        if not get_resource_type(n.type).observe_only and rows[n.name].external_id
    ]
    tallies = {n.name: NodeTally(integration.kind, n.name, n.type) for n in blueprint.nodes}
    for node, objects in census.owned().items():
        tallies.setdefault(node, NodeTally(integration.kind, node, "")).objects = len(objects)
    campaign = TeardownCampaign(integration.kind, str(integration.pk), deletable, [])

    crashes.mkdir()
    env = {**env, "ENGINE_CRASH_AFTER_DELETE_DIR": str(crashes), "ENGINE_CONCURRENCY": "1"}
    first_request = sandbox.ledger()["next"]
    dead: Run | None = None
    killed_before: set[str] = set()
    killed_in: dict[str, int] = {}  # node → index in campaign.runs of the run that died after its delete
    for _ in range(len(deletable) + 2):
        worker = celery_worker_factory(env=env)
        run = _request_teardown(integration, dead)
        campaign.runs.append(run.pk)
        wait_for_crash_or_end(worker, run)
        run.refresh_from_db()
        if run.state == RunState.SUCCEEDED:
            worker.stop()
            break
        assert run.state != RunState.FAILED, events_text(run)
        worker.process.wait(timeout=30)
        assert worker.process.returncode == -9, "the worker must have died by SIGKILL"
        campaign.kills += 1
        new = {p.name for p in crashes.iterdir()} - killed_before
        assert len(new) == 1, f"one kill, one node: {sorted(new)}"
        (node,) = new
        killed_before |= new
        killed_in[node] = len(campaign.runs) - 1
        tallies[node].killed = True
        tallies[node].status_at_kill = ResourceNode.objects.get(
            integration_id=integration.pk, node=node
        ).status
        census.owned()  # duplicates at this point of the teardown
        dead = run
    else:
        pytest.fail(f"{integration.kind}: the teardown never completed after {campaign.kills} kill(s)")

    # The run after each kill is the one that met the half-deleted node again.
    for node, position in killed_in.items():
        tallies[node].next_run = _node_action(Run.objects.get(pk=campaign.runs[position + 1]), node)

    campaign.integration_gone = not Integration.objects.filter(pk=integration.pk).exists()
    left = census.owned()
    for node, objects in left.items():
        tallies.setdefault(node, NodeTally(integration.kind, node, "")).orphans = len(objects)
    for node, tally in tallies.items():
        tally.duplicates = census.duplicates[node]
    writes = [
        f"{r['vendor']}:{r['operation']}"
        for r in sandbox.ledger(since=first_request)["requests"]
        if not r["operation"].startswith(READ_PREFIXES) and r["operation"].startswith(CREATING_PREFIXES)
    ]
    campaign.creates = sorted(set(writes))
    campaign.nodes = list(tallies.values())
    return campaign


HEADER = ("kind", "node", "objects", "killed after delete", "next run", "duplicates", "orphans")


def table(campaigns: list[TeardownCampaign]) -> str:
    """kind | node | objects | killed after delete | next run | duplicates | orphans, one line per node."""
    lines = [[*HEADER]]
    for campaign in campaigns:
        for t in campaign.nodes:
            killed = "yes" if t.killed else "-"
            counts = [str(t.objects), killed, t.next_run or "-", str(t.duplicates), str(t.orphans)]
            lines.append([t.kind, t.node, *counts])
    widths = [max(len(row[i]) for row in lines) for i in range(len(HEADER))]
    text = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in lines]
    text.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in text)
