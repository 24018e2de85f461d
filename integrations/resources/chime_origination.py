"""`chime.voice_connector_origination`: where a Voice Connector sends inbound calls (the agent's SIP host)."""

from __future__ import annotations

from typing import Any

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    ResourceType,
    contains_unknown,
    spec_diff,
)
from integrations.vendors.aws.chime import ChimeVoice

#: Chime's default origination port (OriginationRoute.Port doc, botocore:chime-sdk-voice)
DEFAULT_SIP_PORT = 5060


def normalized_routes(routes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Routes with the default port filled in, in priority order, so equal sets compare equal."""
    shaped = [
        {
            "Host": route.get("Host"),
            "Port": int(route.get("Port") or DEFAULT_SIP_PORT),
            "Protocol": route.get("Protocol"),
            "Priority": int(route["Priority"]) if route.get("Priority") is not None else None,
            "Weight": int(route["Weight"]) if route.get("Weight") is not None else None,
        }
        for route in routes or []
    ]
    return sorted(shaped, key=lambda r: (r["Priority"] or 0, str(r["Host"]), r["Port"], str(r["Protocol"])))


class VoiceConnectorOrigination(ResourceType):
    """The origination routes of one connector; the external id is the connector's id."""

    type_name = "chime.voice_connector_origination"
    account_kind = "aws"
    name_max_length = 256  # a singleton of the connector: nothing is named

    def _connector_id(self, ctx: NodeContext) -> str:
        wanted = ctx.spec["voice_connector_id"]
        return ctx.external_id or ("" if contains_unknown(wanted) else wanted)

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the origination; NotFound (or an empty one) means it was never put."""
        connector_id = self._connector_id(ctx)
        if not connector_id:
            return Observation(exists=False)
        origination = ChimeVoice(ctx.clients.aws).origination(connector_id)
        # Terraform's provider treats an empty Origination as "not configured" as well.
        if origination is None or not origination.configured:
            return Observation(exists=False)
        routes = normalized_routes(list(origination.routes))
        observed = {
            "voice_connector_id": connector_id,
            "routes": routes,
            "disabled": bool(origination.disabled),
        }
        desired = {**ctx.spec, "routes": normalized_routes(ctx.spec["routes"])}
        diff = spec_diff(desired, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"hosts": [r["Host"] for r in routes]},
            external_id=connector_id,
        )

    def _put(self, ctx: NodeContext) -> str:
        connector_id = ctx.spec["voice_connector_id"]
        ChimeVoice(ctx.clients.aws).put_origination(
            connector_id,
            normalized_routes(ctx.spec["routes"]),
            disabled=bool(ctx.spec.get("disabled", False)),
        )
        return connector_id

    def create(self, ctx: NodeContext) -> str:
        """Put the routes (a put replaces them wholesale, so repeating it is safe)."""
        return self._put(ctx)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put the spec's routes again."""
        if ctx.external_id and ctx.external_id != ctx.spec["voice_connector_id"]:
            self.delete(ctx)  # moved to another connector: leave nothing on the old one
        ctx.external_id = self._put(ctx)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the origination; never put (or no connector) is done."""
        connector_id = self._connector_id(ctx)
        if not connector_id:
            return
        ChimeVoice(ctx.clients.aws).delete_origination(connector_id)  # False: never put
