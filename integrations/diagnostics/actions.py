"""State changes of the diagnostics app (one home each, audited): running the checks on demand."""

from __future__ import annotations

from django.db import models

from integrations.diagnostics.models import DiagnosticReport, Trigger
from integrations.diagnostics.runner import run_diagnostics
from integrations.models import Integration
from tenants.audit import Actor, record_audit


class DiagnosticsAuditAction(models.TextChoices):
    """Audit actions of diagnostics (the audit log's `action` is namespaced per app)."""

    DIAGNOSTICS_RUN = "diagnostics.run", "Diagnostics run"


def run_diagnostics_now(integration: Integration, *, actor: Actor) -> DiagnosticReport:
    """Run the integration's checks now (dashboard button or API) and audit who asked and what was found."""
    report = run_diagnostics(integration, Trigger.MANUAL)
    record_audit(
        actor,
        DiagnosticsAuditAction.DIAGNOSTICS_RUN,
        integration,
        diff={"problems": [None, [f["check"] for f in report.problems]]},
    )
    return report
