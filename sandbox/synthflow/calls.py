"""Synthflow calls: `POST /v2/prepare_inbound` and `/v2/calls` (PROVIDERS.md §1.5, §1.8)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.synthflow.assistants import owned_assistant

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn

#: fields of a call record the API never shows
_INTERNAL = ("account_id", "prepared_at", "workspace_id")


def prepare_inbound(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/prepare_inbound → `{call_status: registered|failed, synthflow_call_id, direction, ...}`."""
    body = call.json()
    sf.raise_violations(call.body_violations(body))
    variables = body.get("custom_variables", {})
    bad = [k for k, v in variables.items() if not isinstance(v, str)]
    if bad:
        # §1.5: custom_variables is an object of string → string.
        raise VendorHttpError(
            400, "validation_error", f"custom_variables values must be strings: {', '.join(bad)}"
        )
    workspace = sf.workspace_of(call, body["workspace_id"])
    assistant = owned_assistant(sf, call, body["model_id"])
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
        call_status="registered",
        type_of_call="inbound",
        phone_number_from=body["from_number"],
        phone_number_to=body["to_number"],
        custom_variables=variables,
    )
    return json_response({"call_status": "registered", "synthflow_call_id": record["call_id"], **answer})


def list_calls(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/calls?model_id= → `{pagination, calls}`, filtered as §1.8 lists."""
    query = call.query()
    sf.raise_violations(call.query_violations(query))
    assistant = owned_assistant(sf, call, query["model_id"])
    limit, offset = sf.page_params(query)
    calls = [c for c in sf.calls.values() if c["model_id"] == assistant["model_id"]]
    if "call_status" in query:
        calls = [c for c in calls if c["call_status"] == query["call_status"]]
    if "lead_phone_number" in query:
        calls = [c for c in calls if c["lead_phone_number"] == query["lead_phone_number"]]
    if "from_date" in query:
        calls = [c for c in calls if int(c["start_time"]) >= int(query["from_date"])]
    if "to_date" in query:
        calls = [c for c in calls if int(c["start_time"]) <= int(query["to_date"])]
    if "duration_min" in query:
        calls = [c for c in calls if c["duration"] >= int(query["duration_min"])]
    if "duration_max" in query:
        calls = [c for c in calls if c["duration"] <= int(query["duration_max"])]
    page = [public_call(c) for c in calls[offset : offset + limit]]
    pagination = {"total_records": len(calls), "limit": limit, "offset": offset}
    return sf.ok({"pagination": pagination, "calls": page})


def get_call(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/calls/{call_id} → the envelope with `calls: [one]`; unknown → 404."""
    record = sf.calls.get(call.params["call_id"])
    if record is None or record["account_id"] != call.account:
        raise VendorHttpError(404, "not_found", f"Call {call.params['call_id']} not found")
    return sf.ok(
        {"pagination": {"total_records": 1, "limit": 1, "offset": 0}, "calls": [public_call(record)]}
    )


def create_call(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/calls (outbound) → `{answer, call_id}` and an `eta`."""
    body = call.json()
    sf.raise_violations(call.body_violations(body))
    assistant = owned_assistant(sf, call, body["model_id"])
    if assistant["type"] != "outbound":
        raise VendorHttpError(
            400, "validation_error", f"Assistant {assistant['model_id']} is not an outbound assistant"
        )
    variables = {item["key"]: item["value"] for item in body.get("custom_variables", [])}
    record = new_call(
        sf,
        assistant,
        call_status="pending",
        type_of_call="outbound",
        phone_number_from=body.get("from_phone_number"),
        phone_number_to=body["phone"],
        custom_variables=variables,
    )
    return json_response(
        {
            "status": "ok",
            "response": {"answer": "Call has been queued", "call_id": record["call_id"]},
            "eta": 0,
        }
    )


def new_call(sf: SynthflowStandIn, assistant: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Store a call record of `assistant` with the §1.8 fields, mostly empty as a fresh call has them."""
    now = time.time()
    record = {
        "call_id": new_id(),
        "model_id": assistant["model_id"],
        "account_id": assistant["account_id"],
        "workspace_id": assistant["workspace_id"],
        "duration": 0,
        "end_call_reason": None,
        "lead_phone_number": fields.get("phone_number_from")
        if fields.get("type_of_call") == "inbound"
        else fields.get("phone_number_to"),
        "recording_url": None,
        "transcript": "",
        "error_message": None,
        "start_time": str(int(now * 1000)),
        "telephony_hangup": None,
        "telephony_disconnect_reason": None,
        "telephony_duration": 0,
        "collected_variables": {},
        "labels": [],
        "external_id": None,
        "diversion": None,
        "prepared_at": now,
        **fields,
    }
    sf.calls[record["call_id"]] = record
    return record


def public_call(record: dict[str, Any]) -> dict[str, Any]:
    """A call as the API shows it."""
    return {k: v for k, v in record.items() if k not in _INTERNAL}
