"""How integrations and their runs appear in dashboard tables: condition and run badges, summaries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from integrations.engine.conditions import ConditionStatus, ConditionType
from integrations.models.engine import RunState

# Badge colours (static/css/patchbay.css): a condition that holds is green, one
# that fails is red, one in progress or undecided is amber, one never reported grey.
STATUS_COLOURS: dict[str, str] = {
    ConditionStatus.TRUE: "green",
    ConditionStatus.FALSE: "red",
    ConditionStatus.UNKNOWN: "amber",
}
RUN_COLOURS: dict[str, str] = {
    RunState.QUEUED: "grey",
    RunState.RUNNING: "amber",
    RunState.SUCCEEDED: "green",
    RunState.FAILED: "red",
}


@dataclass(frozen=True)
class ConditionBadge:
    """One condition as a badge: type, colour, and the reason and message for its tooltip."""

    type: str
    status: str
    colour: str
    reason: str
    message: str
    last_transition_time: str


def condition_badges(conditions: Sequence[Mapping[str, Any]]) -> list[ConditionBadge]:
    """Ready, Synced and Registered in that order (grey when not reported yet), then any others."""
    by_type = {str(c.get("type")): c for c in conditions if isinstance(c, Mapping)}
    order = [*ConditionType.values, *sorted(set(by_type) - set(ConditionType.values))]
    badges = []
    for type_ in order:
        condition = by_type.get(type_)
        if condition is None:
            badges.append(ConditionBadge(type_, "", "grey", "NotReported", "Not reported yet.", ""))
            continue
        status = str(condition.get("status", ""))
        badges.append(
            ConditionBadge(
                type=type_,
                status=status,
                colour=STATUS_COLOURS.get(status, "grey"),
                reason=str(condition.get("reason", "")),
                message=str(condition.get("message", "")),
                last_transition_time=str(condition.get("last_transition_time", "")),
            )
        )
    return badges


def run_colour(state: str | None) -> str:
    """Badge colour of a run state."""
    return RUN_COLOURS.get(state, "grey") if state else "grey"


def settings_summary(settings: Mapping[str, Any]) -> str:
    """A provider account's settings on one line: `region=us-east-1 · role_arn=...`."""
    return " · ".join(f"{key}={value}" for key, value in settings.items() if value not in ("", None))
