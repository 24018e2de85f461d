"""The Synthflow custom number of an integration, read once per report and shared by the number checks."""

from __future__ import annotations

from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import CheckSkipped
from integrations.vendors.errors import NotFound
from integrations.vendors.synthflow import Number

_MEMO_KEY = "synthflow_number"


def configured_number(ctx: CheckContext) -> str:
    """The number calls reach Synthflow on: from the config, else the Chime number Patchbay ordered."""
    for key in ("phone_number", "twilio_number"):
        if ctx.config.get(key):
            return str(ctx.config[key])
    ordered = ctx.node_of_type("chime.connector_phone_number") or ctx.node_of_type("chime.phone_number")
    if ordered is not None:
        return str(ordered.outputs.get("e164") or ordered.external_id or "")
    raise CheckSkipped("The integration's phone number is not known yet: apply the integration first.")


def synthflow_number(ctx: CheckContext) -> Number | None:
    """The number as Synthflow shows it in the account's workspace; None when it is not imported."""
    if _MEMO_KEY not in ctx.memo:
        workspace = ctx.account_setting("synthflow", "workspace_id")
        if not workspace:
            raise CheckSkipped("The Synthflow account has no workspace_id setting.")
        try:
            ctx.memo[_MEMO_KEY] = ctx.clients.synthflow.get_number(workspace, configured_number(ctx))
        except NotFound:
            ctx.memo[_MEMO_KEY] = None
    return ctx.memo[_MEMO_KEY]
