"""Vapi `/assistant`: just enough of assistants to create one and reference it (PROVIDERS.md §2.4)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id

if TYPE_CHECKING:
    from sandbox.vapi.stand_in import VapiStandIn

_SETTABLE = ("name", "firstMessage", "model", "voice", "transcriber", "server", "serverMessages", "metadata")


def create_assistant(vapi: VapiStandIn, call: HttpCall) -> Response:
    """POST /assistant → 201 with the assistant."""
    body = call.json()
    vapi.check_body(call, body, None)
    assistant = vapi.add_assistant(call.account, body)
    return json_response(assistant, 201)


def list_assistants(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /assistant → a bare array, newest first, at most `limit` (default 100)."""
    limit = vapi.limit_param(call)
    mine = [a for a in vapi.assistants.values() if a["orgId"] == call.account]
    mine.sort(key=lambda a: a["createdAt"], reverse=True)
    return json_response(mine[:limit])


def get_assistant(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /assistant/{id}."""
    return json_response(_owned(vapi, call))


def update_assistant(vapi: VapiStandIn, call: HttpCall) -> Response:
    """PATCH /assistant/{id}: sent fields replace stored ones."""
    assistant = _owned(vapi, call)
    body = call.json()
    vapi.check_body(call, body, None)
    assistant.update({k: copy.deepcopy(body[k]) for k in _SETTABLE if k in body})
    assistant["updatedAt"] = vapi.now()
    return json_response(assistant)


def delete_assistant(vapi: VapiStandIn, call: HttpCall) -> Response:
    """DELETE /assistant/{id} → 200 with the deleted assistant."""
    assistant = _owned(vapi, call)
    del vapi.assistants[assistant["id"]]
    return json_response(assistant)


def new_assistant(org_id: str, body: dict[str, Any], now: str) -> dict[str, Any]:
    """A stored assistant from a create body."""
    assistant = {"id": new_id(), "orgId": org_id, "createdAt": now, "updatedAt": now}
    assistant.update({k: copy.deepcopy(body[k]) for k in _SETTABLE if k in body})
    return assistant


def _owned(vapi: VapiStandIn, call: HttpCall) -> dict[str, Any]:
    assistant = vapi.assistants.get(call.params["id"])
    if assistant is None or assistant["orgId"] != call.account:
        raise VendorHttpError(404, "", "Assistant not found")
    return assistant
