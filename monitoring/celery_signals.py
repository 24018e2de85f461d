"""Celery signal handlers: carry the log context into tasks, and note beat's ticks.

A request's ids ride along in the headers of every task it queues
(`before_task_publish`), and a worker binds them while it runs the task
(`task_prerun`), so the log lines of an apply share the id of the click that
asked for it. In the beat process every published task is a tick.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import signals

from monitoring import log_context

logger = logging.getLogger(__name__)

_process = {"beat": False}


@signals.beat_init.connect
def _mark_beat_process(**_: Any) -> None:
    _process["beat"] = True


@signals.before_task_publish.connect
def _add_context_headers(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        for name, value in log_context.as_headers().items():
            headers.setdefault(name, value)
    if _process["beat"]:
        from monitoring.heartbeats import record_beat_tick

        record_beat_tick()


@signals.task_prerun.connect
def _bind_task_context(task: Any = None, **_: Any) -> None:
    if task is None or getattr(task.request, "is_eager", False):
        return  # run in the caller's thread (CELERY_TASK_ALWAYS_EAGER): its context is already there
    log_context.clear()
    log_context.bind(**log_context.from_headers(task.request))


@signals.task_postrun.connect
def _clear_task_context(task: Any = None, **_: Any) -> None:
    if task is not None and not getattr(task.request, "is_eager", False):
        log_context.clear()


@signals.worker_ready.connect
def _first_worker_heartbeat(sender: Any = None, **_: Any) -> None:
    from monitoring.heartbeats import record_heartbeat
    from monitoring.models import Component

    hostname = getattr(sender, "hostname", "") or "worker"
    record_heartbeat(Component.WORKER, hostname)
