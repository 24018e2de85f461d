"""A deliberate crash point for the crash-safety tests (off unless a setting names a directory).

With `ENGINE_CRASH_AFTER_CREATE_DIR` set, the worker kills itself with SIGKILL
right after a node's vendor create succeeded and before its result is saved,
once per node (a marker file per node remembers it crashed there). This is how
the tests prove that a lost create is adopted, not duplicated.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.conf import settings


def crash_after_create(node: str) -> None:
    """SIGKILL this process the first time `node` is created, when the test setting asks for it."""
    directory = settings.ENGINE_CRASH_AFTER_CREATE_DIR
    if not directory:
        return
    marker = Path(directory) / node
    if marker.exists():
        return
    marker.touch()
    os.kill(os.getpid(), signal.SIGKILL)
