"""Every node of a run with its state, as CloudFormation's resources tab lists a stack's resources.

A node is *pending* until the engine starts it, *running* while it works (retries
included), then *done*, *failed* (with the vendor's error) or *skipped* (something
it needs did not finish). Updates and heals carry their `field: old → new` text.
Progress counts finished nodes: done, failed and skipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from integrations.kinds import KINDS
from integrations.models.engine import EventOutcome, Run, RunKind

#: node state → badge colour (the state's word is always shown with it)
NODE_STATE_COLOURS = {
    "pending": "grey",
    "running": "amber",
    "done": "green",
    "failed": "red",
    "skipped": "grey",
    "not started": "grey",
}
FINISHED = ("done", "failed", "skipped")
#: what a node's last action means, in words
ACTION_WORDS = {
    "create": "created",
    "update": "updated",
    "adopt": "adopted (it already existed)",
    "no-op": "already as planned",
    "read": "read",
    "drift": "drifted (reported, not healed)",
    "delete": "deleted",
    "gone": "already gone",
}


@dataclass
class NodeRow:
    node: str
    title: str
    type: str
    state: str
    colour: str
    action: str = ""
    message: str = ""
    change: str = ""
    request_id: str = ""
    duration_ms: int = 0


def run_nodes(run: Run) -> list[dict[str, Any]]:
    """The run's nodes in the order the engine walks them, each with its state."""
    if run.kind == RunKind.PLAN:
        return []
    kind = run.integration.kind if run.integration_id and run.integration else ""
    blueprint = KINDS[kind].BLUEPRINT if kind in KINDS else None
    if blueprint is not None and run.integration is not None:
        blueprint = blueprint.for_config(run.integration.config)
    waiting = "pending" if run.is_active else "not started"
    order: list[str] = []
    rows: dict[str, NodeRow] = {}
    if blueprint is not None:
        order = blueprint.order()
        if run.kind == RunKind.TEARDOWN:
            order = list(reversed(order))
        rows = {n.name: NodeRow(n.name, n.title, n.type, waiting, "grey") for n in blueprint.nodes}
    events = run.events.exclude(node="").order_by("at", "id")
    for event in events.only("node", "action", "outcome", "message", "request_id", "duration_ms"):
        if event.node not in rows:
            # A torn-down integration is gone with its kind: its nodes are known from the events.
            rows[event.node] = NodeRow(event.node, "", "", waiting, "grey")
            order.append(event.node)
        _apply_event(rows[event.node], event)
    for row in rows.values():
        row.colour = NODE_STATE_COLOURS.get(row.state, "grey")
    return [asdict(rows[name]) for name in order if name in rows]


def _apply_event(row: NodeRow, event: Any) -> None:
    outcome = event.outcome
    if outcome in (EventOutcome.STARTED, EventOutcome.RETRY):
        row.state = "running"
        row.message = event.message if outcome == EventOutcome.RETRY else ""
    elif outcome == EventOutcome.OK:
        row.state = "done"
        row.action = ACTION_WORDS.get(event.action, event.action)
        row.change = event.message if event.action in ("update", "drift") else ""
        row.message = "" if row.change else event.message
        row.request_id, row.duration_ms = event.request_id, event.duration_ms
    elif outcome == EventOutcome.FAILED:
        row.state = "failed"
        row.message = event.message
        row.request_id, row.duration_ms = event.request_id, event.duration_ms
    elif outcome == EventOutcome.SKIPPED:
        # Teardown skips a node that was never created: nothing to delete is a finished delete.
        row.state = "done" if event.action == "delete" else "skipped"
        row.action = "nothing to delete" if event.action == "delete" else ""
        row.message = event.message if row.state == "skipped" else ""


def node_progress(nodes: list[dict[str, Any]]) -> dict[str, int]:
    """`{"finished", "total", "failed"}` of the run's nodes."""
    return {
        "finished": sum(1 for n in nodes if n["state"] in FINISHED),
        "total": len(nodes),
        "failed": sum(1 for n in nodes if n["state"] == "failed"),
    }
