"""Synthflow kinds: the number must be bound to the configured inbound assistant (PROVIDERS.md §1.2, §1.4);
an unbound or unknown number makes Synthflow answer the INVITE with 404."""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.checks.synthflow_number import configured_number, synthflow_number
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding
from integrations.vendors.errors import NotFound


class NumberBoundToInboundAssistant(Check):
    name = "number-bound"
    title = "Number bound to an inbound assistant"
    kinds = (
        IntegrationKind.CONNECT_SYNTHFLOW,
        IntegrationKind.GENESYS_SYNTHFLOW,
        IntegrationKind.TWILIO_SYNTHFLOW,
    )
    fix = "Apply the integration: Patchbay imports the number and attaches it to the inbound assistant."

    def evaluate(self, ctx: CheckContext) -> Finding:
        wanted = str(ctx.config.get("synthflow_assistant_id") or "")
        number = synthflow_number(ctx)
        if number is None:
            return self.problem(
                f"{configured_number(ctx)} is not imported into the Synthflow workspace: its calls get 404.",
                evidence="GET /v2/numbers/{slug}: not found",
            )
        bound = ", ".join(number.assistant_ids) or "none"
        evidence = f"{number.phone_number} assistants: {bound}; configured {wanted}"
        if not number.assistant_ids:
            return self.problem(
                f"{number.phone_number} is not bound to any assistant: Synthflow answers its calls with 404.",
                evidence,
            )
        try:
            assistant = ctx.clients.synthflow.get_assistant(wanted)
        except NotFound:
            return self.problem(
                f"The configured assistant {wanted} does not exist in Synthflow.",
                evidence,
                fix="Pick an existing inbound assistant in the integration's config, then apply.",
            )
        if assistant.type != "inbound":
            return self.problem(
                f"The assistant {assistant.name or wanted} is a {assistant.type or 'non-inbound'} assistant: "
                "only an inbound assistant answers calls to a number.",
                evidence,
                fix="Choose an inbound assistant in the integration's config, then apply.",
            )
        if wanted not in number.assistant_ids:
            return self.problem(
                f"{number.phone_number} is bound to another assistant, not {assistant.name or wanted}.",
                evidence,
            )
        return self.ok(
            f"{number.phone_number} is bound to the inbound assistant {assistant.name or wanted}.", evidence
        )
