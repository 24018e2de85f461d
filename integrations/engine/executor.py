"""Walk an integration's graph for one run: apply and reconcile forward, teardown in reverse.

Each node step observes first, then creates, updates or does nothing. The
create-pending mark is saved before a create is sent and cleared the moment
its answer is saved, so a crash loses at most the node in flight — and the
next pass finds that node's object by its deterministic name (or recorded
intent) and adopts it instead of creating a second one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.engine.events import announce, vendor_write_answered
from integrations.engine.graph import IntegrationGraph
from integrations.engine.retry import with_retries
from integrations.engine.types import NodeContext, Observation, contains_unknown
from integrations.engine.walk import NodeFailed, Recorder, WalkResult, walk
from integrations.models.engine import EventOutcome, NodeStatus
from integrations.resources import get_resource_type
from integrations.vendors import request_ids, shared_reads
from integrations.vendors.errors import ResponseLost, VendorError

#: characters of one value shown in an update's `old → new`
VALUE_SHOWN = 120


def _short(value: Any) -> str:
    text = (
        "—"
        if value is None
        else (value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str))
    )
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"


class GraphExecutor:
    """Apply, reconcile or tear down one integration's graph, recording every step."""

    def __init__(
        self, graph: IntegrationGraph, recorder: Recorder, *, heal: bool = True, shared_reads: bool = False
    ) -> None:
        self.graph = graph
        self.recorder = recorder
        self.heal = heal
        #: a reconcile run's first observation of a node may use an account's shared listing
        self.shared_reads = shared_reads
        self.changed = 0
        self.drifted: dict[str, dict[str, Any]] = {}
        #: node → the `{field: (observed, desired)}` it was updated or found drifted by, for its event
        self._changes: dict[str, dict[str, tuple[Any, Any]]] = {}
        #: node → when (monotonic) its last create was sent and got no answer (ResponseLost)
        self._unanswered: dict[str, float] = {}
        self._lock = threading.Lock()

    # -- shared ---------------------------------------------------------------
    def _retrying(self, node: str, action: str, work: Callable[[], Any]) -> Any:
        def on_retry(error: VendorError, attempt: int, delay: float) -> None:
            self.recorder.event(
                node,
                action,
                EventOutcome.RETRY,
                message=f"attempt {attempt} failed ({error}); retrying in {delay:.1f}s",
                request_id=error.request_id,
            )

        try:
            return with_retries(work, on_retry)
        except VendorError as error:
            raise NodeFailed(node, str(error)) from None

    def _save(self, node: str, **fields: Any) -> None:
        row = self.graph.rows[node]
        for key, value in fields.items():
            setattr(row, key, value)
        row.save(update_fields=[*fields, "updated_at"])

    def _observed(self, node: str, observation: Observation, status: str) -> None:
        row = self.graph.rows[node]
        self._save(
            node,
            external_id=observation.external_id or row.external_id,
            outputs=dict(observation.outputs),
            status=status,
            last_observed_at=timezone.now(),
            last_diff={k: list(v) for k, v in observation.diff.items()},
            message="",
        )

    # -- apply / reconcile ----------------------------------------------------
    def apply(self) -> WalkResult:
        """Bring every node to its desired state (or, without heal, only record drift)."""
        blueprint = self.graph.blueprint
        retired_failed = self._retire_all()
        dependencies = {n.name: set(n.depends_on) for n in blueprint.nodes}
        done, failed, skipped = walk(
            blueprint.order(), dependencies, self._apply_node, settings.ENGINE_CONCURRENCY
        )
        failed = {**retired_failed, **failed}
        for node, message in failed.items():
            self._save(node, status=NodeStatus.FAILED, message=message)
        self._skipped_events(skipped, dependencies, failed)
        return WalkResult(done, failed, skipped, self.drifted, self.changed)

    # -- nodes the blueprint no longer has ----------------------------------------
    def _retire_all(self) -> dict[str, str]:
        """Delete (or, without heal, report) the objects of nodes dropped from the blueprint."""
        failed: dict[str, str] = {}
        for node in self.graph.retired():
            try:
                self._retire(node)
            except NodeFailed as error:
                failed[node] = error.message
        return failed

    def _retire(self, node: str) -> None:
        row = self.graph.rows[node]
        if not self.heal:
            with self._lock:
                self.drifted[node] = {"exists": [True, False]}
            self._save(node, status=NodeStatus.DRIFTED, message="no longer part of the integration")
            self.recorder.event(node, "drift", EventOutcome.OK, message="no longer part of the integration")
            return
        started = time.monotonic()
        rtype = get_resource_type(row.type)
        action = "gone"
        if row.external_id and not rtype.observe_only:
            ctx = self.graph.retired_context(node)
            request_ids.take()
            self._save(node, status=NodeStatus.DELETING)
            self._retrying(node, "delete", lambda: rtype.delete(ctx))
            announce(vendor_write_answered, node=node, action="delete")
            self._count_change()
            action = "delete"
        self._save(
            node, status=NodeStatus.DELETED, outputs={}, external_id="", create_pending_at=None, message=""
        )
        self.recorder.event(
            node,
            action,
            EventOutcome.OK,
            duration_ms=int((time.monotonic() - started) * 1000),
            message="no longer part of the integration",
            request_id=request_ids.take(),
        )

    def _skipped_events(
        self, skipped: list[str], dependencies: dict[str, set[str]], failed: dict[str, str]
    ) -> None:
        """One event per node not started because something it needs failed (or was skipped)."""
        for node in skipped:
            blockers = sorted(dependencies.get(node, set()) & (set(failed) | set(skipped)))
            waits_on = ", ".join(blockers) or "an earlier node"
            self.recorder.event(
                node, "skip", EventOutcome.SKIPPED, message=f"not started: {waits_on} did not finish"
            )

    def _apply_node(self, node: str) -> None:
        started = time.monotonic()
        rtype = self.graph.resource_type(node)
        spec = self.graph.spec(node)
        # The run page shows the node running from this event until its outcome arrives.
        self.recorder.event(node, "apply", EventOutcome.STARTED)
        request_ids.take()  # ids of earlier steps on this thread are not this node's
        try:
            if contains_unknown(spec):
                raise NodeFailed(node, "an input from an earlier node is still unknown")
            action = self._retrying(node, "observe", lambda: self._converge(node, rtype, spec))
        except NodeFailed as error:
            self._failed_event(node, "apply", started, error)
            raise
        self.recorder.event(
            node,
            action,
            EventOutcome.OK,
            duration_ms=int((time.monotonic() - started) * 1000),
            request_id=request_ids.take(),
            message=self._change_text(node, rtype),
        )
        self.recorder.node_done()

    def _failed_event(self, node: str, action: str, started: float, error: NodeFailed) -> None:
        """The node's failure with the vendor's error, as its own event (the run page's failed row)."""
        self.recorder.event(
            node,
            action,
            EventOutcome.FAILED,
            duration_ms=int((time.monotonic() - started) * 1000),
            request_id=request_ids.take(),
            message=error.message,
        )

    def _change_text(self, node: str, rtype: Any) -> str:
        """`field: old → new; …` of the update or heal just made (or drift found); secrets masked."""
        with self._lock:
            diff = self._changes.pop(node, None)
        if not diff:
            return ""
        sensitive: frozenset[str] = getattr(rtype, "sensitive_fields", frozenset())
        parts = []
        for key, (old, new) in sorted(diff.items()):
            if key in sensitive:
                old, new = ("(sensitive)" if old is not None else None), "(sensitive)"
            parts.append(f"{key}: {_short(old)} → {_short(new)}")
        return "; ".join(parts)

    def _converge(self, node: str, rtype: Any, spec: dict[str, Any]) -> str:
        """One attempt at a node; returns the action taken. Safe to rerun after any failure."""
        ctx = self.graph.context(node, spec)
        seen = self._first_observe(rtype, ctx)
        row = self.graph.rows[node]
        if not seen.exists and not rtype.observe_only and self._awaited_unanswered_create(node):
            seen = rtype.observe(ctx)
        if rtype.observe_only:
            if not seen.exists:
                raise NodeFailed(node, f"{rtype.type_name} found nothing for {spec}")
            self._observed(node, seen, NodeStatus.READY)
            return "read"
        if seen.exists:
            adopted = not row.external_id
            if adopted:
                ctx.external_id = seen.external_id
                self._save(node, external_id=seen.external_id, create_pending_at=None)
            if seen.up_to_date:
                self._observed(node, seen, NodeStatus.READY)
                return "adopt" if adopted else "no-op"
            with self._lock:
                self._changes[node] = dict(seen.diff)
            if not self.heal:
                with self._lock:
                    self.drifted[node] = {k: list(v) for k, v in seen.diff.items()}
                self._observed(node, seen, NodeStatus.DRIFTED)
                return "drift"
            rtype.update(ctx, seen.diff)
            self._count_change()
            self._observed(node, rtype.observe(ctx), NodeStatus.READY)
            return "update"
        if not self.heal:
            with self._lock:
                self.drifted[node] = {"exists": [False, True]}
            self._save(node, status=NodeStatus.DRIFTED, message="missing")
            return "drift"
        # Saved before the vendor hears of it: if the answer is lost, the next pass looks first.
        self._save(node, create_pending_at=timezone.now(), status=NodeStatus.CREATING, external_id="")
        ctx.external_id = ""
        sent = time.monotonic()
        try:
            created_id = rtype.create(ctx)
        except ResponseLost:
            with self._lock:
                self._unanswered[node] = sent
            raise
        announce(vendor_write_answered, node=node, action="create")
        self._save(node, external_id=created_id, create_pending_at=None)
        ctx.external_id = created_id
        self._count_change()
        self._observed(node, rtype.observe(ctx), NodeStatus.READY)
        return "create"

    def _first_observe(self, rtype: Any, ctx: NodeContext) -> Observation:
        """A node's first look; in a reconcile run it may come from a listing shared across integrations.

        The listing is only a hint (integrations/vendors/shared_reads.py): an observation that would
        lead to anything but "no-op" (missing, or a diff) is made again with direct reads, and that one
        is acted on. So a stale listing costs a second read, never a wrong create, update or drift.
        """
        if not self.shared_reads:
            return rtype.observe(ctx)
        with shared_reads.sharing():
            seen: Observation = rtype.observe(ctx)
        if seen.exists and seen.up_to_date:
            return seen
        return rtype.observe(ctx)

    def _awaited_unanswered_create(self, node: str) -> bool:
        """Wait out an earlier create of this node that got no answer; True if there was one to wait for.

        A request whose answer was lost (a read timeout, a dropped connection) may still be carried out by
        the vendor: issue 15's fault campaign saw a Voice Connector made twice that way. Before sending
        another create the engine looks again `ENGINE_CREATE_SETTLE_SECONDS` after the first was sent. An
        answered failure (a 4xx, a 5xx, throttling) is not waited for, nor a create of an earlier run.
        """
        with self._lock:
            sent = self._unanswered.pop(node, None)
        if sent is None:
            return False
        remaining = settings.ENGINE_CREATE_SETTLE_SECONDS - (time.monotonic() - sent)
        if remaining > 0:
            time.sleep(remaining)
        return True

    def _count_change(self) -> None:
        with self._lock:
            self.changed += 1

    # -- teardown --------------------------------------------------------------
    def teardown(self) -> WalkResult:
        """Delete every node's object, dependents first; deleting what is gone is success."""
        blueprint = self.graph.blueprint
        self.heal = True  # a teardown deletes what it finds, retired nodes included
        retired_failed = self._retire_all()
        reverse = {n.name: set(blueprint.dependents(n.name)) for n in blueprint.nodes}
        done, failed, skipped = walk(
            list(reversed(blueprint.order())), reverse, self._delete_node, settings.ENGINE_CONCURRENCY
        )
        failed = {**retired_failed, **failed}
        for node, message in failed.items():
            self._save(node, status=NodeStatus.FAILED, message=message)
        self._skipped_events(skipped, reverse, failed)
        return WalkResult(done, failed, skipped, {}, self.changed)

    def _delete_node(self, node: str) -> None:
        started = time.monotonic()
        rtype = self.graph.resource_type(node)
        row = self.graph.rows[node]
        never_sent = (
            not row.external_id and row.create_pending_at is None and row.status == NodeStatus.PENDING
        )
        if rtype.observe_only or never_sent:
            self._save(node, status=NodeStatus.DELETED, outputs={}, external_id="")
            self.recorder.event(node, "delete", EventOutcome.SKIPPED, message="nothing to delete")
            self.recorder.node_done()
            return
        spec = self.graph.spec(node)
        self.recorder.event(node, "delete", EventOutcome.STARTED)
        request_ids.take()
        try:
            action = self._retrying(node, "delete", lambda: self._delete_once(node, rtype, spec))
        except NodeFailed as error:
            self._failed_event(node, "delete", started, error)
            raise
        self._save(node, status=NodeStatus.DELETED, outputs={}, external_id="", create_pending_at=None)
        self.recorder.event(
            node,
            action,
            EventOutcome.OK,
            duration_ms=int((time.monotonic() - started) * 1000),
            request_id=request_ids.take(),
        )
        self.recorder.node_done()

    def _delete_once(self, node: str, rtype: Any, spec: dict[str, Any]) -> str:
        ctx: NodeContext = self.graph.context(node, spec)
        if not ctx.external_id:
            if contains_unknown(spec):
                return "gone"  # its inputs never existed, so neither did it
            seen = rtype.observe(ctx)
            if not seen.exists:
                return "gone"
            ctx.external_id = seen.external_id
        self._save(node, status=NodeStatus.DELETING)
        rtype.delete(ctx)
        announce(vendor_write_answered, node=node, action="delete")
        self._count_change()
        return "delete"
