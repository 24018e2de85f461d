"""Lambda of the SIP media application: bridge each inbound call to the Voice Connector.

On NEW_INBOUND_CALL it reads the attributes the connect handler stored for the
caller's number and answers CallAndBridge to the Voice Connector (whose
origination route points at Vapi) with those attributes as `x-` SIP headers.
With nothing stored (or an expired item: DynamoDB's TTL deletes lazily) it
still bridges, without headers, so the caller reaches the assistant.

Event and action shapes: AWS.md §3. Chime does not hang up the remaining leg
when one leg hangs up (§3.3), so HANGUP of one leg hangs up the other. Every
event and every answer is logged as one JSON line (transaction id, call ids,
legs, headers sent) so Patchbay can join it with the connector's SIP log.

Environment: TABLE_NAME, VOICE_CONNECTOR_ARN, SIP_URI_USER,
CALL_TIMEOUT_SECONDS (default 30).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3

try:  # deployed flat in the zip next to this file
    from sip_headers import headers_for
except ImportError:  # imported as part of the Patchbay package (tests)
    from integrations.lambdas.sip_headers import headers_for

SCHEMA_VERSION = "1.0"
_table = None


def _dynamodb_table() -> Any:
    """The DynamoDB table, created once per Lambda container."""
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    return _table


def _participants(event: dict[str, Any]) -> list[dict[str, Any]]:
    return list((event.get("CallDetails") or {}).get("Participants") or [])


def _leg(event: dict[str, Any], tag: str) -> dict[str, Any] | None:
    return next((p for p in _participants(event) if p.get("ParticipantTag") == tag), None)


def stored_attributes(caller: str, now: float | None = None) -> dict[str, str]:
    """The caller's stored attributes, or {} when none are stored or they have expired."""
    item = _dynamodb_table().get_item(Key={"caller": caller}).get("Item")
    if not item:
        return {}
    expires_at = item.get("expires_at")
    if expires_at is not None and float(expires_at) < (now if now is not None else time.time()):
        return {}
    return {str(k): str(v) for k, v in (item.get("attributes") or {}).items()}


def bridge_action(caller: str, headers: dict[str, str]) -> dict[str, Any]:
    """CallAndBridge to the Voice Connector; SipHeaders is a top-level parameter (AWS.md §3.3)."""
    parameters: dict[str, Any] = {
        "CallTimeoutSeconds": int(os.environ.get("CALL_TIMEOUT_SECONDS", "30")),
        "CallerIdNumber": caller,
        "Endpoints": [
            {
                "BridgeEndpointType": "AWS",
                "Arn": os.environ["VOICE_CONNECTOR_ARN"],
                "Uri": os.environ["SIP_URI_USER"],
            }
        ],
    }
    if headers:
        parameters["SipHeaders"] = headers
    return {"Type": "CallAndBridge", "Parameters": parameters}


def hangup_action(call_id: str, code: str = "0") -> dict[str, Any]:
    """Hang up one leg (0 normal, 480 unavailable, 486 busy)."""
    return {"Type": "Hangup", "Parameters": {"CallId": call_id, "SipResponseCode": code}}


def _answer(event: dict[str, Any], actions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    details = event.get("CallDetails") or {}
    log = {
        "event": "sma_handler.answer",
        "invocation": event.get("InvocationEventType"),
        "sequence": event.get("Sequence"),
        "transaction_id": details.get("TransactionId"),
        "legs": [
            {"call_id": p.get("CallId"), "leg": p.get("ParticipantTag"), "status": p.get("Status")}
            for p in _participants(event)
        ],
        "actions": [a["Type"] for a in actions],
        **extra,
    }
    print(json.dumps(log))
    return {"SchemaVersion": SCHEMA_VERSION, "Actions": actions}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one SIP media application invocation."""
    kind = event.get("InvocationEventType")
    leg_a = _leg(event, "LEG-A") or {}
    if kind == "NEW_INBOUND_CALL":
        caller = str(leg_a.get("From") or "")
        headers = headers_for(stored_attributes(caller)) if caller else {}
        return _answer(event, [bridge_action(caller, headers)], sip_headers=headers)
    if kind == "HANGUP":
        # Whichever leg hung up, hang up the other one still connected (billing continues otherwise).
        hung = ((event.get("ActionData") or {}).get("Parameters") or {}).get("CallId")
        others = [
            p for p in _participants(event) if p.get("CallId") != hung and p.get("Status") == "Connected"
        ]
        return _answer(event, [hangup_action(str(p["CallId"])) for p in others])
    if kind == "ACTION_FAILED":
        data = event.get("ActionData") or {}
        actions = [hangup_action(str(leg_a["CallId"]), "480")] if leg_a.get("CallId") else []
        return _answer(
            event, actions, error_type=data.get("ErrorType"), error_message=data.get("ErrorMessage")
        )
    # ACTION_SUCCESSFUL, CALL_ANSWERED, RINGING ...: nothing more to do.
    return _answer(event, [])
