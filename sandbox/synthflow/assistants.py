"""Synthflow assistants (agents) and their phone numbers: `/v2/assistants` (PROVIDERS.md §1.4)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, new_id

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn

_TOP_LEVEL = (
    "name",
    "type",
    "description",
    "external_webhook_url",
    "inbound_call_webhook_url",
    "is_recording",
    "max_duration",
    "voicemail_message",
    "voice_engine_version",  # accepted but undocumented on /v2/assistants (§1.4)
)


def create_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/assistants → `{model_id}` plus `details {phone, voice}`."""
    body = call.json()
    sf.raise_violations(call.body_violations(body))
    _check_voicemail(body)
    workspace_id = sf.workspaces_of(call.account)[0]
    assistant = new_assistant(sf, call.account, workspace_id, body)
    if body.get("phone_number"):
        _attach(sf, assistant, [_slug_of(sf, workspace_id, body["phone_number"])])
    sf.assistants[assistant["model_id"]] = assistant
    details = {"phone": body.get("phone_number"), "voice": assistant["agent"].get("voice_id")}
    return sf.ok({"model_id": assistant["model_id"]}, details=details)


def list_assistants(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/assistants → `{pagination, assistants}`."""
    query = call.query()
    limit, offset = sf.page_params(query)
    mine = [a for a in sf.assistants.values() if a["account_id"] == call.account]
    page = [public_assistant(sf, a) for a in mine[offset : offset + limit]]
    return sf.ok({"pagination": _pagination(len(mine), limit, offset), "assistants": page})


def get_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/assistants/{model_id} → the same envelope with a one-element list (§1.4)."""
    assistant = owned_assistant(sf, call, call.params["model_id"])
    return sf.ok({"pagination": _pagination(1, 1, 0), "assistants": [public_assistant(sf, assistant)]})


def update_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """PUT /v2/assistants/{model_id}: a partial update, only the sent fields change (`agent` merged)."""
    assistant = owned_assistant(sf, call, call.params["model_id"])
    body = call.json()
    sf.raise_violations(call.body_violations(body))
    merged_agent = {**assistant["agent"], **body.get("agent", {})}
    _check_voicemail({**assistant, **body, "agent": merged_agent})
    if body.get("type") and body["type"] != assistant["type"] and body["type"] == "inbound":
        if len(assistant["phone_numbers"]) > 1:
            raise VendorHttpError(
                400, "validation_error", "An inbound assistant can have only one phone number"
            )
        _refuse_shared_inbound(sf, assistant, assistant["phone_numbers"])
    assistant.update({k: copy.deepcopy(body[k]) for k in _TOP_LEVEL if k in body})
    assistant["agent"] = merged_agent
    if body.get("phone_number"):
        _attach(sf, assistant, [_slug_of(sf, assistant["workspace_id"], body["phone_number"])])
    assistant["updated_at"] = sf.now()
    return sf.ok({"model_id": assistant["model_id"]}, details={"phone": body.get("phone_number")})


def delete_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """DELETE /v2/assistants/{model_id} → `{answer}`; its numbers become available again."""
    assistant = owned_assistant(sf, call, call.params["model_id"])
    del sf.assistants[assistant["model_id"]]
    return sf.ok({"answer": f"Assistant {assistant['model_id']} deleted"})


def attach_phone_numbers(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """PUT /v2/assistants/{model_id}/phone_numbers with `phone_numbers` or `phone_number_slugs`."""
    assistant = owned_assistant(sf, call, call.params["model_id"])
    body = call.json()
    sf.raise_violations(call.body_violations(body))
    given = body.get("phone_number_slugs") or body.get("phone_numbers")
    if not given:
        raise VendorHttpError(400, "validation_error", "phone_numbers or phone_number_slugs is required")
    _attach(sf, assistant, [_slug_of(sf, assistant["workspace_id"], n) for n in given])
    assistant["updated_at"] = sf.now()
    numbers = [
        sf.find_number(assistant["workspace_id"], s)["phone_number"] for s in assistant["phone_numbers"]
    ]
    return sf.ok({"model_id": assistant["model_id"], "phone_numbers": numbers})


def detach_phone_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """DELETE /v2/assistants/{model_id}/phone_numbers/{slug}."""
    assistant = owned_assistant(sf, call, call.params["model_id"])
    slug = call.params["slug"].lstrip("+")
    if slug not in assistant["phone_numbers"]:
        raise VendorHttpError(404, "not_found", f"Phone number {slug} is not attached to this assistant")
    assistant["phone_numbers"].remove(slug)
    assistant["updated_at"] = sf.now()
    return sf.ok({"model_id": assistant["model_id"], "detached": slug})


def new_assistant(
    sf: SynthflowStandIn, account_id: str, workspace_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """A stored assistant from a create body (not yet added to the store)."""
    now = sf.now()
    assistant: dict[str, Any] = {
        "model_id": new_id(),
        "account_id": account_id,
        "workspace_id": workspace_id,
        "agent": copy.deepcopy(body.get("agent", {})),
        "phone_numbers": [],
        "created_at": now,
        "updated_at": now,
    }
    assistant.update({k: copy.deepcopy(body[k]) for k in _TOP_LEVEL if k in body})
    return assistant


def owned_assistant(sf: SynthflowStandIn, call: HttpCall, model_id: str) -> dict[str, Any]:
    """The caller's assistant `model_id`, or Synthflow's 404."""
    assistant = sf.assistants.get(model_id)
    if assistant is None or assistant["account_id"] != call.account:
        raise VendorHttpError(404, "not_found", f"Assistant {model_id} not found")
    return assistant


def public_assistant(sf: SynthflowStandIn, assistant: dict[str, Any]) -> dict[str, Any]:
    """An assistant as the API shows it (numbers as E.164, internal ids left out)."""
    shown = {k: copy.deepcopy(v) for k, v in assistant.items() if k not in ("account_id", "phone_numbers")}
    numbers = [sf.find_number(assistant["workspace_id"], s) for s in assistant["phone_numbers"]]
    shown["phone_numbers"] = [n["phone_number"] for n in numbers if n]
    shown["phone_number"] = shown["phone_numbers"][0] if shown["phone_numbers"] else None
    return shown


def _attach(sf: SynthflowStandIn, assistant: dict[str, Any], slugs: list[str]) -> None:
    """Bind numbers; one number per inbound assistant, one inbound assistant per number (§1.2)."""
    combined = list(dict.fromkeys([*assistant["phone_numbers"], *slugs]))
    if assistant["type"] == "inbound" and len(combined) > 1:
        raise VendorHttpError(
            400,
            "validation_error",
            "An inbound assistant can have only one phone number; detach "
            f"{', '.join(assistant['phone_numbers'])} first",
        )
    if assistant["type"] == "inbound":
        _refuse_shared_inbound(sf, assistant, combined)
    assistant["phone_numbers"] = combined


def _refuse_shared_inbound(sf: SynthflowStandIn, assistant: dict[str, Any], slugs: list[str]) -> None:
    for other in sf.assistants.values():
        if (
            other is assistant
            or other["type"] != "inbound"
            or other["workspace_id"] != assistant["workspace_id"]
        ):
            continue
        shared = set(other["phone_numbers"]) & set(slugs)
        if shared:
            raise VendorHttpError(
                400,
                "validation_error",
                f"Phone number {', '.join(sorted(shared))} already serves inbound assistant "
                f"{other['model_id']}",
            )


def _slug_of(sf: SynthflowStandIn, workspace_id: str, number_or_slug: str) -> str:
    slug = number_or_slug.strip().lstrip("+")
    if sf.find_number(workspace_id, slug) is None:
        raise VendorHttpError(404, "not_found", f"Phone number {number_or_slug} not found in the workspace")
    return slug


def _check_voicemail(body: dict[str, Any]) -> None:
    voicemail = body.get("voicemail_message") or {}
    mode = (body.get("agent") or {}).get("greeting_message_mode")
    if voicemail.get("enabled") and mode not in (None, "human"):
        # §1.4: a voicemail message needs greeting_message_mode=human.
        raise VendorHttpError(
            400, "validation_error", "voicemail_message needs agent.greeting_message_mode human"
        )


def _pagination(total: int, limit: int, offset: int) -> dict[str, int]:
    return {"total_records": total, "limit": limit, "offset": offset}
