"""DynamoDB: the table the two Lambdas share caller context through (AWS.md; botocore `dynamodb`)."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound

#: TimeToLiveStatus values that mean TTL is (becoming) on
_TTL_ON = ("ENABLED", "ENABLING")


@dataclass(frozen=True)
class Table:
    """What Patchbay reads of a table."""

    name: str
    arn: str
    status: str  # CREATING | ACTIVE | DELETING | UPDATING | ...
    hash_key: str | None


class DynamoDb(AwsService):
    SERVICE = "dynamodb"
    # botocore's model: DescribeTable/DeleteTable raise ResourceNotFoundException; CreateTable on an
    # existing name and DeleteTable on a table still being created raise ResourceInUseException.
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    CONFLICT = frozenset({"ResourceInUseException"})

    def table(self, name: str) -> Table | None:
        """The table, or None when there is none of that name."""
        try:
            table = self._call("describe_table", TableName=name)["Table"]
        except NotFound:
            return None
        keys = table.get("KeySchema", [])
        hash_key = next((k["AttributeName"] for k in keys if k["KeyType"] == "HASH"), None)
        return Table(
            name=str(table["TableName"]),
            arn=str(table.get("TableArn", "")),
            status=str(table.get("TableStatus", "")),
            hash_key=hash_key,
        )

    def ttl_attribute(self, name: str) -> str | None:
        """The attribute TTL expires items by, or None when TTL is off (or being turned off)."""
        ttl = self._call("describe_time_to_live", TableName=name).get("TimeToLiveDescription") or {}
        return ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in _TTL_ON else None

    def create_table(self, name: str, hash_key: str) -> None:
        """An on-demand table keyed by one string attribute (single attempt: a create)."""
        self._call(
            "create_table",
            create=True,
            TableName=name,
            AttributeDefinitions=[{"AttributeName": hash_key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": hash_key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )

    def set_ttl(self, name: str, attribute: str, *, enabled: bool) -> None:
        """Turn TTL on or off for `attribute` (DynamoDB keeps one TTL attribute per table)."""
        self._call(
            "update_time_to_live",
            TableName=name,
            TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute},
        )

    def delete_table(self, name: str) -> bool:
        """Delete the table; False when it was already gone."""
        try:
            self._call("delete_table", TableName=name)
        except NotFound:
            return False
        return True
