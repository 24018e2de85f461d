"""`{% status_panels integration %}`: the integration page's status panel (Registered, its components,
probe history per SIP target) and diagnostics panel (latest findings with their fixes, run now)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from calls.probes import probe_panel_context
from integrations.diagnostics.models import RegistrationState
from integrations.diagnostics.runner import latest_report
from integrations.engine.conditions import ConditionType, get_condition
from integrations.tables import STATUS_COLOURS

if TYPE_CHECKING:
    from integrations.models import Integration

register = template.Library()

#: probe results shown under the status panel (the probes page has the full history)
PROBE_HISTORY_SHOWN = 10
COMPONENT_COLOURS = {"ok": "green", "pending": "amber", "problem": "red", "unknown": "grey"}
FINDING_COLOURS = {"ok": "green", "unknown": "grey"}
SEVERITY_COLOURS = {"error": "red", "warning": "amber", "info": "grey"}


def _finding_rows(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {"problem": 0, "unknown": 1, "ok": 2}
    rows = []
    for finding in sorted(findings, key=lambda f: order.get(str(f.get("status")), 3)):
        status = str(finding.get("status"))
        colour = FINDING_COLOURS.get(status) or SEVERITY_COLOURS.get(str(finding.get("severity")), "red")
        rows.append({**finding, "colour": colour})
    return rows


@register.inclusion_tag("diagnostics/panels.html", takes_context=True)
def status_panels(context: template.Context, integration: Integration) -> dict[str, Any]:
    """Both panels for `integration` (already scoped to the tenant by the page that shows it)."""
    return panels_context(context, integration)


@register.inclusion_tag("diagnostics/registration_panel.html", takes_context=True)
def registration_panel(context: template.Context, integration: Integration) -> dict[str, Any]:
    """The Registered condition and its components, without the probe history (shown on its own)."""
    return {**panels_context(context, integration), "without_probes": True}


@register.inclusion_tag("diagnostics/diagnostics_panel.html", takes_context=True)
def diagnostics_panel(context: template.Context, integration: Integration) -> dict[str, Any]:
    """The latest diagnostics report's findings with their fixes, and "Run diagnostics"."""
    return panels_context(context, integration)


def panels_context(context: template.Context, integration: Integration) -> dict[str, Any]:
    """What the registration and diagnostics panels show."""
    registered = get_condition(list(integration.conditions or []), ConditionType.REGISTERED)
    state = RegistrationState.objects.filter(integration=integration).first()
    report = latest_report(integration)
    findings = _finding_rows(list(report.findings)) if report else []
    problems = [f for f in findings if f.get("status") == "problem"]
    return {
        "integration": integration,
        "registered": registered,
        "registered_colour": STATUS_COLOURS.get(registered["status"], "grey") if registered else "grey",
        "components": [
            {**c, "colour": COMPONENT_COLOURS.get(str(c.get("state")), "grey")}
            for c in (state.components if state else [])
        ],
        "evaluated_at": state.evaluated_at if state else None,
        "probes": probe_panel_context(integration, history=PROBE_HISTORY_SHOWN),
        "report": report,
        "findings": findings,
        "problem_count": len(problems),
        "can_operate": context.get("can_operate", False),
        "csrf_token": context.get("csrf_token"),
    }
