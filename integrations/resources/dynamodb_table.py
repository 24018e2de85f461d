"""`aws.dynamodb_table`: the on-demand table the Lambdas share call attributes through, with TTL on."""

from __future__ import annotations

import contextlib

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.resources.adoption import converge
from integrations.resources.waiting import wait_for
from integrations.vendors.aws.dynamodb import DynamoDb, Table
from integrations.vendors.errors import Conflict, InvalidSpec, VendorUnavailable


class DynamoDbTable(ResourceType):
    """A PAY_PER_REQUEST DynamoDB table with a string hash key and TTL enabled; outputs name and ARN."""

    type_name = "aws.dynamodb_table"
    account_kind = "aws"
    name_max_length = 255  # DynamoDB TableName limit

    def _name(self, ctx: NodeContext) -> str:
        return ctx.external_id or ctx.external_name

    @staticmethod
    def _live(dynamodb: DynamoDb, name: str) -> Table | None:
        # A table being deleted is on its way out; a create now would be refused until it is gone.
        table = dynamodb.table(name)
        return None if table is None or table.status == "DELETING" else table

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the table's key schema and whether TTL is on (and on which attribute)."""
        dynamodb = DynamoDb(ctx.clients.aws)
        name = self._name(ctx)
        table = self._live(dynamodb, name)
        if table is None:
            return Observation(exists=False)
        observed = {"hash_key": table.hash_key, "ttl_attribute": dynamodb.ttl_attribute(name)}
        diff = spec_diff(ctx.spec, observed)
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            outputs={"name": table.name, "arn": table.arn},
            external_id=table.name,
        )

    def create(self, ctx: NodeContext) -> str:
        """Create the table on demand billing (or adopt ours), wait until ACTIVE, then turn TTL on."""
        dynamodb = DynamoDb(ctx.clients.aws)
        name = ctx.external_name
        # ResourceInUseException (Conflict): a table of our deterministic name exists; adopt it.
        with contextlib.suppress(Conflict):
            dynamodb.create_table(name, ctx.spec["hash_key"])
        # UpdateTimeToLive is refused while the table is still CREATING.
        table = wait_for(
            lambda: self._live(dynamodb, name),
            lambda t: t is None or t.status == "ACTIVE",
            what=f"DynamoDB table {name}",
        )
        if table is None:
            raise VendorUnavailable(f"DynamoDB table {name} is still being deleted", vendor="aws")
        return converge(self, ctx, name)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Turn TTL on for the spec's attribute; a different hash key needs a new table."""
        dynamodb = DynamoDb(ctx.clients.aws)
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
                dynamodb.set_ttl(name, have, enabled=False)
            if want:
                dynamodb.set_ttl(name, want, enabled=True)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the table; already gone (or going) is done."""
        DynamoDb(ctx.clients.aws).delete_table(self._name(ctx))
