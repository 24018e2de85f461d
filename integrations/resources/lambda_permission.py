"""`aws.lambda_permission`: one statement of a Lambda function's resource policy (who may invoke it)."""

from __future__ import annotations

import contextlib
import json
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
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, NotFound

_ACTION = "lambda:InvokeFunction"


def _statement_fields(statement: dict[str, Any]) -> dict[str, Any]:
    """A policy statement in the spec's own terms (Lambda writes conditions as ArnLike/StringEquals)."""
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("Service") or principal.get("AWS")
    condition = statement.get("Condition") or {}
    return {
        "principal": principal,
        "source_arn": (condition.get("ArnLike") or {}).get("AWS:SourceArn"),
        "source_account": (condition.get("StringEquals") or {}).get("AWS:SourceAccount"),
    }


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

    def _find(self, aws: AwsSession, function: str, sid: str) -> dict[str, Any] | None:
        try:
            policy = aws.call("lambda", "get_policy", FunctionName=function)["Policy"]
        except NotFound:
            return None  # no function, or a function without a resource policy yet
        statements = json.loads(policy).get("Statement") or []
        return next((s for s in statements if s.get("Sid") == sid), None)

    def observe(self, ctx: NodeContext) -> Observation:
        """Find our statement in the function's resource policy."""
        aws: AwsSession = ctx.clients.aws
        sid = self._sid(ctx)
        if contains_unknown(ctx.spec["function_name"]):
            return Observation(exists=False)  # its function is not created yet
        statement = self._find(aws, ctx.spec["function_name"], sid)
        if statement is None:
            return Observation(exists=False)
        diff = spec_diff(self._desired(ctx), _statement_fields(statement))
        return Observation(
            exists=True, up_to_date=not diff, diff=diff, outputs={"statement_id": sid}, external_id=sid
        )

    def _add(self, aws: AwsSession, ctx: NodeContext, sid: str, *, create: bool) -> None:
        params: dict[str, Any] = {
            "FunctionName": ctx.spec["function_name"],
            "StatementId": sid,
            "Action": _ACTION,
            "Principal": ctx.spec["principal"],
        }
        if ctx.spec.get("source_arn"):
            params["SourceArn"] = ctx.spec["source_arn"]
        if ctx.spec.get("source_account"):
            params["SourceAccount"] = ctx.spec["source_account"]
        aws.call("lambda", "add_permission", create=create, **params)

    def create(self, ctx: NodeContext) -> str:
        """Add the statement; one with our statement id already there is adopted."""
        aws: AwsSession = ctx.clients.aws
        sid = ctx.external_name
        try:
            self._add(aws, ctx, sid, create=True)
        except Conflict:
            # ResourceConflictException: the statement id is taken, by our earlier create; adopt it.
            return converge(self, ctx, sid)
        return sid

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Lambda cannot edit a statement: remove it and add it again."""
        aws: AwsSession = ctx.clients.aws
        sid = self._sid(ctx)
        self._remove(aws, ctx, sid)
        self._add(aws, ctx, sid, create=False)

    @staticmethod
    def _remove(aws: AwsSession, ctx: NodeContext, sid: str) -> None:
        with contextlib.suppress(NotFound):
            aws.call("lambda", "remove_permission", FunctionName=ctx.spec["function_name"], StatementId=sid)

    def delete(self, ctx: NodeContext) -> None:
        """Remove the statement; a missing statement or function is done."""
        if contains_unknown(ctx.spec["function_name"]):
            return  # its function never existed, so neither did the statement
        self._remove(ctx.clients.aws, ctx, self._sid(ctx))
