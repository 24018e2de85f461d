"""The walk of a graph: each node's step once its dependencies succeeded, several at a time.

Knows nothing of resources or vendors (integrations/engine/executor.py gives it the step); a lost
database connection ends the walk by being raised, for the run to wait for the database and walk again.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError, connection

#: the database connection was lost (a restart, a failover): not the node's failure; the run waits for the
#: database and walks again (runs.py), which adopts whatever the interrupted node already created
DATABASE_LOST = (OperationalError, InterfaceError)


class NodeFailed(Exception):
    """A node could not be brought to its desired state; the message is for people."""

    def __init__(self, node: str, message: str) -> None:
        super().__init__(f"{node}: {message}")
        self.node = node
        self.message = message


class Recorder:
    """Writes a run's events and progress (the engine's only channel to the dashboard)."""

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
        raise NotImplementedError

    def node_done(self) -> None:
        raise NotImplementedError


@dataclass
class WalkResult:
    """What a walk did: nodes done, failed (with messages), skipped because a dependency failed."""

    done: list[str]
    failed: dict[str, str]
    skipped: list[str]
    drifted: dict[str, dict[str, Any]]
    changed: int = 0


def walk(
    order: list[str],
    dependencies: dict[str, set[str]],
    step: Callable[[str], None],
    concurrency: int,
) -> tuple[list[str], dict[str, str], list[str]]:
    """Run `step` per node once all its dependencies succeeded, `concurrency` at a time.

    A lost database connection is raised (once the nodes in flight have ended), not counted as a failure.
    """
    done: list[str] = []
    failed: dict[str, str] = {}
    skipped: list[str] = []
    pending = list(order)

    def run_one(name: str) -> None:
        try:
            step(name)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    def blocked(name: str) -> bool:
        return bool(dependencies[name] & (set(failed) | set(skipped)))

    if concurrency <= 1:
        for name in order:
            if blocked(name):
                skipped.append(name)
                continue
            try:
                step(name)
                done.append(name)
            except NodeFailed as error:
                failed[name] = error.message
        return done, failed, skipped

    database_lost: BaseException | None = None
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="engine") as pool:
        running: dict[Future[None], str] = {}
        while pending or running:
            for name in list(pending):
                if blocked(name):
                    pending.remove(name)
                    skipped.append(name)
                elif dependencies[name] <= set(done) and len(running) < concurrency:
                    pending.remove(name)
                    # A copy of this thread's context: node threads log with the run's ids and request id.
                    running[pool.submit(contextvars.copy_context().run, run_one, name)] = name
            if not running:
                if pending:  # nothing can start: every remaining node waits on something that won't finish
                    skipped.extend(pending)
                    pending.clear()
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                exc = future.exception()
                if exc is None:
                    done.append(name)
                elif isinstance(exc, NodeFailed):
                    failed[name] = exc.message
                elif isinstance(exc, DATABASE_LOST):
                    database_lost = exc
                    pending.clear()  # start nothing more; the run walks again once the database is back
                else:
                    failed[name] = f"internal error: {type(exc).__name__}: {exc}"
    if database_lost is not None:
        raise database_lost
    return done, failed, skipped
