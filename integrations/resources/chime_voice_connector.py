"""`chime.voice_connector`: the Chime SDK Voice Connector, the SIP trunk between AWS and the agent."""

from __future__ import annotations

import contextlib
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.chime_phone_number_association import (
    connector_numbers,
    disassociate_from_connector,
)
from integrations.resources.chime_service import SERVICE
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import InvalidSpec, NotFound


def find_voice_connector(aws: AwsSession, connector_id: str, name: str) -> dict[str, Any] | None:
    """A connector by id, or (no id yet) the one carrying our name; None when there is none."""
    if connector_id:
        try:
            return aws.call(SERVICE, "get_voice_connector", VoiceConnectorId=connector_id)["VoiceConnector"]
        except NotFound:
            return None
    # ListVoiceConnectors has NextToken but no boto3 paginator (AWS.md §1.0): paginate follows it.
    connectors = aws.paginate(SERVICE, "list_voice_connectors", "VoiceConnectors")
    return next((c for c in connectors if c.get("Name") == name), None)


class VoiceConnector(ResourceType):
    """A Voice Connector named by its external name; outputs id, ARN, outbound host name and region."""

    type_name = "chime.voice_connector"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the connector (by id, else by name) and compare region and encryption."""
        connector = find_voice_connector(ctx.clients.aws, ctx.external_id, ctx.external_name)
        if connector is None:
            return Observation(exists=False)
        observed = {
            "aws_region": connector.get("AwsRegion"),
            "require_encryption": connector.get("RequireEncryption"),
        }
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={
                "id": connector["VoiceConnectorId"],
                "arn": connector.get("VoiceConnectorArn"),
                "host": connector.get("OutboundHostName"),
                "region": connector.get("AwsRegion"),
            },
            external_id=connector["VoiceConnectorId"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the connector under our name (Chime does not refuse duplicate names: observe first)."""
        answer = ctx.clients.aws.call(
            SERVICE,
            "create_voice_connector",
            create=True,
            Name=ctx.external_name,
            AwsRegion=ctx.spec["aws_region"],
            RequireEncryption=bool(ctx.spec["require_encryption"]),
        )
        return answer["VoiceConnector"]["VoiceConnectorId"]

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
            # UpdateVoiceConnector requires Name as well (botocore:chime-sdk-voice).
            ctx.clients.aws.call(
                SERVICE,
                "update_voice_connector",
                VoiceConnectorId=ctx.external_id,
                Name=ctx.external_name,
                RequireEncryption=bool(ctx.spec["require_encryption"]),
            )

    def delete(self, ctx: NodeContext) -> None:
        """Disassociate its numbers and drop origination/termination, then delete it (AWS's order)."""
        aws: AwsSession = ctx.clients.aws
        connector = find_voice_connector(aws, ctx.external_id, ctx.external_name)
        if connector is None:
            return
        connector_id = connector["VoiceConnectorId"]
        try:
            # DeleteVoiceConnector answers ConflictException while numbers are associated (AWS.md §7.9).
            disassociate_from_connector(aws, connector_id, connector_numbers(aws, connector_id))
            for operation in ("delete_voice_connector_origination", "delete_voice_connector_termination"):
                with contextlib.suppress(NotFound):  # never configured
                    aws.call(SERVICE, operation, VoiceConnectorId=connector_id)
            aws.call(SERVICE, "delete_voice_connector", VoiceConnectorId=connector_id)
        except NotFound:
            return  # deleted meanwhile
