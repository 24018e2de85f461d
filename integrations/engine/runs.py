"""Runs: one at a time per integration (the database enforces it), executed by a Celery worker.

`request_run` is what the API, the dashboard and beat call; `execute_run` is
what the worker calls. A run whose worker died (SIGKILL, lost node) stops
sending heartbeats; the next request finds it stale, marks it failed, and
starts a new one — which adopts whatever the dead run created. A run that
loses its database connection (PostgreSQL restarted) waits for the database
and walks the graph again, unless a later run took over meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from integrations.engine.conditions import ConditionStatus, ConditionType, Reason, set_condition
from integrations.engine.events import announce, run_applied, run_finished
from integrations.engine.executor import GraphExecutor
from integrations.engine.graph import IntegrationGraph
from integrations.engine.planner import plan_graph
from integrations.engine.walk import DATABASE_LOST, Recorder, WalkResult
from integrations.models.engine import ACTIVE_RUN_STATES, EventOutcome, Run, RunEvent, RunKind, RunState
from monitoring import log_context
from tenants.audit import Actor, record_audit
from tenants.choices import AuditAction

if TYPE_CHECKING:
    from integrations.models import Integration

logger = logging.getLogger(__name__)

#: the kinds of run a worker executes (a plan run is created finished, by `plan_integration`)
QUEUED_KINDS = frozenset({RunKind.APPLY, RunKind.RECONCILE, RunKind.TEARDOWN})


def _stale_before() -> Any:
    return timezone.now() - timedelta(seconds=settings.ENGINE_RUN_STALE_SECONDS)


def _is_stale(run: Run) -> bool:
    if run.state == RunState.QUEUED:
        # A queued run older than the stale window whose task never started (broker lost it).
        return run.created_at < _stale_before() and run.heartbeat_at is None and run.started_at is None
    beat = run.heartbeat_at or run.started_at or run.created_at
    return beat < _stale_before()


def _fail_stale(run: Run) -> None:
    Run.objects.filter(pk=run.pk, state=run.state).update(
        state=RunState.FAILED,
        finished_at=timezone.now(),
        message="the worker executing this run stopped (no heartbeat); a later run takes over",
    )


def request_run(
    integration: Integration,
    kind: str,
    *,
    enqueue: Callable[[int], None],
    requested_by: Any = None,
) -> tuple[Run, bool]:
    """Queue a run, or return the integration's queued/running one: (run, created).

    `enqueue(run_id)` hands a new run to whoever executes it, after the commit: the caller chooses
    (`integrations.tasks.queue_run` for a worker; a test may execute it in place). The engine knows
    no task queue.

    Only apply, reconcile and teardown runs are queued: a plan is computed at once by
    `plan_integration` and stored as a finished run, never executed by a worker.
    """
    if kind not in QUEUED_KINDS:
        raise ValueError(f"a {kind} run is not queued")

    with transaction.atomic():
        active = (
            Run.objects.select_for_update()
            .filter(integration=integration, state__in=ACTIVE_RUN_STATES)
            .first()
        )
        if active is not None and _is_stale(active):
            _fail_stale(active)
            active = None
        if active is not None:
            return active, False
        try:
            with transaction.atomic():
                run = Run.objects.create(
                    tenant_id=integration.tenant_id,
                    integration=integration,
                    integration_name=integration.name,
                    kind=kind,
                    requested_by=requested_by if getattr(requested_by, "pk", None) else None,
                )
        except IntegrityError:
            # Another request won the race: the constraint allows one active run.
            return Run.objects.get(integration=integration, state__in=ACTIVE_RUN_STATES), False
        transaction.on_commit(lambda: enqueue(run.pk))
    return run, True


class RunRecorder(Recorder):
    """Events and progress of one run, written as they happen."""

    def __init__(self, run: Run, total_nodes: int) -> None:
        self.run = run
        self.total = max(total_nodes, 1)
        self.finished = 0
        self._lock = threading.Lock()

    def event(
        self,
        node: str,
        action: str,
        outcome: str,
        *,
        duration_ms: int = 0,
        message: str = "",
        request_id: str = "",
    ) -> None:
        RunEvent.objects.create(
            tenant_id=self.run.tenant_id,
            run=self.run,
            node=node,
            action=action,
            outcome=outcome,
            duration_ms=duration_ms,
            message=message[:2000],
            request_id=request_id[:128],
        )

    def node_done(self) -> None:
        with self._lock:
            self.finished += 1
            progress = min(99, int(self.finished * 100 / self.total))
        Run.objects.filter(pk=self.run.pk).update(progress=progress, heartbeat_at=timezone.now())


class Heartbeat:
    """Refreshes a run's heartbeat from a side thread while the run executes."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.ENGINE_HEARTBEAT_SECONDS):
                try:
                    Run.objects.filter(pk=self.run_id).update(heartbeat_at=timezone.now())
                except DATABASE_LOST:  # the database restarts: beat again once it is back
                    _close_connection()
        finally:
            _close_connection()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _claim(run_id: int) -> Run | None:
    """Move a queued run to running; None when it is not ours to run (done, or another worker has it)."""
    now = timezone.now()
    claimed = Run.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return None
    return Run.objects.select_related("integration__tenant").get(pk=run_id)


