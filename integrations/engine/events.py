"""What the engine announces; observers (metrics, alerts) subscribe, the engine knows none of them.

Receivers must not fail a run: the engine sends with `send_robust`, and a
receiver's error is logged, never raised into the run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

#: a run reached succeeded or failed; `run` is the saved Run (its integration's conditions are saved too)
run_finished = Signal()
#: an apply or reconcile ended, its Ready/Synced conditions saved, before the run is marked finished;
#: `integration`, `run_kind`, `changed` (whether it changed or found drift). Diagnostics subscribe and
#: queue their refresh for after the commit (integrations/diagnostics/receivers.py).
run_applied = Signal()

#: the vendor answered a node's create or delete (`node`, `action`: "create" | "delete") and the node
#: is not saved yet. Nothing in Patchbay listens: it is the seam where the crash-safety tests kill
#: their worker (testing/worker.py) to prove that a lost answer is adopted, never duplicated or orphaned.
vendor_write_answered = Signal()


def announce(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` to every receiver; log (never raise) a receiver's error."""
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            logger.error("%s receiver %r failed: %s", "engine event", receiver, result, exc_info=result)
