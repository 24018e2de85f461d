"""What the diagnostics app does when the engine announces something (integrations/engine/events.py)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from integrations.diagnostics.registration import observe_after_run
from integrations.engine.events import run_applied


@receiver(run_applied)
def observe_applied_integration(
    sender: Any, integration: Any, run_kind: str, changed: bool, **_: Any
) -> None:
    """Registered, then diagnostics when useful, in the run's worker before the run is marked finished
    (a page that shows the finished run shows them too). Never fails the run (observe_after_run)."""
    observe_after_run(integration, run_kind, changed=changed)
