"""`chime.voice_connector_logging`: SIP message and media metric logs of a connector (for call ladders)."""

from __future__ import annotations

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    ResourceType,
    contains_unknown,
    spec_diff,
)
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.aws.logs import sip_log_group
from integrations.vendors.errors import NotFound


class VoiceConnectorLogging(ResourceType):
    """The logging configuration of one connector; the external id is the connector's id."""

    type_name = "chime.voice_connector_logging"
    account_kind = "aws"
    name_max_length = 256  # a singleton of the connector: nothing is named

    def _connector_id(self, ctx: NodeContext) -> str:
        wanted = ctx.spec["voice_connector_id"]
        return ctx.external_id or ("" if contains_unknown(wanted) else wanted)

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the configuration: logging that is all off counts as absent (that is what delete leaves)."""
        connector_id = self._connector_id(ctx)
        if not connector_id:
            return Observation(exists=False)
        config = ChimeVoice(ctx.clients.aws).logging_configuration(connector_id)
        if config is None:
            return Observation(exists=False)
        observed = {
            "voice_connector_id": connector_id,
            "enable_sip_logs": config.sip_logs,
            "enable_media_metric_logs": config.media_metric_logs,
        }
        wants_any = bool(ctx.spec.get("enable_sip_logs") or ctx.spec.get("enable_media_metric_logs"))
        if wants_any and not (config.sip_logs or config.media_metric_logs):
            return Observation(exists=False)
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={
                "enable_sip_logs": observed["enable_sip_logs"],
                "enable_media_metric_logs": observed["enable_media_metric_logs"],
                "sip_log_group": sip_log_group(connector_id),
            },
            external_id=connector_id,
        )

    def _put(self, connector_id: str, ctx: NodeContext, *, sip: bool, media: bool) -> None:
        ChimeVoice(ctx.clients.aws).put_logging_configuration(
            connector_id, sip_logs=sip, media_metric_logs=media
        )

    def create(self, ctx: NodeContext) -> str:
        """Put the spec's configuration (a put replaces it, so repeating is safe)."""
        connector_id = ctx.spec["voice_connector_id"]
        self._put(
            connector_id,
            ctx,
            sip=bool(ctx.spec.get("enable_sip_logs")),
            media=bool(ctx.spec.get("enable_media_metric_logs")),
        )
        return connector_id

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Put the spec's configuration again."""
        if ctx.external_id and ctx.external_id != ctx.spec["voice_connector_id"]:
            self.delete(ctx)  # moved to another connector: leave the old one's logging off
        ctx.external_id = self.create(ctx)

    def delete(self, ctx: NodeContext) -> None:
        """Turn both logs off (Chime has no delete for it); no connector is done."""
        connector_id = self._connector_id(ctx)
        if not connector_id:
            return
        try:
            self._put(connector_id, ctx, sip=False, media=False)
        except NotFound:
            return
