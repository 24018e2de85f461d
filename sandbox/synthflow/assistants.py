"""Synthflow assistants (agents) and their numbers: `/v2/assistants` (reference.json, PROVIDERS.md §1.4).

An agent has two kinds of numbers, as the reference documents them:
- `phone_number`, "the phone number attached to the agent", set on create or by
  `PUT /v2/assistants/{model_id}` ("update an agent's name, phone number, or other
  parameters"): for an inbound agent, the number it answers;
- `attached_phone_numbers: [{number, sid, slug}]`, "available for outbound calls
  from this agent", managed by `PUT|DELETE /v2/assistants/{model_id}/phone_numbers`
  ("Attach phone numbers to an outbound agent").
There is no `phone_numbers` field on an agent.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, new_id

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn

#: top-level settings an agent keeps and shows back (GET shows no inbound_call_webhook_url and no
#: voice_engine_version: they are kept, not shown)
_SHOWN = (
    "name",
    "type",
    "description",
    "external_webhook_url",
    "is_recording",
    "max_duration",
    "voicemail_message",
    "end_call_reasons",
)
_KEPT = (*_SHOWN, "inbound_call_webhook_url", "voice_engine_version")
#: what the list shows of an agent (reference: AssistantOnList), the single GET shows more
_LIST_ONLY = ("attached_phone_numbers", "actions", "input_variables")


def create_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/assistants → `{model_id}` plus `details {phone, voice}`."""
    body = call.json()
    _check_voicemail(body)
    workspace_id = sf.workspaces_of(call.account)[0]
    assistant = new_assistant(sf, call.account, workspace_id, body)
    if body.get("phone_number"):
        _set_number(sf, assistant, body["phone_number"])
    sf.assistants[assistant["model_id"]] = assistant
    return sf.ok({"model_id": assistant["model_id"]}, details=_details(sf, assistant))