def execute_run(run_id: int) -> None:
    """Execute one queued run to the end (the Celery task's whole body)."""
    run = _claim(run_id)
    if run is None:
        logger.info("run %s is not queued any more; nothing to do", run_id)
        return
    tenant = run.integration.tenant.slug if run.integration else None
    # Every log line of the run, in this thread and its node threads, carries the run's ids.
    with log_context.bound(run=run.pk, integration=run.integration_id, tenant=tenant):
        logger.info("%s run %s started", run.kind, run.pk)
        _execute_claimed(run)


def _execute_claimed(run: Run) -> None:
    integration = run.integration
    if integration is None:
        _finish(run, RunState.FAILED, "the integration no longer exists")
        return
    with Heartbeat(run.pk):
        for attempt in range(1, settings.ENGINE_DATABASE_ATTEMPTS + 1):
            try:
                _walk_once(run, integration, resumed=attempt > 1)
                return
            except DATABASE_LOST as error:
                if attempt >= settings.ENGINE_DATABASE_ATTEMPTS:
                    logger.exception("run %s lost the database %s times; giving up", run.pk, attempt)
                    raise
                logger.warning("run %s lost the database (%s); waiting for it", run.pk, type(error).__name__)
                if not _database_back(run):
                    return  # the database never came back, or a later run took over: nothing more is ours
            except Exception as error:  # recorded on the run, then re-raised for the worker's log
                logger.exception("run %s failed", run.pk)
                _finish(run, RunState.FAILED, f"internal error: {type(error).__name__}")
                raise


def _walk_once(run: Run, integration: Integration, *, resumed: bool) -> None:
    """One walk of the run's graph, read afresh from the database (safe to repeat: it observes first)."""
    graph = IntegrationGraph(integration)
    recorder = RunRecorder(run, len(graph.blueprint.nodes))
    if resumed:
        message = "the database connection was lost; walking the graph again"
        recorder.event("", run.kind, EventOutcome.RETRY, message=message)
    else:
        recorder.event("", run.kind, "started")
    if run.kind == RunKind.TEARDOWN:
        _teardown(run, graph, recorder)
    else:
        heal = run.kind == RunKind.APPLY or integration.policy == "heal"
        _apply(run, graph, recorder, heal=heal)


def _close_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connection.close()


