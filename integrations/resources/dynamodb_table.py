"""`aws.dynamodb_table`: the on-demand table the Lambdas share call attributes through, with TTL on."""

from __future__ import annotations

import contextlib
from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.resources.waiting import wait_for
from integrations.vendors.aws import AwsSession
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound, VendorUnavailable

_TTL_ON = ("ENABLED", "ENABLING")


class DynamoDbTable(ResourceType):
    """A PAY_PER_REQUEST DynamoDB table with a string hash key and TTL enabled; outputs name and ARN."""

    type_name = "aws.dynamodb_table"
    account_kind = "aws"
    name_max_length = 255  # DynamoDB TableName limit

    def _name(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    @staticmethod
    def _describe(aws: AwsSession, name: str) -> dict[str, Any] | None:
        try:
            table = aws.call("dynamodb", "describe_table", TableName=name)["Table"]
        except NotFound:
            return None
        # A table being deleted is on its way out; a create now would be refused until it is gone.
        return None if table.get("TableStatus") == "DELETING" else table

    @staticmethod
    def _ttl_attribute(aws: AwsSession, name: str) -> str | None:
        answer = aws.call("dynamodb", "describe_time_to_live", TableName=name)
        ttl = answer.get("TimeToLiveDescription") or {}
        return ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in _TTL_ON else None

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the table's key schema and whether TTL is on (and on which attribute)."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        table = self._describe(aws, name)
        if table is None:
            return Observation(exists=False)
        hash_key = next((k["AttributeName"] for k in table["KeySchema"] if k["KeyType"] == "HASH"), None)
        observed = {"hash_key": hash_key, "ttl_attribute": self._ttl_attribute(aws, name)}
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"name": table["TableName"], "arn": table["TableArn"]},
            external_id=table["TableName"],
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the table on demand billing (or adopt ours), wait until ACTIVE, then turn TTL on."""
        aws: AwsSession = ctx.clients.aws
        name = ctx.external_name
        hash_key = ctx.spec["hash_key"]
        # ResourceInUseException (Conflict): a table of our deterministic name exists; adopt it.
        with contextlib.suppress(Conflict):
            aws.call(
                "dynamodb",
                "create_table",
                create=True,
                TableName=name,
                AttributeDefinitions=[{"AttributeName": hash_key, "AttributeType": "S"}],
                KeySchema=[{"AttributeName": hash_key, "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            )
        # UpdateTimeToLive is refused while the table is still CREATING.
        table = wait_for(
            lambda: self._describe(aws, name),
            lambda t: t is None or t.get("TableStatus") == "ACTIVE",
            what=f"DynamoDB table {name}",
        )
        if table is None:
            raise VendorUnavailable(f"DynamoDB table {name} is still being deleted", vendor="aws")
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Turn TTL on for the spec's attribute; a different hash key needs a new table."""
        aws: AwsSession = ctx.clients.aws
        name = self._name(ctx)
        if "hash_key" in diff:
            have, want = diff["hash_key"]
            raise InvalidSpec(
                f"table {name} is keyed by {have!r}, not {want!r}: DynamoDB cannot change a table's key; "
                "tear the integration down and apply it again",
                vendor="aws",
                field="hash_key",
            )
        if "ttl_attribute" in diff:
            have, want = diff["ttl_attribute"]
            # DynamoDB keeps one TTL attribute per table: switch the old one off before the new one.
            if have:
                self._set_ttl(aws, name, have, enabled=False)
            if want:
                self._set_ttl(aws, name, want, enabled=True)

    @staticmethod
    def _set_ttl(aws: AwsSession, name: str, attribute: str, *, enabled: bool) -> None:
        aws.call(
            "dynamodb",
            "update_time_to_live",
            TableName=name,
            TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute},
        )

    def delete(self, ctx: NodeContext) -> None:
        """Delete the table; already gone (or going) is done."""
        aws: AwsSession = ctx.clients.aws
        try:
            aws.call("dynamodb", "delete_table", TableName=self._name(ctx))
        except NotFound:
            return
