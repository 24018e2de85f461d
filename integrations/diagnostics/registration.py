"""The `Registered` condition of an integration: can a call get through right now?

DESIGN §4 combines four things, each a component of the status panel:
- every provisioned resource is ready (the engine's nodes);
- the vendors' own state where they expose it: the Vapi number's `status`
  (active | activating | blocked, PROVIDERS.md §2.3), Chime's termination health
  (connect_synthflow, where Synthflow calls back through the termination), the
  Synthflow number bound to the inbound assistant, the Genesys trunk's `state`;
- SIP reachability of each SIP target from the OPTIONS probes (calls/probes.py,
  which already applies the down-after-3 / up-after-2 hysteresis);
- for Synthflow, a call to the number that Synthflow itself lists for the
  assistant. Synthflow exposes no registration state, and a guide's "1-2 minutes
  after attach" is a guess, not an observation: until a call arrives, the
  condition says so (`Unknown` / `AwaitingFirstCall`), never `True` on a timer.

Evaluated when an apply or reconcile run ends: the engine announces `run_applied`
(integrations/engine/events.py) and this app's receiver (integrations/diagnostics/receivers.py) calls
`observe_after_run`; the engine imports nothing of this app.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from calls.choices import TargetState
from calls.probes import reachability
from integrations.choices import AccountKind, IntegrationKind
from integrations.diagnostics.models import RegistrationState
from integrations.engine.conditions import ConditionStatus, ConditionType, set_condition
from integrations.kinds import get_kind
from integrations.models import Integration, ResourceNode
from integrations.models.engine import NodeStatus
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.clients import clients_for
from integrations.vendors.errors import VendorError
from integrations.vendors.synthflow import Call

logger = logging.getLogger(__name__)

#: call statuses that show Synthflow's SIP side took the call (`registered` is only a prepared call
#: and `failed`/`pending` show no SIP leg; statuses of GET /v2/calls/{call_id}, reference.json)
CONNECTED_CALL_STATUSES = frozenset({"in-progress", "completed", "hangup_on_voicemail", "left_voicemail"})
#: calls of the assistant read per evaluation while the first call is awaited
CALLS_READ = 20


class RegistrationReason(TextChoices):
    REGISTERED = "Registered", "Registered"
    NOT_PROVISIONED = "NotProvisioned", "Not provisioned"
    RESOURCES_NOT_READY = "ResourcesNotReady", "Resources not ready"
    AWAITING_CALL = "AwaitingFirstCall", "Unknown until a call arrives"
    VAPI_NUMBER_ACTIVATING = "VapiNumberActivating", "Vapi number activating"
    VAPI_NUMBER_BLOCKED = "VapiNumberBlocked", "Vapi number blocked"
    SIP_TARGET_DOWN = "SipTargetDown", "SIP target down"
    TRUNK_INACTIVE = "TrunkInactive", "Genesys trunk inactive"


class ComponentState(TextChoices):
    OK = "ok", "OK"
    PENDING = "pending", "Pending"
    PROBLEM = "problem", "Problem"
    #: not observed (not exposed by the vendor, not probed yet): shown, never blocks
    UNKNOWN = "unknown", "Not observed"


@dataclass(frozen=True)
class Component:
    """One row of the status panel: what, its state, the reason word and the sentence why."""

    name: str
    state: str
    reason: str
    message: str


def _since(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"


def _resources(nodes: list[ResourceNode]) -> Component:
    waiting = [n for n in nodes if n.status != NodeStatus.READY]
    if not waiting:
        return Component("Resources", ComponentState.OK, "Ready", f"All {len(nodes)} resources are ready.")
    shown = "; ".join(
        f"{n.node} {n.status}" + (f" ({n.message[:120]})" if n.message else "") for n in waiting
    )
    return Component(
        "Resources",
        ComponentState.PROBLEM,
        RegistrationReason.RESOURCES_NOT_READY,
        f"{len(waiting)} of {len(nodes)} resources are not ready: {shown}.",
    )


def _vapi_number(node: ResourceNode) -> Component:
    status = str(node.outputs.get("status") or "")
    name = "Vapi phone number"
    if status == "active":
        return Component(name, ComponentState.OK, "Active", "Vapi reports the number active.")
    if status == "activating":
        return Component(
            name, ComponentState.PENDING, RegistrationReason.VAPI_NUMBER_ACTIVATING, "Vapi is activating it."
        )
    if status == "blocked":
        return Component(
            name,
            ComponentState.PROBLEM,
            RegistrationReason.VAPI_NUMBER_BLOCKED,
            "Vapi reports the number blocked: it takes no calls (see the Vapi dashboard).",
        )
    return Component(name, ComponentState.UNKNOWN, "NotReported", f"Vapi reports status {status or 'none'}.")


def _termination_health(integration: Integration, connector: ResourceNode) -> Component:
    name = "Chime termination health"
    try:
        aws = clients_for({"aws": integration.aws_account}).aws
        health = ChimeVoice(aws).termination_health(connector.external_id)
    except VendorError as error:
        return Component(name, ComponentState.UNKNOWN, "NotObservable", f"Not observable: {error}")
    if not health.timestamp:
        return Component(
            name, ComponentState.UNKNOWN, "NoPing", "No OPTIONS ping has reached the termination."
        )
    return Component(
        name,
        ComponentState.OK,
        "Pinged",
        f"Last OPTIONS from {health.source} at {health.timestamp}.",
    )


def _genesys_trunk(node: ResourceNode) -> Component:
    state = str(node.outputs.get("state") or "")
    name = "Genesys trunk"
    if state == "active":
        return Component(name, ComponentState.OK, "Active", "Genesys reports the trunk active.")
    if state:
        return Component(
            name,
            ComponentState.PROBLEM,
            RegistrationReason.TRUNK_INACTIVE,
            f"Genesys reports the trunk {state}: it carries no calls.",
        )
    return Component(name, ComponentState.UNKNOWN, "NotReported", "The trunk's state was not observed.")


def _reachability(integration: Integration) -> Component:
    seen = reachability(integration)
    if seen.state == TargetState.UP:
        return Component("SIP reachability", ComponentState.OK, "Reachable", seen.message)
    if seen.state == TargetState.DOWN:
        return Component(
            "SIP reachability", ComponentState.PROBLEM, RegistrationReason.SIP_TARGET_DOWN, seen.message
        )
    return Component("SIP reachability", ComponentState.UNKNOWN, "NotProbedYet", seen.message)


def _synthflow_registration(
    integration: Integration, node: ResourceNode, state: RegistrationState, now: datetime
) -> Component:
    """Registered once Synthflow lists a call to the number for the assistant; unknown until then."""
    name = "Synthflow registration"
    number = str(node.outputs.get("phone_number") or "")
    model_id = str(node.outputs.get("model_id") or "")
    attached = parse_datetime(str(node.outputs.get("attached_at") or "")) or state.attached_at or now
    if state.attached_at != attached:
        # A new binding must be observed anew.
        state.attached_at, state.registered_at = attached, None
    unread = ""
    if state.registered_at is None:
        try:
            call = _first_connected_call(integration, model_id, number, attached)
        except VendorError as error:
            call, unread = None, f" Synthflow's call list could not be read: {error}."
        if call is not None:
            state.registered_at = _started(call) or now
    if state.registered_at is not None:
        return Component(
            name,
            ComponentState.OK,
            "Registered",
            f"Synthflow took a call to {number} at {state.registered_at.isoformat(timespec='seconds')}.",
        )
    return Component(
        name,
        ComponentState.PENDING,
        RegistrationReason.AWAITING_CALL,
        f"{number} became assistant {model_id}'s number {_since(attached, now)} ago, as Synthflow's API "
        f"shows; whether Synthflow takes calls on it is unknown until a call arrives.{unread}",
    )


def _first_connected_call(
    integration: Integration, model_id: str, number: str, since: datetime
) -> Call | None:
    """The first call to `number` since `since` that Synthflow lists as connected for the assistant."""
    if not model_id or integration.synthflow_account is None:
        return None
    client = clients_for({"synthflow": integration.synthflow_account}).synthflow
    calls = client.list_calls(model_id, since_ms=int(since.timestamp() * 1000), limit=CALLS_READ)
    connected = [c for c in calls if c.phone_number_to == number and c.call_status in CONNECTED_CALL_STATUSES]
    return min(connected, key=lambda c: c.start_time, default=None)


def _started(call: Call) -> datetime | None:
    """When the call started (`start_time` is milliseconds since the epoch, as digits)."""
    return datetime.fromtimestamp(int(call.start_time) / 1000, tz=UTC) if call.start_time.isdigit() else None


def evaluate_components(integration: Integration, state: RegistrationState) -> list[Component]:
    """Every component of the integration's registration, in the order the status panel shows them."""
    now = timezone.now()
    nodes = list(ResourceNode.objects.filter(integration=integration).exclude(status=NodeStatus.DELETED))
    if not nodes:
        return [
            Component(
                "Resources", ComponentState.PENDING, RegistrationReason.NOT_PROVISIONED, "Never applied."
            )
        ]
    by_type = {n.type: n for n in nodes}
    components = [_resources(nodes)]
    if (number := by_type.get("vapi.phone_number")) is not None and number.status == NodeStatus.READY:
        components.append(_vapi_number(number))
    connector = by_type.get("chime.voice_connector")
    if (
        integration.kind == IntegrationKind.CONNECT_SYNTHFLOW
        and connector is not None
        and connector.external_id
    ):
        components.append(_termination_health(integration, connector))
    if (trunk := by_type.get("genesys.trunk")) is not None:
        components.append(_genesys_trunk(trunk))
    components.append(_reachability(integration))
    bound = by_type.get("synthflow.assistant_number")
    if (
        get_kind(integration.kind).AGENT == AccountKind.SYNTHFLOW
        and bound is not None
        and bound.status == NodeStatus.READY
    ):
        components.append(_synthflow_registration(integration, bound, state, now))
    return components


