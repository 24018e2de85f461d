"""connect_vapi: the SMA Lambda must be Patchbay's handler, which hangs up the other leg on HANGUP.

Chime does not hang up the remaining leg when one leg hangs up (AWS.md §3.3):
the handler must answer HANGUP with a Hangup of the other leg, else the Vapi
leg stays up (and billed) after the caller left. Patchbay cannot read the code
that runs; what it can observe is Lambda's `CodeSha256` and `Handler`, and its
deterministic package (integrations/lambdas/package.py) makes the same source
give the same hash. Equal hash: the deployed code is Patchbay's, whose HANGUP
branch is tested. Another hash: someone deployed other code, and whether it
handles HANGUP cannot be known, so the finding says exactly that. The
environment variables the handler reads are checked too: without them the
NEW_INBOUND_CALL branch raises and Chime drops the call.
"""

from __future__ import annotations

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding, Severity
from integrations.diagnostics.lambda_config import deployed_function
from integrations.lambdas.package import build_package

PACKAGE = "sma_handler"
#: what sma_handler.py reads with os.environ[...] (CALL_TIMEOUT_SECONDS has a default)
REQUIRED_ENVIRONMENT = ("TABLE_NAME", "VOICE_CONNECTOR_ARN", "SIP_URI_USER")
_HANGUP_RISK = (
    "Chime does not hang up the remaining leg when one leg hangs up, so a handler that ignores HANGUP "
    "leaves the Vapi leg connected (and billed) after the caller hangs up."
)


class SmaHandlesHangup(Check):
    name = "sma-hangup"
    title = "SMA Lambda is Patchbay's handler (hangs up the other leg on HANGUP)"
    kinds = (IntegrationKind.CONNECT_VAPI,)
    fix = (
        "Apply the integration: Patchbay redeploys its SMA handler (code and environment). If the other "
        "code is intended, make sure it answers HANGUP with a Hangup action for the leg still connected."
    )

    def evaluate(self, ctx: CheckContext) -> Finding:
        function = deployed_function(ctx, "sma_lambda", PACKAGE, "SMA handler Lambda")
        if not function.exists:
            return self.problem(
                f"The SMA Lambda {function.name} no longer exists: Chime cannot invoke it, so every call "
                "transferred to the Chime number fails.",
                evidence=f"GetFunction {function.name}: not found",
            )
        ours = build_package(PACKAGE)
        evidence = (
            f"{function.name}: Handler {function.handler or 'none'}, CodeSha256 {function.code_sha256}; "
            f"Patchbay's build: Handler {ours.handler}, CodeSha256 {ours.code_sha256}"
        )
        missing = [name for name in REQUIRED_ENVIRONMENT if not function.environment.get(name)]
        if missing:
            return self.problem(
                f"The SMA Lambda's environment lacks {', '.join(missing)}: the handler fails on every new "
                "call and Chime drops it before it is bridged to Vapi.",
                evidence + f"; environment has: {', '.join(sorted(function.environment)) or 'nothing'}",
            )
        if not function.is_ours:
            return self.problem(
                "The deployed SMA Lambda is not the handler Patchbay ships (its code hash or handler "
                "differs), and Patchbay cannot read the code to tell whether it handles HANGUP. "
                + _HANGUP_RISK,
                evidence,
                severity=Severity.WARNING,
            )
        return self.ok(
            "The deployed SMA Lambda is Patchbay's handler, which hangs up the other leg on HANGUP.", evidence
        )
