"""Connect kinds: the connector's origination must send calls to the right far end.

connect_vapi: the route host must be the credential's own domain
(`<credential id>.sip.vapi.ai`, PROVIDERS.md §2.5), else Vapi cannot tie the call
to the credential (404). connect_synthflow: Synthflow's SIP host of the workspace
region on 32681 (PROVIDERS.md §1.6), else the INVITE goes nowhere (408).
"""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding
from integrations.diagnostics.sip_uri import sip_host
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.synthflow import SIP_HOSTS, SIP_PORT


class OriginationTarget(Check):
    name = "origination-target"
    title = "Connector origination points at the voice-AI SIP host"
    kinds = (IntegrationKind.CONNECT_VAPI, IntegrationKind.CONNECT_SYNTHFLOW)
    fix = "Reconcile or apply the integration: Patchbay puts the origination route back."

    def _expected(self, ctx: CheckContext) -> tuple[str, int | None]:
        if ctx.integration.kind == IntegrationKind.CONNECT_VAPI:
            credential = ctx.require("vapi.credential", "Vapi credential")
            host = str(
                credential.outputs.get("sip_host") or ctx.clients.vapi.sip_host(credential.external_id)
            )
            return host.lower(), None
        region = ctx.account_setting("synthflow", "region", "global")
        return SIP_HOSTS.get(region, SIP_HOSTS["global"]), SIP_PORT

    def evaluate(self, ctx: CheckContext) -> Finding:
        connector = ctx.require("chime.voice_connector", "Voice Connector")
        expected_host, expected_port = self._expected(ctx)
        origination = ChimeVoice(ctx.clients.aws).origination(connector.external_id)
        if origination is None:
            return self.problem(
                "The connector has no origination: calls never leave Chime.",
                evidence=f"GetVoiceConnectorOrigination {connector.external_id}: not found",
            )
        routes = origination.routes
        shown = (
            ", ".join(f"{r.get('Host')}:{r.get('Port', 5060)}/{r.get('Protocol')}" for r in routes) or "none"
        )
        evidence = f"routes: {shown}; expected host {expected_host}" + (
            f":{expected_port}" if expected_port else ""
        )
        if origination.disabled:
            return self.problem(
                "The connector's origination is disabled: no call reaches the far end.", evidence
            )
        wrong = [
            r
            for r in routes
            if sip_host(str(r.get("Host", ""))) != expected_host
            or (expected_port is not None and int(r.get("Port") or 5060) != expected_port)
        ]
        if not routes or wrong:
            return self.problem(
                f"The origination does not route to {expected_host}: calls fail before the assistant.",
                evidence,
            )
        return self.ok(f"Every origination route goes to {expected_host}.", evidence)
