"""`chime.sip_media_application`: the SIP media application that runs the SMA handler Lambda on a call."""

from __future__ import annotations

import contextlib
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.resources.chime_service import SERVICE
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound


def _find(aws: AwsSession, application_id: str, name: str) -> dict[str, Any] | None:
    if application_id:
        try:
            return aws.call(SERVICE, "get_sip_media_application", SipMediaApplicationId=application_id)[
                "SipMediaApplication"
            ]
        except NotFound:
            return None
    applications = aws.paginate(SERVICE, "list_sip_media_applications", "SipMediaApplications")
    return next((a for a in applications if a.get("Name") == name), None)


class SipMediaApplication(ResourceType):
    """An SMA named by its external name with one Lambda endpoint; outputs its id and ARN."""

    type_name = "chime.sip_media_application"
    account_kind = "aws"
    name_max_length = 256  # Chime SDK Voice Name limit

    def observe(self, ctx: NodeContext) -> Observation:
        """Find the SMA (by id, else by name) and compare its region and Lambda endpoint."""
        application = _find(ctx.clients.aws, ctx.external_id, ctx.external_name)
        if application is None:
            return Observation(exists=False)
        endpoints = application.get("Endpoints") or [{}]
        observed = {"aws_region": application.get("AwsRegion"), "lambda_arn": endpoints[0].get("LambdaArn")}
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={
                "id": application["SipMediaApplicationId"],
                "arn": application.get("SipMediaApplicationArn"),
            },
            external_id=application["SipMediaApplicationId"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the SMA; a ConflictException with ours already there (same name) adopts it."""
        aws: AwsSession = ctx.clients.aws
        try:
            answer = aws.call(
                SERVICE,
                "create_sip_media_application",
                create=True,
                AwsRegion=ctx.spec["aws_region"],
                Name=ctx.external_name,
                # The model allows exactly one endpoint (AWS.md §1.4).
                Endpoints=[{"LambdaArn": ctx.spec["lambda_arn"]}],
            )
        except Conflict:
            found = _find(aws, "", ctx.external_name)
            if found is None:
                raise
            return converge(self, ctx, found["SipMediaApplicationId"])
        return answer["SipMediaApplication"]["SipMediaApplicationId"]

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
            ctx.clients.aws.call(
                SERVICE,
                "update_sip_media_application",
                SipMediaApplicationId=ctx.external_id,
                Endpoints=[{"LambdaArn": ctx.spec["lambda_arn"]}],
            )

    def delete(self, ctx: NodeContext) -> None:
        """Delete the SMA (Chime refuses while a SIP rule targets it: the rule goes first by graph order)."""
        aws: AwsSession = ctx.clients.aws
        application = _find(aws, ctx.external_id, ctx.external_name)
        if application is None:
            return
        with contextlib.suppress(NotFound):
            aws.call(
                SERVICE,
                "delete_sip_media_application",
                SipMediaApplicationId=application["SipMediaApplicationId"],
            )
