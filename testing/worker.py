"""The Celery app of the test suite's workers (`celery -A testing.worker worker`, started by
testing/plugins/workers.py's celery_worker_factory): Patchbay's one app, plus what only tests need.

- `testing.ping`: a worker answers with what it sees (broker, worker and database end to end).
- The engine's crash points: with `ENGINE_CRASH_AFTER_CREATE_DIR` in the worker's environment, the
  worker kills itself with SIGKILL right after a node's vendor create was answered and before the
  node is saved, once per node (a marker file per node in that directory remembers it crashed
  there): the crash tests prove that a lost create is adopted, not duplicated.
  `ENGINE_CRASH_AFTER_DELETE_DIR` does the same right after a node's vendor delete (a teardown's,
  or a retired node's): the next run deletes the object again and must take the vendor's "not
  found" as done. The seam is the engine's `vendor_write_answered` signal
  (integrations/engine/events.py), which nothing in production listens to.
"""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path
from typing import Any

from celery.signals import worker_init

from controlplane.celery import app

__all__ = ["app", "ping"]

#: the action of `vendor_write_answered` → the environment variable naming its marker directory
CRASH_DIRS = {"create": "ENGINE_CRASH_AFTER_CREATE_DIR", "delete": "ENGINE_CRASH_AFTER_DELETE_DIR"}


@app.task(name="testing.ping")
def ping(echo: str) -> dict[str, object]:
    """Answer from a worker with what it sees: proves broker, worker and database connection end to end."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {
        "echo": echo,
        "hostname": socket.gethostname(),
        "database": connection.settings_dict["NAME"],
        "users": get_user_model().objects.count(),
    }


def crash_once(sender: Any, node: str, action: str, **kwargs: Any) -> None:
    """SIGKILL this process the first time `node` has its `action` answered, if the environment asks."""
    directory = os.environ.get(CRASH_DIRS.get(action, ""), "")
    if not directory:
        return
    marker = Path(directory) / node
    if marker.exists():
        return
    marker.touch()
    os.kill(os.getpid(), signal.SIGKILL)


@worker_init.connect
def _install_crash_points(**kwargs: Any) -> None:
    if not any(os.environ.get(name) for name in CRASH_DIRS.values()):
        return
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from integrations.engine.events import vendor_write_answered

    vendor_write_answered.connect(crash_once, dispatch_uid="testing-crash-points")
