"""`chime.voice_connector_origination`: where a Voice Connector sends inbound calls (the agent's SIP host)."""

from __future__ import annotations

from typing import Any

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    spec_diff,
)
from integrations.resources.chime_connector_setting import ConnectorSetting
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


class VoiceConnectorOrigination(ConnectorSetting):
    """The origination routes of one connector; the external id is the connector's id."""

    type_name = "chime.voice_connector_origination"

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the origination; NotFound (or an empty one) means it was never put."""
        connector_id = self.connector_id(ctx)
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

    def put(self, ctx: NodeContext, connector_id: str, diff: Diff | None) -> None:
        """Put the spec's routes (a put replaces them wholesale)."""
        ChimeVoice(ctx.clients.aws).put_origination(
            connector_id,
            normalized_routes(ctx.spec["routes"]),
            disabled=bool(ctx.spec.get("disabled", False)),
        )

    def remove(self, ctx: NodeContext, connector_id: str) -> None:
        """Delete the origination (never put is done)."""
        ChimeVoice(ctx.clients.aws).delete_origination(connector_id)
