"""Deliberate crash points for the crash-safety tests (off unless a setting names a directory).

With `ENGINE_CRASH_AFTER_CREATE_DIR` set, the worker kills itself with SIGKILL
right after a node's vendor create succeeded and before its result is saved,
once per node (a marker file per node remembers it crashed there). This is how
the tests prove that a lost create is adopted, not duplicated.

`ENGINE_CRASH_AFTER_DELETE_DIR` does the same right after a node's vendor
delete returned (a teardown's, or a retired node's) and before the node is saved
as deleted: the next run deletes that object a second time, and must take the
vendor's "not found" as done rather than fail the teardown or orphan anything.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.conf import settings


def _crash_once(directory: str, node: str) -> None:
    if not directory:
        return
    marker = Path(directory) / node
    if marker.exists():
        return
    marker.touch()
    os.kill(os.getpid(), signal.SIGKILL)


def crash_after_create(node: str) -> None:
    """SIGKILL this process the first time `node` is created, when the test setting asks for it."""
    _crash_once(settings.ENGINE_CRASH_AFTER_CREATE_DIR, node)


def crash_after_delete(node: str) -> None:
    """SIGKILL this process the first time `node`'s object is deleted, when the test setting asks for it."""
    _crash_once(settings.ENGINE_CRASH_AFTER_DELETE_DIR, node)
