"""`chime.voice_connector_logging`: SIP message and media metric logs of a connector (for call ladders)."""

from __future__ import annotations

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    spec_diff,
)
from integrations.resources.chime_connector_setting import ConnectorSetting
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.aws.logs import sip_log_group


class VoiceConnectorLogging(ConnectorSetting):
    """The logging configuration of one connector; the external id is the connector's id."""

    type_name = "chime.voice_connector_logging"

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the configuration: logging that is all off counts as absent (that is what delete leaves)."""
        connector_id = self.connector_id(ctx)
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

    def put(self, ctx: NodeContext, connector_id: str, diff: Diff | None) -> None:
        """Put the spec's configuration (both flags: the put replaces it)."""
        ChimeVoice(ctx.clients.aws).put_logging_configuration(
            connector_id,
            sip_logs=bool(ctx.spec.get("enable_sip_logs")),
            media_metric_logs=bool(ctx.spec.get("enable_media_metric_logs")),
        )

    def remove(self, ctx: NodeContext, connector_id: str) -> None:
        """Turn both logs off: Chime has no delete for it."""
        ChimeVoice(ctx.clients.aws).put_logging_configuration(
            connector_id, sip_logs=False, media_metric_logs=False
        )
