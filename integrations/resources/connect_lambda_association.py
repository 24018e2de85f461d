"""`aws.connect_lambda_association`: a Lambda function made invokable from a Connect instance's flows."""

from __future__ import annotations

import contextlib

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, contains_unknown
from integrations.vendors.aws.connect import Connect
from integrations.vendors.errors import Conflict, NotFound


class ConnectLambdaAssociation(ResourceType):
    """The association of a function ARN (the external id) with a Connect instance."""

    type_name = "aws.connect_lambda_association"
    account_kind = "aws"
    name_max_length = 140  # the association has no name; FunctionArn is at most 140 characters

    @staticmethod
    def _associated(connect: Connect, instance_id: str) -> list[str]:
        try:
            return connect.lambda_functions(instance_id)
        except NotFound:
            return []  # no such instance: nothing is associated with it

    def observe(self, ctx: NodeContext) -> Observation:
        """Look for the function in the instance's list of associated functions."""
        want = ctx.spec["function_arn"]
        associated = self._associated(Connect(ctx.clients.aws), ctx.spec["instance_id"])
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

    @staticmethod
    def _associate(connect: Connect, instance_id: str, arn: str, *, create: bool) -> None:
        # ResourceConflictException (Conflict): already associated, which is what we want.
        with contextlib.suppress(Conflict):
            connect.associate_lambda_function(instance_id, arn, create=create)

    def create(self, ctx: NodeContext) -> str:
        """Associate the function with the instance; already associated is adopted."""
        arn = ctx.spec["function_arn"]
        self._associate(Connect(ctx.clients.aws), ctx.spec["instance_id"], arn, create=True)
        return arn

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Associate the new function, then drop the old association."""
        connect = Connect(ctx.clients.aws)
        instance_id = ctx.spec["instance_id"]
        self._associate(connect, instance_id, ctx.spec["function_arn"], create=False)
        if ctx.external_id and ctx.external_id != ctx.spec["function_arn"]:
            connect.disassociate_lambda_function(instance_id, ctx.external_id)
        ctx.external_id = ctx.spec["function_arn"]

    def delete(self, ctx: NodeContext) -> None:
        """Disassociate the function; not associated (or no instance) is done."""
        arn = ctx.external_id or ctx.spec["function_arn"]
        if contains_unknown(arn):
            return
        Connect(ctx.clients.aws).disassociate_lambda_function(ctx.spec["instance_id"], arn)
