"""twilio_synthflow: webhook requests refused for a bad X-Twilio-Signature in the last hour.

Refusals mean either someone else is calling the webhook, or Twilio signs with
another auth token or URL than Patchbay checks (a rotated token not saved in
Patchbay, or PUBLIC_BASE_URL not the address Twilio calls); either way the
calls get 403 and never reach Synthflow.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding, Severity
from integrations.models import TwilioCallEvent, TwilioEventKind

WINDOW = timedelta(hours=1)


class WebhookSignatureFailures(Check):
    name = "webhook-signatures"
    title = "No webhook signature failures in the last hour"
    kinds = (IntegrationKind.TWILIO_SYNTHFLOW,)
    severity = Severity.WARNING
    fix = (
        "Save the Twilio account's current auth token in Patchbay, and make PUBLIC_BASE_URL the address "
        "Twilio calls (behind a proxy, configure the forwarded headers)."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        since = timezone.now() - WINDOW
        refused = TwilioCallEvent.objects.filter(
            integration=ctx.integration, kind=TwilioEventKind.SIGNATURE_REJECTED, at__gte=since
        )
        count = refused.count()
        if not count:
            return self.ok("No webhook request was refused for its signature in the last hour.")
        last = refused.order_by("-at").first()
        reason = str((last.params or {}).get("reason") or "") if last else ""
        evidence = (
            f"{count} refused in the last hour; latest at {last.at:%Y-%m-%d %H:%M:%S} UTC" if last else ""
        )
        if reason:
            evidence += f" ({reason})"
        return self.problem(
            f"{count} webhook request(s) were refused with 403 for a bad or missing X-Twilio-Signature in "
            "the last hour: those calls never reached Synthflow.",
            evidence,
        )
