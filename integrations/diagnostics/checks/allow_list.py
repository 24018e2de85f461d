"""Synthflow kinds with a carrier allow list: it must hold every Synthflow signalling CIDR of the region,
and never allow everyone (PROVIDERS.md §1.9; DESIGN §1: never "allow all").

connect_synthflow reads the connector's termination `CidrAllowedList`; genesys_synthflow
reads the trunk's `trunk_access_acl_allowList` as the trunk node last observed it.
"""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.diagnostics.sip_uri import allows_all, uncovered
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.synthflow import SIGNALLING_CIDRS

#: output keys under which a Genesys trunk node may publish its allow list
TRUNK_ALLOW_LIST_KEYS = ("trunk_access_acl_allowList", "allow_list", "acl_allow_list", "ip_allow_list")


class SynthflowAllowList(Check):
    name = "allow-list"
    title = "Allow list holds Synthflow's signalling CIDRs, and only what it needs"
    kinds = (IntegrationKind.CONNECT_SYNTHFLOW, IntegrationKind.GENESYS_SYNTHFLOW)
    fix = "Apply the integration: Patchbay sets the allow list to Synthflow's signalling CIDRs of the region."

    def _allowed(self, ctx: CheckContext) -> tuple[list[str], str]:
        if ctx.integration.kind == IntegrationKind.CONNECT_SYNTHFLOW:
            connector = ctx.require("chime.voice_connector", "Voice Connector")
            termination = ChimeVoice(ctx.clients.aws).termination(connector.external_id)
            if termination is None:
                return [], "the connector has no termination"
            return list(termination.cidr_allowed_list), "the connector's termination allow list"
        trunk = next((n for n in ctx.nodes if n.type.startswith("genesys.") and "trunk" in n.type), None)
        if trunk is None:
            raise CheckSkipped("The Genesys trunk is not provisioned yet: apply the integration first.")
        for key in TRUNK_ALLOW_LIST_KEYS:
            if key in trunk.outputs:
                value = trunk.outputs[key]
                return (
                    list(value) if isinstance(value, list | tuple) else [value]
                ), "the trunk's IP allow list"
        raise CheckSkipped("The trunk's IP allow list was not observed (the trunk node does not publish it).")

    def evaluate(self, ctx: CheckContext) -> Finding:
        allowed, where = self._allowed(ctx)
        region = ctx.account_setting("synthflow", "region", "global")
        required = SIGNALLING_CIDRS.get(region, SIGNALLING_CIDRS["global"])
        shown = ", ".join(allowed) or "(empty)"
        evidence = f"{where}: {shown}; Synthflow {region} signalling: {', '.join(required)}"
        wide = allows_all(allowed)
        if wide:
            return self.problem(
                f"{where.capitalize()} allows everyone ({', '.join(wide)}): anyone may send calls.",
                evidence,
            )
        missing = uncovered(required, allowed)
        if missing:
            return self.problem(
                f"{where.capitalize()} misses Synthflow signalling CIDRs {', '.join(missing)}: "
                "Synthflow's calls from them are refused.",
                evidence,
            )
        return self.ok(
            f"{where.capitalize()} holds Synthflow's {region} signalling CIDRs and nothing wider.", evidence
        )
