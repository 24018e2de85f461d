"""What the diagnostics app does when the engine announces something (integrations/engine/events.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import receiver

from integrations.engine.events import run_applied

if TYPE_CHECKING:
    from integrations.models import Integration

logger = logging.getLogger(__name__)


@receiver(run_applied)
def observe_applied_integration(
    sender: Any, integration: Integration, run_kind: str, changed: bool, **_: Any
) -> None:
    """Queue the Registered refresh (and diagnostics when useful) once the run's writes are committed.

    The run's worker is not held by the vendor reads the diagnostics make, and the refresh reads
    the committed nodes. A broker that cannot take the task costs the refresh, never the run: the
    integration's next reconcile (the beat's enqueue-due-reconciles) evaluates it again.
    """
    from integrations.diagnostics.tasks import observe_after_run_task

    integration_id = str(integration.pk)

    def queue() -> None:
        try:
            observe_after_run_task.delay(integration_id, run_kind, changed)
        except Exception:  # the broker is down: logged, the run's outcome stands
            logger.exception("could not queue the registration refresh of integration %s", integration_id)

    transaction.on_commit(queue)
