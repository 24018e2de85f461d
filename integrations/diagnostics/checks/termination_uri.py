"""Synthflow's number must send its calls back to the contact center, not to Synthflow.

connect_synthflow: the termination URI is the connector's outbound host name;
genesys_synthflow: the trunk's BYOC FQDN `<identifier>.byoc.<region domain>`
(PROVIDERS.md §1.2, §4.2). The seed guides warn that `sip.synthflow.ai` is the
usual mistake: the call then loops into Synthflow and fails.
"""

from __future__ import annotations

from integrations.choices import GENESYS_ENV_DOMAINS, IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.checks.synthflow_number import configured_number, synthflow_number
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding
from integrations.diagnostics.sip_uri import sip_host


def byoc_fqdn(identifier: str, region: str) -> str:
    """The inbound FQDN of a BYOC Cloud trunk (PROVIDERS.md §4.2)."""
    return f"{identifier}.byoc.{GENESYS_ENV_DOMAINS.get(region, GENESYS_ENV_DOMAINS['us_east_1'])}".lower()


class TerminationUri(Check):
    name = "termination-uri"
    title = "Synthflow number's termination URI points back at the contact center"
    kinds = (IntegrationKind.CONNECT_SYNTHFLOW, IntegrationKind.GENESYS_SYNTHFLOW)

    def _expected(self, ctx: CheckContext) -> tuple[str, str]:
        if ctx.integration.kind == IntegrationKind.CONNECT_SYNTHFLOW:
            connector = ctx.require("chime.voice_connector", "Voice Connector")
            host = str(connector.outputs.get("host") or "")
            if not host:
                raise CheckSkipped("The connector's outbound host name is not known yet: apply first.")
            return host.lower(), "the Voice Connector's outbound host name"
        # The trunk's own FQDN output knows the org's platform (classic or Dynamic Cloud Voice domain).
        trunk = ctx.node_of_type("genesys.trunk")
        if trunk is not None and (trunk.outputs or {}).get("fqdn"):
            return str(trunk.outputs["fqdn"]).lower(), "the Genesys BYOC trunk's FQDN"
        identifier = str(ctx.config.get("inbound_identifier") or "")
        region = ctx.account_setting("genesys", "region", "us_east_1")
        return byoc_fqdn(identifier, region), "the Genesys BYOC trunk's FQDN"

    def evaluate(self, ctx: CheckContext) -> Finding:
        expected, what = self._expected(ctx)
        number = synthflow_number(ctx)
        if number is None:
            raise CheckSkipped(f"{configured_number(ctx)} is not imported into Synthflow yet: apply first.")
        actual = sip_host(number.termination_uri) if number.termination_uri else ""
        shown = number.termination_uri or "(none)"
        evidence = f"termination URI of {number.phone_number}: {shown}; expected {expected}"
        fix = f"Apply the integration (Patchbay sets it to {expected}), or set it in Synthflow to {expected}."
        if actual.endswith("synthflow.ai"):
            return self.problem(
                f"The termination URI points at Synthflow itself ({actual}) instead of {what}: "
                "Synthflow's calls back to the contact center loop and fail.",
                evidence,
                fix,
            )
        if actual != expected:
            return self.problem(
                f"The termination URI is {actual or 'empty'}, not {what} ({expected}).", evidence, fix
            )
        return self.ok(f"The termination URI is {what}.", evidence)
