"""Vapi `/phone-number`: BYO phone numbers on a SIP-trunk credential (PROVIDERS.md §2.3)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.vapi.rules import PHONE_NUMBER_PROPERTIES

if TYPE_CHECKING:
    from sandbox.vapi.stand_in import VapiStandIn

_SETTABLE = (
    "credentialId",
    "number",
    "numberE164CheckEnabled",
    "name",
    "assistantId",
    "squadId",
    "workflowId",
    "server",
    "fallbackDestination",
    "hooks",
)


def create_phone_number(vapi: VapiStandIn, call: HttpCall) -> Response:
    """POST /phone-number → 201 with id, orgId, createdAt, updatedAt and `status: active`."""
    body = call.json()
    vapi.check_body(call, body, PHONE_NUMBER_PROPERTIES)
    _check_references(vapi, call, body)
    now = vapi.now()
    number: dict[str, Any] = {
        "id": new_id(),
        "orgId": call.account,
        "provider": "byo-phone-number",
        "numberE164CheckEnabled": True,
        "status": "active",
        "createdAt": now,
        "updatedAt": now,
    }
    number.update({k: copy.deepcopy(body[k]) for k in _SETTABLE if k in body})
    vapi.phone_numbers[number["id"]] = number
    return json_response(number, 201)


def list_phone_numbers(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /phone-number → a bare array, newest first, at most `limit` (default 100)."""
    limit = vapi.limit_param(call)
    return json_response(_mine(vapi, call)[:limit])


def list_phone_numbers_paginated(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /v2/phone-number → `{results, metadata}` (PROVIDERS.md §2.3), `search` on number and name."""
    query = call.query()
    limit = vapi.limit_param(call)
    page = int(query.get("page", "1")) if query.get("page", "1").isdigit() else 1
    numbers = _mine(vapi, call)
    if search := query.get("search"):
        numbers = [n for n in numbers if search in (n.get("number") or "") or search in (n.get("name") or "")]
    if query.get("sortOrder", "DESC") == "ASC":
        numbers.reverse()
    start = (max(page, 1) - 1) * limit
    metadata = {"itemsPerPage": limit, "totalItems": len(numbers), "currentPage": max(page, 1)}
    return json_response({"results": numbers[start : start + limit], "metadata": metadata})


def get_phone_number(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /phone-number/{id}."""
    return json_response(_owned(vapi, call))


def update_phone_number(vapi: VapiStandIn, call: HttpCall) -> Response:
    """PATCH /phone-number/{id} → 200 with the object; `assistantId: null` switches to dynamic mode."""
    number = _owned(vapi, call)
    body = call.json()
    vapi.check_body(call, body, PHONE_NUMBER_PROPERTIES)
    _check_references(vapi, call, {**number, **body})
    number.update({k: copy.deepcopy(body[k]) for k in _SETTABLE if k in body})
    number["updatedAt"] = vapi.now()
    return json_response(number)


def delete_phone_number(vapi: VapiStandIn, call: HttpCall) -> Response:
    """DELETE /phone-number/{id} → 200 with the deleted object."""
    number = _owned(vapi, call)
    del vapi.phone_numbers[number["id"]]
    return json_response(number)


def _mine(vapi: VapiStandIn, call: HttpCall) -> list[dict[str, Any]]:
    mine = [n for n in vapi.phone_numbers.values() if n["orgId"] == call.account]
    mine.sort(key=lambda n: n["createdAt"], reverse=True)
    return mine


def _owned(vapi: VapiStandIn, call: HttpCall) -> dict[str, Any]:
    number = vapi.phone_numbers.get(call.params["id"])
    if number is None or number["orgId"] != call.account:
        raise VendorHttpError(404, "", "Phone number not found")
    return number


def _check_references(vapi: VapiStandIn, call: HttpCall, merged: dict[str, Any]) -> None:
    """The credential and assistant must exist in the caller's org; one call target at most."""
    credential = vapi.credentials.get(merged["credentialId"])
    if credential is None or credential["orgId"] != call.account:
        raise VendorHttpError(400, "", f"Credential {merged['credentialId']} not found")
    assistant_id = merged.get("assistantId")
    if assistant_id is not None:
        assistant = vapi.assistants.get(assistant_id)
        if assistant is None or assistant["orgId"] != call.account:
            raise VendorHttpError(400, "", f"Assistant {assistant_id} not found")
    targets = [k for k in ("assistantId", "squadId", "workflowId") if merged.get(k) is not None]
    if len(targets) > 1:
        raise VendorHttpError(
            400, "", f"Only one of assistantId, squadId, workflowId may be set (got {targets})"
        )
