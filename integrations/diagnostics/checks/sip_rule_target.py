"""connect_vapi: the SIP rule must hand the Chime number's calls to Patchbay's SIP media application.

Connect transfers the caller to the Chime number; only an enabled ToPhoneNumber
rule for that number whose first target is our SIP media application makes
Chime invoke the SMA handler (AWS.md §1.5). A disabled rule, another trigger or
another application means the calls never reach the Lambda: the transfer fails.
"""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding
from integrations.vendors.aws.chime_sip import ChimeSip, SipRuleTarget


def _first_target(targets: tuple[SipRuleTarget, ...]) -> str:
    ordered = sorted(targets, key=lambda t: t.priority or 0)
    return str(ordered[0].sip_media_application_id or "") if ordered else ""


class SipRuleTargetsSma(Check):
    name = "sip-rule-target"
    title = "SIP rule sends the number's calls to the SIP media application"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = (
        "Apply the integration: Patchbay puts the SIP rule back (enabled, ToPhoneNumber of the Chime "
        "number, first target its SIP media application)."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        rule_node = ctx.require("chime.sip_rule", "SIP rule")
        application = ctx.require("chime.sip_media_application", "SIP media application").external_id
        number = str(ctx.require("chime.phone_number", "Chime phone number").outputs.get("e164") or "")
        rule = ChimeSip(ctx.clients.aws).sip_rule(rule_node.external_id)
        if rule is None:
            return self.problem(
                "The SIP rule no longer exists: calls to the Chime number reach no SIP media application.",
                evidence=f"GetSipRule {rule_node.external_id}: not found",
            )
        targets = rule.targets
        shown = ", ".join(f"{t.sip_media_application_id} (priority {t.priority})" for t in targets)
        evidence = (
            f"rule {rule_node.external_id}: Disabled={rule.disabled}, "
            f"{rule.trigger_type}={rule.trigger_value}, targets: {shown or 'none'}; "
            f"expected ToPhoneNumber={number}, target {application}"
        )
        if rule.disabled:
            return self.problem(
                "The SIP rule is disabled: calls to the Chime number never reach the SMA Lambda.", evidence
            )
        if rule.trigger_type != "ToPhoneNumber" or (number and rule.trigger_value != number):
            return self.problem(
                f"The SIP rule does not trigger on the Chime number {number}: the calls Connect transfers "
                "there never reach the SMA Lambda.",
                evidence,
            )
        first = _first_target(targets)
        if first != application:
            return self.problem(
                f"The SIP rule's first target is {first or 'nothing'}, not Patchbay's SIP media application "
                f"{application}: the calls never reach the SMA Lambda.",
                evidence,
            )
        return self.ok(f"Calls to {number} go to the SIP media application {application}.", evidence)
