"""Synthflow calls: `POST /v2/prepare_inbound` and `/v2/calls` (reference.json, PROVIDERS.md §1.5, §1.8).

A call is stored once and shown in the two shapes the reference documents: the
list's (`call_status`, `lead_phone_number`, `agent_phone_number`, ...) and the
single GET's (`status`, `prompt_variables`, ...). Variables given to prepare_inbound
and `X-*` headers of the INVITE are the call's prompt variables.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.synthflow.assistants import owned_assistant

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn


def prepare_inbound(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/prepare_inbound → `{call_status: registered|failed, synthflow_call_id, direction, ...}`."""
    body = call.json()
    variables = body.get("custom_variables", {})
    workspace = sf.workspace_of(call, body["workspace_id"])
    assistant = owned_assistant(sf, call, body["model_id"], unknown_status=400)
    if assistant["type"] != "inbound":
        raise VendorHttpError(
            400, "validation_error", f"Assistant {assistant['model_id']} is not an inbound assistant"
        )
    answer = {
        "direction": "inbound",
        "model_id": assistant["model_id"],
        "workspace_id": workspace["id"],
        "custom_variables": variables,
    }
    if sf.prepare_inbound_outage:
        # `failed` is how Synthflow reports a service outage here (§1.5); no call is registered.
        return json_response({"call_status": "failed", "synthflow_call_id": None, **answer})
    record = new_call(
        sf,
        assistant,
        status="registered",
        type_of_call="inbound",
        phone_number_from=body["from_number"],
        phone_number_to=body["to_number"],
        variables=variables,
    )
    return json_response({"call_status": "registered", "synthflow_call_id": record["call_id"], **answer})


def list_calls(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/calls?model_id= → `{pagination, calls}`, filtered as the reference lists."""
    query = call.query()
    assistant = owned_assistant(sf, call, query["model_id"], unknown_status=400)
    limit, offset = sf.page_params(query)
    calls = [c for c in sf.calls.values() if c["model_id"] == assistant["model_id"]]
    if "call_status" in query:
        calls = [c for c in calls if c["status"] == query["call_status"]]
    if "lead_phone_number" in query:
        calls = [c for c in calls if _lead(c) == query["lead_phone_number"]]
    if "from_date" in query:
        calls = [c for c in calls if int(c["start_time"]) >= int(query["from_date"])]
    if "to_date" in query:
        calls = [c for c in calls if int(c["start_time"]) <= int(query["to_date"])]
    if "duration_min" in query:
        calls = [c for c in calls if c["duration"] >= int(query["duration_min"])]
    if "duration_max" in query:
        calls = [c for c in calls if c["duration"] <= int(query["duration_max"])]
    page = [listed_call(c) for c in calls[offset : offset + limit]]
    pagination = {"total_records": len(calls), "limit": limit, "offset": offset}
    return sf.ok({"pagination": pagination, "calls": page})


def get_call(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/calls/{call_id} → the envelope with `calls: [one]`; unknown → 404."""
    record = sf.calls.get(call.params["call_id"])
    if record is None or record["account_id"] != call.account:
        raise VendorHttpError(404, "not_found", f"Call {call.params['call_id']} not found")
    return sf.ok(
        {"pagination": {"total_records": 1, "limit": 1, "offset": 0}, "calls": [fetched_call(record)]}
    )


def create_call(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/calls (outbound) → `{answer, call_id}` and an `eta`."""
    body = call.json()
    assistant = owned_assistant(sf, call, body["model_id"], unknown_status=400)
    if assistant["type"] != "outbound":
        raise VendorHttpError(
            400, "validation_error", f"Assistant {assistant['model_id']} is not an outbound assistant"
        )
    own = sf.find_number(assistant["workspace_id"], assistant["phone_number"] or "")
    record = new_call(
        sf,
        assistant,
        status="pending",
        type_of_call="outbound",
        phone_number_from=body.get("from_phone_number") or (own["phone_number"] if own else ""),
        phone_number_to=body["phone"],
        variables={item["key"]: item["value"] for item in body.get("custom_variables", [])},
        name=body["name"],
    )
    return json_response(
        {
            "status": "ok",
            "response": {"answer": "Call has been queued", "call_id": record["call_id"]},
            "eta": 0,
        }
    )


def new_call(sf: SynthflowStandIn, assistant: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Store a call of `assistant`: `status`, `type_of_call`, the two numbers, its `variables`."""
    record = {
        "call_id": new_id(),
        "model_id": assistant["model_id"],
        "account_id": assistant["account_id"],
        "duration": 0,
        "end_call_reason": None,
        "transcript": "",
        "error_message": "",
        "start_time": str(int(time.time() * 1000)),
        "telephony_start": None,
        "name": None,
        "prepared_at": time.time(),
        **fields,
    }
    sf.calls[record["call_id"]] = record
    return record


def connect(record: dict[str, Any], variables: dict[str, str]) -> None:
    """The SIP leg of a call arrived: it is in progress, with the INVITE's variables added."""
    record["status"] = "in-progress"
    record["telephony_start"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["variables"] = {**record.get("variables", {}), **variables}


def listed_call(record: dict[str, Any]) -> dict[str, Any]:
    """A call as `GET /v2/calls` lists it (reference: CallOnList)."""
    inbound = record["type_of_call"] == "inbound"
    return {
        "call_id": record["call_id"],
        "model_id": record["model_id"],
        "duration": record["duration"],
        "end_call_reason": record["end_call_reason"],
        "judge_results": None,
        "lead_phone_number": _lead(record),
        "agents_used": [record["model_id"]],
        "executed_actions": {},
        "recording_url": None,
        "type_of_call": record["type_of_call"],
        "recording_duration": None,
        "transcript": record["transcript"],
        "error_message": record["error_message"] or None,
        "call_status": record["status"],
        "start_time": record["start_time"],
        "lead_name": record["name"],
        "name": record["name"],
        "labels": [],
        "agent_phone_number": record["phone_number_to"] if inbound else record["phone_number_from"],
        "deployment_type": None,
        "timezone": None,
        "telephony_hangup": None,
        "telephony_disconnect_reason": None,
        "telephony_duration": None,
        "telephony_start": record["telephony_start"],
        "telephony_end": None,
        "phone_number_from": record["phone_number_from"],
        "phone_number_to": record["phone_number_to"],
        "collected_variables": {},
    }


def fetched_call(record: dict[str, Any]) -> dict[str, Any]:
    """A call as `GET /v2/calls/{call_id}` shows it (reference: CallOnGet)."""
    named = {"name": record["name"]} if record["name"] is not None else {}
    return {
        **named,
        "call_id": record["call_id"],
        "model_id": record["model_id"],
        "phone_number_from": record["phone_number_from"],
        "phone_number_to": record["phone_number_to"],
        "transcript": record["transcript"],
        "duration": record["duration"],
        "recording_url": None,
        "end_call_reason": record["end_call_reason"],
        "error_message": record["error_message"],
        "executed_actions": {},
        "prompt_variables": dict(record.get("variables", {})),
        "type_of_call": record["type_of_call"],
        "start_time": record["start_time"],
        "telephony_hangup": None,
        "telephony_disconnect_reason": None,
        "telephony_duration": 0,
        "telephony_ringing_duration": 0,
        "telephony_start": record["telephony_start"],
        "telephony_end": None,
        "status": record["status"],
        "collected_variables": {},
    }


def _lead(record: dict[str, Any]) -> str:
    """The other party: the caller of an inbound call, the callee of an outbound one."""
    inbound = record["type_of_call"] == "inbound"
    return record["phone_number_from"] if inbound else record["phone_number_to"]
