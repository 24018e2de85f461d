"""`chime.sip_media_application`: the SIP media application that runs the SMA handler Lambda on a call."""

from __future__ import annotations

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.vendors.aws.chime_sip import ChimeSip
from integrations.vendors.errors import Conflict, InvalidSpec


class SipMediaApplication(ResourceType):
    """An SMA named by its external name with one Lambda endpoint; outputs its id and ARN."""

    type_name = "chime.sip_media_application"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the SMA (by id, else by name) and compare its region and Lambda endpoint."""
        application = ChimeSip(ctx.clients.aws).find_sip_media_application(ctx.external_id, ctx.external_name)
        if application is None:
            return Observation(exists=False)
        observed = {"aws_region": application.region, "lambda_arn": application.lambda_arn}
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"id": application.id, "arn": application.arn},
            external_id=application.id,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the SMA; a ConflictException with ours already there (same name) adopts it."""
        chime = ChimeSip(ctx.clients.aws)
        try:
            return chime.create_sip_media_application(
                ctx.external_name, ctx.spec["aws_region"], ctx.spec["lambda_arn"]
            )
        except Conflict:
            found = chime.find_sip_media_application("", ctx.external_name)
            if found is None:
                raise
            return converge(self, ctx, found.id)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Point the endpoint at the spec's Lambda; an SMA cannot move to another region."""
        if "aws_region" in diff:
            raise InvalidSpec(
                f"SIP media application {ctx.external_name} is in {diff['aws_region'][0]}: it cannot move "
                "to another region; tear the integration down and apply it again",
                vendor="aws",
                field="aws_region",
            )
        if "lambda_arn" in diff:
            ChimeSip(ctx.clients.aws).update_sip_media_application(ctx.external_id, ctx.spec["lambda_arn"])

    def delete(self, ctx: NodeContext) -> None:
        """Delete the SMA (Chime refuses while a SIP rule targets it: the rule goes first by graph order)."""
        chime = ChimeSip(ctx.clients.aws)
        application = chime.find_sip_media_application(ctx.external_id, ctx.external_name)
        if application is not None:
            chime.delete_sip_media_application(application.id)  # False: deleted meanwhile
