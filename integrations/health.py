"""One honest health per integration: conditions, probes, diagnostics and recent calls, in words.

An admin should not have to read three badges, a probe table and a findings list to
know whether calls get through. `rollup()` turns what Patchbay knows about an
integration into one status with the reason in words:

- **Down** — calls cannot get through: a teardown was requested, the last apply
  failed, Registered is False, or every SIP target stopped answering OPTIONS.
- **Degraded** — calls may fail or are unobserved: the last call failed, diagnostics
  report problems, a SIP target is down, or the vendor objects drifted.
- **Unknown** — not applied yet, an apply is still under way, or no call yet.
- **Healthy** — applied, nothing wrong, and the last call was answered.

The most serious reason is the headline; every reason is kept in `details`.
`rollup()` is pure (unit-tested on its own); `health_for()` and
`health_for_many()` read its inputs from the database, the latter in a fixed
number of queries for the list and the fleet overview.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery

from calls.choices import TargetState
from calls.models import SipCall, SipTarget
from integrations.diagnostics.models import DiagnosticReport
from integrations.engine.conditions import ConditionStatus, ConditionType, get_condition
from integrations.models import Integration
from integrations.models.engine import ACTIVE_RUN_STATES, Run


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"
    UNKNOWN = "unknown", "Unknown"


#: badge colour of each status (the words always go with it: colour is never the only signal)
HEALTH_COLOURS = {
    HealthStatus.HEALTHY: "green",
    HealthStatus.DEGRADED: "amber",
    HealthStatus.DOWN: "red",
    HealthStatus.UNKNOWN: "grey",
}
#: most serious first: the order of the fleet overview and of "needs attention"
SEVERITY_ORDER = [HealthStatus.DOWN, HealthStatus.DEGRADED, HealthStatus.UNKNOWN, HealthStatus.HEALTHY]
#: the reason shown when nothing is wrong but no call has been seen yet
NO_CALL_YET = "no call yet"


@dataclass(frozen=True)
class TargetSignal:
    """One SIP target's reachability after hysteresis."""

    name: str  # e.g. "Vapi credential SIP host (sip.vapi.ai:5060)"
    state: str  # calls.choices.TargetState


@dataclass(frozen=True)
class CallSignal:
    """The outcome of one call."""

    final_status: int | None
    reason: str
    started_at: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.final_status is None or self.final_status >= 300


@dataclass(frozen=True)
class Signals:
    """Everything the rollup weighs for one integration."""

    conditions: Sequence[Mapping[str, Any]] = ()
    deleting: bool = False
    targets: Sequence[TargetSignal] = ()
    #: the latest diagnostics report's findings whose status is "problem"
    problems: Sequence[Mapping[str, Any]] = ()
    last_call: CallSignal | None = None
    #: kind of the queued or running run, if any
    active_run: str = ""


@dataclass(frozen=True)
class Health:
    """An integration's health: a status, the headline reason in words, and every reason found."""

    status: str
    reason: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """`Healthy`, or the status and its reason: `Degraded: the last call failed 401 — …`."""
        title = HealthStatus(self.status).label
        return f"{title}: {self.reason}" if self.reason else title

    @property
    def colour(self) -> str:
        return HEALTH_COLOURS[HealthStatus(self.status)]

    @property
    def needs_attention(self) -> bool:
        return self.status in (HealthStatus.DOWN, HealthStatus.DEGRADED)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "label": self.label,
            "reason": self.reason,
            "details": list(self.details),
        }


def _sentence(text: str) -> str:
    """A vendor or condition message as a clause: no trailing full stop."""
    return " ".join(str(text).split()).rstrip(".")


def call_text(call: CallSignal) -> str:
    """`the last call failed 401 — the source IP is not on Vapi's allow list`."""
    if call.final_status is None:
        head = "the last call got no final answer"
    else:
        head = f"the last call failed {call.final_status}"
    return f"{head} — {_sentence(call.reason)}" if call.reason.strip() else head


def _problem_text(problems: Sequence[Mapping[str, Any]]) -> str:
    first = _sentence(str(problems[0].get("message") or problems[0].get("title") or "a check failed"))
    if len(problems) == 1:
        return f"diagnostics found a problem — {first}"
    return f"diagnostics found {len(problems)} problems — {first}; and {len(problems) - 1} more"


