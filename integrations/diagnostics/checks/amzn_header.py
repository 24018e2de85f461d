"""connect_vapi: no contact attribute may become an `x-amzn...` SIP header.

Chime reserves `X-AMZN` headers: a CallAndBridge carrying one fails with
InvalidActionParameter and the call is dropped (AWS.md §3.3). Patchbay's SMA
handler drops such headers before bridging (integrations/lambdas/sip_headers.py),
so with its code the attribute is silently never forwarded; with other code
deployed in its place, the call fails. Where a reserved header can come from:
the integration's `forward_attributes`, the deployed connect handler's
FORWARD_ATTRIBUTES (what it really stores), and the deployed SMA handler's
environment (a variable naming such a header for a handler that is not ours).
"""

from __future__ import annotations

import re

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped, Finding, Severity
from integrations.diagnostics.lambda_config import DeployedFunction, deployed_function

RESERVED_PREFIX = "x-amzn"
_INVALID = re.compile(r"[^a-z0-9-]+")
_NAMED_HEADER = re.compile(r"x-amzn[a-z0-9-]*", re.IGNORECASE)


def reserved_header(attribute: str) -> str | None:
    """The `x-amzn...` header an attribute name would be sent as, or None when it is not reserved."""
    lowered = attribute.strip().lower()
    # As the SMA handler folds it (sip_headers.header_name), else as the config validator names it.
    candidates = ("x-" + _INVALID.sub("-", lowered).strip("-"), f"x-{lowered}")
    return next((h for h in candidates if h.startswith(RESERVED_PREFIX)), None)


def _forwarded(names: list[str], where: str) -> list[str]:
    return [f"{where}: {name!r} → {reserved_header(name)}" for name in names if reserved_header(name)]


class AmznHeaderConfigured(Check):
    name = "x-amzn-header"
    title = "No attribute is sent as a reserved x-amzn SIP header"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = (
        "Rename the contact attribute (e.g. drop the 'amzn' prefix) and remove it from forward_attributes, "
        "then apply the integration: Patchbay redeploys both Lambdas with its own code and environment."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        configured = [str(n) for n in ctx.config.get("forward_attributes") or []]
        sources = _forwarded(configured, "config forward_attributes")
        try:
            connect = deployed_function(ctx, "connect_lambda", "connect_handler", "connect handler Lambda")
            sma = deployed_function(ctx, "sma_lambda", "sma_handler", "SMA handler Lambda")
        except CheckSkipped as skipped:
            if sources:  # the configuration alone already names a reserved header
                return self._problem(sources, sma=None)
            raise CheckSkipped(f"{skipped} The configuration names no x-amzn header.") from None
        if connect.exists:
            deployed = connect.environment.get("FORWARD_ATTRIBUTES", "").split(",")
            sources += _forwarded([n for n in deployed if n.strip()], f"{connect.name} FORWARD_ATTRIBUTES")
        if sma.exists:
            for variable, value in sorted(sma.environment.items()):
                headers = sorted({h.lower() for h in _NAMED_HEADER.findall(f"{variable}={value}")})
                # Only the variable and the header names: other values may be the customer's secrets.
                sources += [f"{sma.name} environment {variable}: names {h}" for h in headers]
        if sources:
            return self._problem(sources, sma=sma)
        shown = ", ".join(configured) or "all attributes"
        return self.ok(
            "No forwarded attribute or Lambda setting names an x-amzn header.",
            f"forward_attributes: {shown}; deployed FORWARD_ATTRIBUTES="
            f"{connect.environment.get('FORWARD_ATTRIBUTES', '') if connect.exists else '(function gone)'}",
        )

    def _problem(self, sources: list[str], sma: DeployedFunction | None) -> Finding:
        evidence = "; ".join(sources)
        if sma is not None and sma.exists and not sma.is_ours:
            return self.problem(
                "An x-amzn SIP header is configured and the deployed SMA handler is not Patchbay's: Chime "
                "refuses a CallAndBridge carrying a reserved x-amzn header (InvalidActionParameter), so "
                "those calls are dropped before they reach Vapi.",
                evidence + f"; SMA handler CodeSha256 {sma.code_sha256} is not Patchbay's build",
            )
        return self.problem(
            "An attribute would be sent as a reserved x-amzn SIP header, which Chime refuses "
            "(InvalidActionParameter). Patchbay's SMA handler drops it to keep the call up, so the "
            "assistant never receives that attribute.",
            evidence,
            severity=Severity.WARNING,
        )
