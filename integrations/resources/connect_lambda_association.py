"""`aws.connect_lambda_association`: a Lambda function made invokable from a Connect instance's flows."""

from __future__ import annotations

import contextlib

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, contains_unknown
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, NotFound


class ConnectLambdaAssociation(ResourceType):
    """The association of a function ARN (the external id) with a Connect instance."""

    type_name = "aws.connect_lambda_association"
    account_kind = "aws"
    name_max_length = 140  # the association has no name; FunctionArn is at most 140 characters

    @staticmethod
    def _associated(aws: AwsSession, instance_id: str) -> list[str]:
        try:
            return aws.paginate("connect", "list_lambda_functions", "LambdaFunctions", InstanceId=instance_id)
        except NotFound:
            return []  # no such instance: nothing is associated with it

    def observe(self, ctx: NodeContext) -> Observation:
        """Look for the function in the instance's list of associated functions."""
        aws: AwsSession = ctx.clients.aws
        want = ctx.spec["function_arn"]
        associated = self._associated(aws, ctx.spec["instance_id"])
        current = ctx.external_id or ("" if contains_unknown(want) else want)
        if current not in associated:
            return Observation(exists=False)
        diff = {} if contains_unknown(want) or current == want else {"function_arn": (current, want)}
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"instance_id": ctx.spec["instance_id"], "function_arn": current},
            external_id=current,
        )

    def _associate(self, aws: AwsSession, instance_id: str, arn: str, *, create: bool) -> None:
        # ResourceConflictException (Conflict): already associated, which is what we want.
        with contextlib.suppress(Conflict):
            aws.call(
                "connect", "associate_lambda_function", create=create, InstanceId=instance_id, FunctionArn=arn
            )

    def create(self, ctx: NodeContext) -> str:
        """Associate the function with the instance; already associated is adopted."""
        arn = ctx.spec["function_arn"]
        self._associate(ctx.clients.aws, ctx.spec["instance_id"], arn, create=True)
        return arn

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Associate the new function, then drop the old association."""
        aws: AwsSession = ctx.clients.aws
        instance_id = ctx.spec["instance_id"]
        self._associate(aws, instance_id, ctx.spec["function_arn"], create=False)
        if ctx.external_id and ctx.external_id != ctx.spec["function_arn"]:
            self._disassociate(aws, instance_id, ctx.external_id)
        ctx.external_id = ctx.spec["function_arn"]

    @staticmethod
    def _disassociate(aws: AwsSession, instance_id: str, arn: str) -> None:
        with contextlib.suppress(NotFound):
            aws.call("connect", "disassociate_lambda_function", InstanceId=instance_id, FunctionArn=arn)

    def delete(self, ctx: NodeContext) -> None:
        """Disassociate the function; not associated (or no instance) is done."""
        arn = ctx.external_id or ctx.spec["function_arn"]
        if contains_unknown(arn):
            return
        self._disassociate(ctx.clients.aws, ctx.spec["instance_id"], arn)