def combine(components: list[Component]) -> tuple[str, str, str]:
    """The condition's (status, reason, message) from its components."""
    problems = [c for c in components if c.state == ComponentState.PROBLEM]
    if problems:
        return ConditionStatus.FALSE, problems[0].reason, " ".join(c.message for c in problems)
    pending = [c for c in components if c.state == ComponentState.PENDING]
    if pending:
        return ConditionStatus.UNKNOWN, pending[0].reason, " ".join(c.message for c in pending)
    notes = [f"{c.name}: {c.message}" for c in components if c.state == ComponentState.UNKNOWN]
    message = "Calls can get through." + (f" Not observed: {' '.join(notes)}" if notes else "")
    return ConditionStatus.TRUE, RegistrationReason.REGISTERED, message


def refresh_registration(integration: Integration) -> dict[str, Any]:
    """Evaluate the components, keep them for the status panel, and set the Registered condition."""
    state, _ = RegistrationState.objects.get_or_create(
        integration=integration, defaults={"tenant_id": integration.tenant_id}
    )
    components = evaluate_components(integration, state)
    status, reason, message = combine(components)
    state.components = [asdict(c) for c in components]
    state.evaluated_at = timezone.now()
    state.save()
    with transaction.atomic():
        locked = Integration.objects.select_for_update().only("conditions").get(pk=integration.pk)
        conditions = set_condition(
            list(locked.conditions or []), ConditionType.REGISTERED, status, reason, message
        )
        Integration.objects.filter(pk=integration.pk).update(conditions=conditions, updated_at=timezone.now())
    integration.conditions = conditions
    return next(c for c in conditions if c["type"] == ConditionType.REGISTERED)


def observe_after_run(integration: Integration, run_kind: str, *, changed: bool = True) -> None:
    """The engine's hook at the end of an apply or reconcile: Registered, then diagnostics when useful.

    Observability must never fail provisioning: an error here is logged, and the
    run keeps its own outcome.
    """
    from integrations.diagnostics.models import Trigger
    from integrations.diagnostics.runner import latest_report, run_diagnostics

    try:
        refresh_registration(integration)
        previous = latest_report(integration)
        # After apply always; after reconcile when it changed something or the last report had problems
        # (a healed problem must not linger), so a no-op pass costs no extra vendor reads.
        if run_kind == "apply" or changed or previous is None or previous.problems:
            trigger = Trigger.APPLY if run_kind == "apply" else Trigger.RECONCILE
            run_diagnostics(integration, trigger)
    except Exception:  # logged with its traceback; the run's outcome stands
        logger.exception(
            "registration/diagnostics after the %s of integration %s failed", run_kind, integration.pk
        )
