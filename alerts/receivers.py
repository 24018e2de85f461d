"""What Patchbay alerts about, from the engine's and the probes' events.

- an integration's health turns degraded or down (after a run: monitoring/health_status.py);
- a run fails;
- a SIP probe target goes down (after hysteresis);
- drift is found on an integration with the report policy.
Each is debounced per integration (or target) and event: ALERT_DEBOUNCE_SECONDS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from alerts.actions import raise_alert, remember_value
from alerts.choices import AlertEvent
from alerts.delivery import Alert
from calls.choices import TargetState
from calls.events import probe_target_changed
from calls.models import SipTarget
from integrations.choices import Policy
from integrations.engine.events import run_finished
from integrations.models.engine import RunKind, RunState
from monitoring.health_status import HealthStatus, health_of

if TYPE_CHECKING:
    from integrations.models import Run

_HEALTH_EVENTS: dict[str, AlertEvent] = {
    HealthStatus.DEGRADED: AlertEvent.INTEGRATION_DEGRADED,
    HealthStatus.DOWN: AlertEvent.INTEGRATION_DOWN,
}


@receiver(run_finished)
def alert_on_run(run: Run, **_: Any) -> None:
    """Run failed, drift under the report policy, and health turning degraded/down."""
    integration = run.integration
    name = run.integration_name
    details = {"integration": name, "run": str(run.pk), "kind": run.kind}
    if run.state == RunState.FAILED:
        raise_alert(
            run.tenant_id,
            Alert(
                AlertEvent.RUN_FAILED, f"{run.kind.capitalize()} of {name} failed", run.message[:500], details
            ),
            key=f"run_failed:{integration.pk if integration else name}",
        )
    if integration is None or run.kind == RunKind.TEARDOWN:
        return
    drift = (run.plan or {}).get("drift") if isinstance(run.plan, dict) else None
    if drift and integration.policy == Policy.REPORT:
        nodes = ", ".join(sorted(drift))
        raise_alert(
            run.tenant_id,
            Alert(
                AlertEvent.DRIFT_FOUND,
                f"Drift found on {name}",
                f"Changed outside Patchbay: {nodes}.",
                details,
            ),
            key=f"drift:{integration.pk}",
        )
    integration.refresh_from_db(fields=["conditions"])
    target_down = SipTarget.objects.filter(integration=integration, state=TargetState.DOWN).exists()
    health = health_of(integration.conditions or [], target_down=target_down)
    before = remember_value(run.tenant_id, f"health:{integration.pk}", health)
    if health in _HEALTH_EVENTS and before != health:
        raise_alert(
            run.tenant_id,
            Alert(
                _HEALTH_EVENTS[health],
                f"{name} is {health}",
                run.message[:500],
                {**details, "health": health},
            ),
            key=f"health:{integration.pk}:{health}",
        )


@receiver(probe_target_changed)
def alert_on_probe(target: SipTarget, before: str, **_: Any) -> None:
    """A SIP target went down."""
    if target.state != TargetState.DOWN:
        return
    address = f"{target.transport}:{target.host}:{target.port}"
    raise_alert(
        target.tenant_id,
        Alert(
            AlertEvent.PROBE_DOWN,
            f"SIP target {address} is down",
            f"{target.consecutive_failures} OPTIONS probes in a row got no answer.",
            {"integration": target.integration.name, "target": address, "was": before},
        ),
        key=f"probe:{target.pk}",
    )
