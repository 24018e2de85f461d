"""`chime.voice_connector`: the Chime SDK Voice Connector, the SIP trunk between AWS and the agent."""

from __future__ import annotations

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.aws.chime_numbers import ChimeNumbers
from integrations.vendors.errors import InvalidSpec, NotFound


class VoiceConnector(ResourceType):
    """A Voice Connector named by its external name; outputs id, ARN, outbound host name and region."""

    type_name = "chime.voice_connector"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the connector (by id, else by name) and compare region and encryption."""
        connector = ChimeVoice(ctx.clients.aws).find_voice_connector(ctx.external_id, ctx.external_name)
        if connector is None:
            return Observation(exists=False)
        observed = {"aws_region": connector.region, "require_encryption": connector.require_encryption}
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={
                "id": connector.id,
                "arn": connector.arn,
                "host": connector.host,
                "region": connector.region,
            },
            external_id=connector.id,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the connector under our name (Chime does not refuse duplicate names: observe first)."""
        return ChimeVoice(ctx.clients.aws).create_voice_connector(
            ctx.external_name,
            ctx.spec["aws_region"],
            require_encryption=bool(ctx.spec["require_encryption"]),
        )

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Set encryption; a connector cannot move to another region."""
        if "aws_region" in diff:
            raise InvalidSpec(
                f"Voice Connector {ctx.external_name} is in {diff['aws_region'][0]}: Chime cannot move a "
                "connector to another region; tear the integration down and apply it again",
                vendor="aws",
                field="aws_region",
            )
        if "require_encryption" in diff:
            ChimeVoice(ctx.clients.aws).update_voice_connector(
                ctx.external_id,
                ctx.external_name,
                require_encryption=bool(ctx.spec["require_encryption"]),
            )

    def delete(self, ctx: NodeContext) -> None:
        """Disassociate its numbers and drop origination/termination, then delete it (AWS's order)."""
        chime, numbers = ChimeVoice(ctx.clients.aws), ChimeNumbers(ctx.clients.aws)
        connector = chime.find_voice_connector(ctx.external_id, ctx.external_name)
        if connector is None:
            return
        try:
            # DeleteVoiceConnector answers ConflictException while numbers are associated (AWS.md §7.9).
            numbers.disassociate(connector.id, numbers.connector_numbers(connector.id))
            chime.delete_origination(connector.id)  # False: never configured
            chime.delete_termination(connector.id)
            chime.delete_voice_connector(connector.id)
        except NotFound:
            return  # deleted meanwhile