def _database_back(run: Run) -> bool:
    """Wait (bounded) for the database; True when it is back and the run is still this worker's to finish.

    A run whose heartbeat went stale meanwhile may have been failed by a later request, which started
    its own run: then this one stops, so two walks never touch one integration at once.
    """
    end = time.monotonic() + settings.ENGINE_DATABASE_WAIT_SECONDS
    delay = 0.2
    while True:
        _close_connection()
        try:
            return bool(
                Run.objects.filter(pk=run.pk, state=RunState.RUNNING).update(heartbeat_at=timezone.now())
            )
        except DATABASE_LOST:
            if time.monotonic() + delay > end:
                logger.error("run %s: the database is still unreachable; the run is left to go stale", run.pk)
                return False
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _apply(run: Run, graph: IntegrationGraph, recorder: RunRecorder, *, heal: bool) -> None:
    # Only a reconcile shares listings across integrations: an apply reads every object itself.
    shared = run.kind == RunKind.RECONCILE
    result = GraphExecutor(graph, recorder, heal=heal, shared_reads=shared).apply()
    integration = graph.integration
    conditions = list(integration.conditions or [])
    if result.failed:
        message = "; ".join(f"{node}: {text}" for node, text in result.failed.items())
        conditions = set_condition(
            conditions, ConditionType.READY, ConditionStatus.FALSE, Reason.APPLY_FAILED, message
        )
        conditions = set_condition(
            conditions, ConditionType.SYNCED, ConditionStatus.FALSE, Reason.RECONCILE_ERROR, message
        )
        _save_conditions(integration, conditions)
        announce(run_applied, integration=integration, run_kind=run.kind, changed=True)
        _finish(run, RunState.FAILED, message)
        return
    conditions = set_condition(conditions, ConditionType.READY, ConditionStatus.TRUE, Reason.AVAILABLE)
    if result.drifted:
        summary = "; ".join(f"{node}: {', '.join(sorted(diff))}" for node, diff in result.drifted.items())
        conditions = set_condition(
            conditions, ConditionType.SYNCED, ConditionStatus.FALSE, Reason.DRIFTED, summary
        )
        Run.objects.filter(pk=run.pk).update(plan={"drift": result.drifted})
    else:
        conditions = set_condition(
            conditions, ConditionType.SYNCED, ConditionStatus.TRUE, Reason.RECONCILE_SUCCESS
        )
    _save_conditions(integration, conditions)
    changed = bool(result.changed or result.drifted)
    announce(run_applied, integration=integration, run_kind=run.kind, changed=changed)
    _finish(run, RunState.SUCCEEDED, f"{result.changed} change(s)")


def _teardown(run: Run, graph: IntegrationGraph, recorder: RunRecorder) -> None:
    integration = graph.integration
    conditions = set_condition(
        list(integration.conditions or []), ConditionType.READY, ConditionStatus.FALSE, Reason.DELETING
    )
    _save_conditions(integration, conditions)
    result: WalkResult = GraphExecutor(graph, recorder).teardown()
    if result.failed or result.skipped:
        message = "; ".join(f"{node}: {text}" for node, text in result.failed.items()) or "blocked"
        _finish(run, RunState.FAILED, message)
        return
    # The finalizer: the integration row goes only after every resource is gone, in the same
    # transaction that marks the run succeeded, so no reader sees a finished teardown of an
    # integration that is still there.
    with transaction.atomic():
        actor = Actor(user=run.requested_by) if run.requested_by_id else Actor.system()
        record_audit(
            actor,
            AuditAction.INTEGRATION_DELETED,
            integration,
            diff={"name": [integration.name, None], "kind": [integration.kind, None], "run": [None, run.pk]},
        )
        integration.delete()
        _record_finish(run, RunState.SUCCEEDED, "every resource deleted")
    announce(run_finished, run=run)


def _save_conditions(integration: Integration, conditions: list[dict[str, Any]]) -> None:
    integration.conditions = conditions
    integration.save(update_fields=["conditions", "updated_at"])


def _finish(run: Run, state: str, message: str) -> None:
    _record_finish(run, state, message)
    announce(run_finished, run=run)


def _record_finish(run: Run, state: str, message: str) -> None:
    """Mark the run finished and add its closing event (the writes only; `_finish` also announces)."""
    Run.objects.filter(pk=run.pk).update(
        state=state,
        message=message[:4000],
        finished_at=timezone.now(),
        progress=100 if state == RunState.SUCCEEDED else run.progress,
    )
    run.refresh_from_db()
    RunEvent.objects.create(
        tenant_id=run.tenant_id,
        run=run,
        node="",
        action=run.kind,
        outcome="ok" if state == RunState.SUCCEEDED else "failed",
        message=message[:2000],
    )


def plan_integration(integration: Integration, *, requested_by: Any = None) -> tuple[Run, dict[str, Any]]:
    """Compute the plan now (nothing changes) and keep it as a finished plan run."""
    graph = IntegrationGraph(integration)
    plan = plan_graph(graph)
    now = timezone.now()
    run = Run.objects.create(
        tenant_id=integration.tenant_id,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.PLAN,
        state=RunState.SUCCEEDED,
        progress=100,
        plan=plan,
        started_at=now,
        finished_at=now,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
    )
    return run, plan