def rollup(signals: Signals) -> Health:
    """The one status of an integration, from what Patchbay knows about it (see the module docstring)."""
    conditions = [dict(condition) for condition in signals.conditions]
    ready = get_condition(conditions, ConditionType.READY)
    synced = get_condition(conditions, ConditionType.SYNCED)
    registered = get_condition(conditions, ConditionType.REGISTERED)

    if signals.deleting:
        return Health(HealthStatus.DOWN, "a teardown was requested; calls through it stop working")
    if ready is None:
        if signals.active_run:
            return Health(HealthStatus.UNKNOWN, f"the first {signals.active_run} is under way")
        return Health(HealthStatus.UNKNOWN, "not applied yet")

    down: list[str] = []
    degraded: list[str] = []
    if ready.get("status") == ConditionStatus.FALSE:
        message = _sentence(ready.get("message") or "")
        down.append(f"the last apply failed — {message}" if message else "the last apply failed")
    if registered is not None and registered.get("status") == ConditionStatus.FALSE:
        down.append(_sentence(registered.get("message") or registered.get("reason") or "not registered"))
    targets = list(signals.targets)
    down_targets = [t.name for t in targets if t.state == TargetState.DOWN]
    if targets and len(down_targets) == len(targets):
        down.append(f"no SIP target answers OPTIONS ({', '.join(down_targets)})")
    elif down_targets:
        degraded.append(f"{', '.join(down_targets)} does not answer OPTIONS")
    if signals.last_call is not None and signals.last_call.failed:
        degraded.append(call_text(signals.last_call))
    if signals.problems:
        degraded.append(_problem_text(signals.problems))
    if synced is not None and synced.get("status") == ConditionStatus.FALSE and not down:
        what = _sentence(synced.get("message") or "")
        degraded.append(f"vendor objects drifted from the plan — {what}" if what else "not in sync")

    details = tuple(down + degraded)
    if down:
        return Health(HealthStatus.DOWN, down[0], details)
    if degraded:
        return Health(HealthStatus.DEGRADED, degraded[0], details)
    if ready.get("status") != ConditionStatus.TRUE:
        if signals.active_run:
            return Health(HealthStatus.UNKNOWN, f"a {signals.active_run} is under way")
        return Health(HealthStatus.UNKNOWN, _sentence(ready.get("message") or "not ready yet"))
    if signals.last_call is None:
        return Health(HealthStatus.UNKNOWN, NO_CALL_YET)
    return Health(HealthStatus.HEALTHY)


# --- reading the signals --------------------------------------------------------------------


def _target_name(target: SipTarget) -> str:
    address = f"{target.host}:{target.port}"
    return f"{target.label} ({address})" if target.label else address


def _latest_per_integration(
    queryset: models.QuerySet, ids: list[Any], order: Sequence[str]
) -> dict[Any, Any]:
    """The newest row of `queryset` per integration id, in one query."""
    newest = queryset.filter(integration=OuterRef("integration")).order_by(*order).values("pk")[:1]
    rows = queryset.filter(integration__in=ids, pk=Subquery(newest))
    return {row.integration_id: row for row in rows}


def health_for_many(integrations: Iterable[Integration]) -> dict[Any, Health]:
    """Integration pk → its health, in four queries whatever the number of integrations."""
    rows = list(integrations)
    ids = [row.pk for row in rows]
    if not ids:
        return {}
    targets: dict[Any, list[TargetSignal]] = {}
    for target in SipTarget.objects.filter(integration__in=ids):
        targets.setdefault(target.integration_id, []).append(TargetSignal(_target_name(target), target.state))
    reports = _latest_per_integration(DiagnosticReport.objects.all(), ids, ("-created_at", "-id"))
    calls = _latest_per_integration(SipCall.objects.all(), ids, ("-started_at", "-id"))
    active = dict(
        Run.objects.filter(integration__in=ids, state__in=ACTIVE_RUN_STATES).values_list(
            "integration_id", "kind"
        )
    )
    result = {}
    for integration in rows:
        report = reports.get(integration.pk)
        call = calls.get(integration.pk)
        result[integration.pk] = rollup(
            Signals(
                conditions=list(integration.conditions or []),
                deleting=integration.deleting,
                targets=targets.get(integration.pk, []),
                problems=report.problems if report else [],
                last_call=CallSignal(call.final_status, call.reason, call.started_at) if call else None,
                active_run=active.get(integration.pk, ""),
            )
        )
    return result


def health_for(integration: Integration) -> Health:
    """One integration's health."""
    return health_for_many([integration])[integration.pk]


def open_problems(integration: Integration) -> list[dict[str, Any]]:
    """The latest diagnostics report's problems (for the integration page's summary)."""
    report = DiagnosticReport.objects.filter(integration=integration).first()
    return list(report.problems) if report else []
