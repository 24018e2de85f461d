"""Run an integration's checks and keep the report (after apply, after a healing reconcile, on demand)."""

from __future__ import annotations

import logging

from integrations.diagnostics.checks import checks_for
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.diagnostics.models import DiagnosticReport, Trigger
from integrations.models import Integration
from integrations.vendors.errors import VendorError

logger = logging.getLogger(__name__)

#: reports kept per integration (the latest is what the API and the dashboard show)
REPORTS_KEPT = 20


def evaluate_checks(integration: Integration) -> list[Finding]:
    """Every applicable check's finding; a check that cannot decide says why instead of failing."""
    ctx = CheckContext(integration)
    findings: list[Finding] = []
    for check in checks_for(integration.kind):
        try:
            findings.extend(check.evaluate_all(ctx))
        except CheckSkipped as skipped:
            findings.append(check.unknown(str(skipped)))
        except LookupError as missing:  # the integration lacks the provider account the check reads
            findings.append(check.unknown(f"Cannot read the vendor: {missing}."))
        except VendorError as error:
            # Vendor errors carry no secrets (integrations/vendors/errors.py); the message says which call.
            findings.append(check.unknown(f"Reading the vendor failed: {error}"))
    return findings


def run_diagnostics(integration: Integration, trigger: str = Trigger.MANUAL) -> DiagnosticReport:
    """Run the checks now and store the report (older ones beyond `REPORTS_KEPT` go)."""
    findings = evaluate_checks(integration)
    report = DiagnosticReport.objects.create(
        tenant_id=integration.tenant_id,
        integration=integration,
        trigger=trigger,
        findings=[finding.as_json() for finding in findings],
    )
    stale = DiagnosticReport.objects.filter(integration=integration).values_list("pk", flat=True)[
        REPORTS_KEPT:
    ]
    DiagnosticReport.objects.filter(pk__in=list(stale)).delete()
    problems = [f.check for f in findings if f.status == "problem"]
    if problems:
        logger.info("diagnostics of integration %s found: %s", integration.pk, ", ".join(problems))
    return report


def latest_report(integration: Integration) -> DiagnosticReport | None:
    """The newest report of an integration, if any."""
    return DiagnosticReport.objects.filter(integration=integration).first()
