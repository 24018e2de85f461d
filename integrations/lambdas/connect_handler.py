"""Lambda invoked by the Amazon Connect contact flow: store the caller's attributes.

Event shape: AWS.md §4.3 (`Details.ContactData.Attributes`, the caller in
`Details.ContactData.CustomerEndpoint.Address`, flow parameters in
`Details.Parameters`). The answer must be a flat string map, because the flow
validates the response as STRING_MAP.

Environment: TABLE_NAME (DynamoDB table keyed by `caller`), TTL_SECONDS
(default 300), FORWARD_ATTRIBUTES (comma-separated attribute names; empty = all).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

_table = None


def _dynamodb_table() -> Any:
    """The DynamoDB table, created once per Lambda container (reused across invocations)."""
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def selected_attributes(attributes: dict[str, Any], allowed: str) -> dict[str, str]:
    """The attributes to forward: the named ones (case-insensitive), or all when none are named."""
    names = {name.strip().lower() for name in allowed.split(",") if name.strip()}
    chosen: dict[str, str] = {}
    for key, value in attributes.items():
        if value is None or (names and key.lower() not in names):
            continue
        chosen[str(key)] = str(value)
    return chosen


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Store the contact's attributes under the caller's number for the SMA handler to read."""
    details = event.get("Details") or {}
    contact = details.get("ContactData") or {}
    caller = ((contact.get("CustomerEndpoint") or {}).get("Address") or "").strip()
    if not caller:
        print(json.dumps({"event": "connect_handler.no_caller", "contact_id": contact.get("ContactId")}))
        return {"stored": "false", "reason": "no caller number"}
    merged = dict(contact.get("Attributes") or {})
    merged.update(details.get("Parameters") or {})
    attributes = selected_attributes(merged, os.environ.get("FORWARD_ATTRIBUTES", ""))
    ttl = int(os.environ.get("TTL_SECONDS", "300"))
    _dynamodb_table().put_item(
        Item={
            "caller": caller,
            "attributes": attributes,
            "contact_id": str(contact.get("ContactId") or ""),
            "expires_at": int(time.time()) + ttl,
        }
    )
    print(
        json.dumps(
            {
                "event": "connect_handler.stored",
                "contact_id": contact.get("ContactId"),
                "caller": caller,
                "attribute_names": sorted(attributes),
            }
        )
    )
    return {"stored": "true", "count": str(len(attributes))}
