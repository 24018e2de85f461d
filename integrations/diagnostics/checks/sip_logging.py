"""Connect kinds: without the connector's SIP logs there are no call ladders (AWS.md §1.2)."""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding, Severity
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.aws.logs import sip_log_group


class SipLogging(Check):
    name = "sip-logging"
    title = "Connector SIP message logging is on"
    kinds = (IntegrationKind.CONNECT_VAPI, IntegrationKind.CONNECT_SYNTHFLOW)
    severity = Severity.WARNING
    fix = "Apply the integration: Patchbay turns EnableSIPLogs back on (needed for call ladders)."

    def evaluate(self, ctx: CheckContext) -> Finding:
        connector = ctx.require("chime.voice_connector", "Voice Connector")
        config = ChimeVoice(ctx.clients.aws).logging_configuration(connector.external_id)
        enabled = config is not None and config.sip_logs
        evidence = f"EnableSIPLogs={enabled} on {connector.external_id}"
        if not enabled:
            return self.problem(
                "SIP logging is off: no SIP messages reach CloudWatch, so no call ladder can be drawn.",
                evidence,
            )
        return self.ok(f"SIP messages go to {sip_log_group(connector.external_id)}.", evidence)