def list_assistants(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/assistants → `{pagination, assistants}`."""
    limit, offset = sf.page_params(call.query())
    mine = [a for a in sf.assistants.values() if a["account_id"] == call.account]
    page = [
        {k: v for k, v in public_assistant(sf, a).items() if k not in _LIST_ONLY}
        for a in mine[offset : offset + limit]
    ]
    return sf.ok({"pagination": _pagination(len(mine), limit, offset), "assistants": page})


def get_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/assistants/{model_id} → the envelope with a one-element list; unknown → 400."""
    assistant = owned_assistant(sf, call, call.params["model_id"], unknown_status=400)
    return sf.ok({"pagination": _pagination(1, 1, 0), "assistants": [public_assistant(sf, assistant)]})


def update_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """PUT /v2/assistants/{model_id}: a partial update, only the sent fields change (`agent` merged)."""
    assistant = owned_assistant(sf, call, call.params["model_id"], unknown_status=400)
    body = call.json()
    merged_agent = {**assistant["agent"], **body.get("agent", {})}
    _check_voicemail({**assistant, **body, "agent": merged_agent})
    if "phone_number" in body:
        _set_number(sf, assistant, body["phone_number"])
    assistant.update({k: copy.deepcopy(body[k]) for k in _KEPT if k in body})
    assistant["agent"] = merged_agent
    assistant["updated_at"] = sf.now()
    return sf.ok({"model_id": assistant["model_id"]}, details=_details(sf, assistant))


def delete_assistant(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """DELETE /v2/assistants/{model_id} → `{answer}`; its numbers become available again."""
    assistant = owned_assistant(sf, call, call.params["model_id"], unknown_status=400)
    del sf.assistants[assistant["model_id"]]
    return sf.ok({"answer": f"Assistant {assistant['model_id']} deleted"})


def attach_phone_numbers(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """PUT /v2/assistants/{model_id}/phone_numbers: numbers an outbound agent may call from → `{status}`."""
    assistant = owned_assistant(sf, call, call.params["model_id"], unknown_status=404)
    if assistant["type"] != "outbound":
        # The reference documents this endpoint "to an outbound agent" only (stricter reading).
        raise VendorHttpError(
            400,
            "validation_error",
            f"Assistant {assistant['model_id']} is an {assistant['type']} agent: phone numbers are attached "
            "to outbound agents; an inbound agent's number is its phone_number",
        )
    body = call.json()
    given = body.get("phone_number_slugs") or body.get("phone_numbers") or []
    slugs = [_slug_of(sf, assistant["workspace_id"], n, unknown_status=404) for n in given]
    assistant["attached"] = list(dict.fromkeys([*assistant["attached"], *slugs]))
    assistant["updated_at"] = sf.now()
    return sf.status_ok()


def detach_phone_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """DELETE /v2/assistants/{model_id}/phone_numbers/{slug}: an attached outbound number → `{status}`."""
    assistant = owned_assistant(sf, call, call.params["model_id"], unknown_status=404)
    slug = call.params["phone_number_slug"].lstrip("+")
    if slug not in assistant["attached"]:
        raise VendorHttpError(404, "not_found", f"Phone number {slug} is not attached to this assistant")
    assistant["attached"].remove(slug)
    assistant["updated_at"] = sf.now()
    return sf.status_ok()


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
        "phone_number": None,  # slug of the agent's own number
        "attached": [],  # slugs attached for outbound calls
        "created_at": now,
        "updated_at": now,
    }
    assistant.update({k: copy.deepcopy(body[k]) for k in _KEPT if k in body})
    return assistant


def owned_assistant(
    sf: SynthflowStandIn, call: HttpCall, model_id: str, *, unknown_status: int
) -> dict[str, Any]:
    """The caller's assistant `model_id`; an unknown one is `unknown_status`, the operation's
    documented error (400 where the reference documents only 400)."""
    assistant = sf.assistants.get(model_id)
    if assistant is None or assistant["account_id"] != call.account:
        raise VendorHttpError(unknown_status, "not_found", f"Assistant {model_id} not found")
    return assistant


def public_assistant(sf: SynthflowStandIn, assistant: dict[str, Any]) -> dict[str, Any]:
    """An assistant as `GET /v2/assistants/{model_id}` shows it (reference: AssistantOnGet)."""
    shown = {k: copy.deepcopy(assistant[k]) for k in _SHOWN if k in assistant}
    shown.update(model_id=assistant["model_id"], agent=copy.deepcopy(assistant["agent"]))
    own = _number_of(sf, assistant, assistant["phone_number"])
    if own is not None:
        shown["phone_number"] = own["phone_number"]
    attached = [_number_of(sf, assistant, slug) for slug in assistant["attached"]]
    shown["attached_phone_numbers"] = [
        {"number": n["phone_number"], "sid": None, "slug": n["slug"]} for n in attached if n
    ]
    shown["actions"], shown["input_variables"] = [], []
    return shown


def _details(sf: SynthflowStandIn, assistant: dict[str, Any]) -> dict[str, str]:
    own = _number_of(sf, assistant, assistant["phone_number"])
    details = {"phone": own["phone_number"]} if own else {}
    if assistant["agent"].get("voice_id"):
        details["voice"] = assistant["agent"]["voice_id"]
    return details


def _number_of(sf: SynthflowStandIn, assistant: dict[str, Any], slug: str | None) -> dict[str, Any] | None:
    return sf.find_number(assistant["workspace_id"], slug) if slug else None


def _set_number(sf: SynthflowStandIn, assistant: dict[str, Any], number: str) -> None:
    """Give the agent its number; one number serves one inbound agent (docs: phone-numbers)."""
    slug = _slug_of(sf, assistant["workspace_id"], number, unknown_status=400)
    if assistant["type"] == "inbound":
        number_record = sf.find_number(assistant["workspace_id"], slug)
        holder = sf.inbound_agent_of(number_record) if number_record else None
        if holder is not None and holder is not assistant:
            raise VendorHttpError(
                400,
                "validation_error",
                f"Phone number {number} already serves inbound assistant {holder['model_id']}",
            )
    assistant["phone_number"] = slug


def _slug_of(sf: SynthflowStandIn, workspace_id: str, number_or_slug: str, *, unknown_status: int) -> str:
    slug = number_or_slug.strip().lstrip("+")
    if sf.find_number(workspace_id, slug) is None:
        raise VendorHttpError(
            unknown_status, "not_found", f"Phone number {number_or_slug} not found in the workspace"
        )
    return slug


def _check_voicemail(body: dict[str, Any]) -> None:
    voicemail = body.get("voicemail_message") or {}
    mode = (body.get("agent") or {}).get("greeting_message_mode")
    if voicemail.get("enabled") and mode not in (None, "human"):
        # "Requires greeting_message_mode to be set to human" (reference: voicemail_message).
        raise VendorHttpError(
            400, "validation_error", "voicemail_message needs agent.greeting_message_mode human"
        )


def _pagination(total: int, limit: int, offset: int) -> dict[str, int]:
    return {"total_records": total, "limit": limit, "offset": offset}
