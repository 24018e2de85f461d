"""`aws.lambda_permission`: one statement of a Lambda function's resource policy (who may invoke it)."""

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
from integrations.resources.adoption import converge
from integrations.vendors.aws.lambda_ import Lambda
from integrations.vendors.errors import Conflict

_ACTION = "lambda:InvokeFunction"


class LambdaPermission(ResourceType):
    """A statement (id = the external name) allowing a service principal to invoke a function."""

    type_name = "aws.lambda_permission"
    account_kind = "aws"
    name_max_length = 100  # Lambda StatementId limit

    def _sid(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    def _desired(self, ctx: NodeContext) -> dict[str, Any]:
        # Optional members left out or None are not part of the statement, so they are not compared.
        return {
            key: ctx.spec.get(key)
            for key in ("principal", "source_arn", "source_account")
            if key == "principal" or ctx.spec.get(key) is not None
        }

    def observe(self, ctx: NodeContext) -> Observation:
        """Find our statement in the function's resource policy."""
        sid = self._sid(ctx)
        if contains_unknown(ctx.spec["function_name"]):
            return Observation(exists=False)  # its function is not created yet
        # None also when there is no function, or a function without a resource policy yet.
        statement = Lambda(ctx.clients.aws).statement(ctx.spec["function_name"], sid)
        if statement is None:
            return Observation(exists=False)
        observed = {
            "principal": statement.principal,
            "source_arn": statement.source_arn,
            "source_account": statement.source_account,
        }
        diff = spec_diff(self._desired(ctx), observed)
        return Observation(
            exists=True, up_to_date=not diff, diff=diff, outputs={"statement_id": sid}, external_id=sid
        )

    @staticmethod
    def _add(functions: Lambda, ctx: NodeContext, sid: str, *, create: bool) -> None:
        functions.add_permission(
            ctx.spec["function_name"],
            sid,
            action=_ACTION,
            principal=ctx.spec["principal"],
            source_arn=ctx.spec.get("source_arn"),
            source_account=ctx.spec.get("source_account"),
            create=create,
        )

    def create(self, ctx: NodeContext) -> str:
        """Add the statement; one with our statement id already there is adopted."""
        sid = ctx.external_name
        try:
            self._add(Lambda(ctx.clients.aws), ctx, sid, create=True)
        except Conflict:
            # ResourceConflictException: the statement id is taken, by our earlier create; adopt it.
            return converge(self, ctx, sid)
        return sid

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Lambda cannot edit a statement: remove it and add it again."""
        functions = Lambda(ctx.clients.aws)
        sid = self._sid(ctx)
        functions.remove_permission(ctx.spec["function_name"], sid)
        self._add(functions, ctx, sid, create=False)

    def delete(self, ctx: NodeContext) -> None:
        """Remove the statement; a missing statement or function is done."""
        if contains_unknown(ctx.spec["function_name"]):
            return  # its function never existed, so neither did the statement
        Lambda(ctx.clients.aws).remove_permission(ctx.spec["function_name"], self._sid(ctx))
