"""Synthflow phone numbers: `POST /v2/custom-numbers` and `/v2/numbers` (reference.json, PROVIDERS.md §1.2).

`GET /v2/numbers/{slug}` answers the number as a flat object, with no `{status,
response}` envelope, and 400 for a number that is not imported: 400 is the only
error the reference documents for it (operationId get-phone-number). PATCH and
DELETE take no `workspace` parameter: the number is found among the key's workspaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import phonenumbers
from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.synthflow.rules import AUTO_TERMINATION, NO_TRUNK_CREDENTIALS

if TYPE_CHECKING:
    from sandbox.synthflow.stand_in import SynthflowStandIn

_UPDATABLE = (
    "friendly_name",
    "sip_auth_username",
    "sip_outbound_proxy",
    "provider_name",
    "trunk_username",
    "trunk_pwd",
    "uac_enabled",
    "uac_register_expires",
)


def create_custom_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """POST /v2/custom-numbers → `{key, phone_number}` in the envelope."""
    body = call.json()
    workspace = sf.workspace_of(call, body["workspace_id"])
    slug = body["phone_number"].lstrip("+")
    if sf.find_number(workspace["id"], slug) is not None:
        raise VendorHttpError(
            400, "validation_error", f"Phone number {body['phone_number']} is already imported"
        )
    provider = body.get("provider_name") or "custom"
    now = sf.now()
    number = {
        "key": new_id(),
        "slug": slug,
        "phone_number": body["phone_number"],
        "friendly_name": body.get("friendly_name", ""),
        "provider_name": provider,
        # termination_uri is stored as sip_term_uri; five9/ringcx/zoom fill it themselves (§1.2).
        "sip_term_uri": AUTO_TERMINATION.get(provider, body.get("termination_uri")),
        "sip_outbound_proxy": body.get("sip_outbound_proxy"),
        "sip_auth_username": body.get("sip_auth_username"),
        "trunk_username": None if provider in NO_TRUNK_CREDENTIALS else body.get("trunk_username"),
        "trunk_pwd": None if provider in NO_TRUNK_CREDENTIALS else body.get("trunk_pwd"),
        "uac_enabled": body.get("uac_enabled", False),
        "uac_register_expires": body.get("uac_register_expires", 300),
        "workspace_id": workspace["id"],
        "region": workspace["region"],
        "iso_country": _country(body["phone_number"]),
        "created_at": now,
        "updated_at": now,
    }
    sf.numbers[number["key"]] = number
    return sf.ok({"key": number["key"], "phone_number": number["phone_number"]})


def list_numbers(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/numbers?workspace= → paginated `{number, sid, is_available}` items."""
    query = call.query()
    workspace = sf.workspace_of(call, query["workspace"])
    limit, offset = sf.page_params(query)
    numbers = [n for n in sf.numbers.values() if n["workspace_id"] == workspace["id"]]
    if "is_available" in query:
        wanted = query["is_available"].lower() == "true"
        numbers = [n for n in numbers if sf.is_available(n) == wanted]
    page = numbers[offset : offset + limit]
    return sf.ok(
        {
            "pagination": {"total_records": len(numbers), "limit": limit, "offset": offset},
            "phone_numbers": [
                {"number": n["phone_number"], "sid": None, "is_available": sf.is_available(n)} for n in page
            ],
        }
    )


def get_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """GET /v2/numbers/{slug}?workspace= → the number itself, flat (no envelope); unknown → 400."""
    workspace = sf.workspace_of(call, call.query()["workspace"])
    return json_response(public_number(sf, _number(sf, call, [workspace["id"]])))


def update_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """PATCH /v2/numbers/{slug} → `{status}`; `termination_uri` is an alias of `sip_term_uri`."""
    number = _number(sf, call, sf.workspaces_of(call.account))
    body = call.json()
    merged = {**number, **{k: body[k] for k in _UPDATABLE if k in body}}
    if "termination_uri" in body or "sip_term_uri" in body:
        merged["sip_term_uri"] = body.get("sip_term_uri", body.get("termination_uri"))
    if merged["provider_name"] in AUTO_TERMINATION:
        merged["sip_term_uri"] = AUTO_TERMINATION[merged["provider_name"]]
    elif not merged.get("sip_term_uri"):
        raise VendorHttpError(
            400,
            "validation_error",
            f"provider_name {merged['provider_name']} needs a SIP domain (sip_term_uri)",
        )
    uac = merged.get("uac_enabled") and merged["provider_name"] not in NO_TRUNK_CREDENTIALS
    if uac and not (merged.get("trunk_username") and merged.get("trunk_pwd")):
        raise VendorHttpError(400, "validation_error", "uac_enabled needs trunk_username and trunk_pwd")
    number.update(merged, updated_at=sf.now())
    return sf.status_ok()


def delete_number(sf: SynthflowStandIn, call: HttpCall) -> Response:
    """DELETE /v2/numbers/{slug} → `{status}`; "this will detach the phone number from any agents"."""
    number = _number(sf, call, sf.workspaces_of(call.account))
    for assistant in sf.assistants.values():
        if assistant["workspace_id"] != number["workspace_id"]:
            continue
        if assistant["phone_number"] == number["slug"]:
            assistant["phone_number"] = None
        if number["slug"] in assistant["attached"]:
            assistant["attached"].remove(number["slug"])
    del sf.numbers[number["key"]]
    return sf.status_ok()


def public_number(sf: SynthflowStandIn, number: dict[str, Any]) -> dict[str, Any]:
    """A number as GET /v2/numbers/{slug} shows it (reference: get-phone-number; credentials never)."""
    return {
        "slug": number["slug"],
        # Twilio's vocabulary for an imported number that needs no address (value UNCONFIRMED).
        "address_requirement": "none",
        "phone_number": number["phone_number"],
        "friendly_name": number["friendly_name"],
        "is_sms_capable": False,
        "is_voice_capable": True,
        "iso_country": number["iso_country"],
        "locality": "",
        "sip_auth_username": number["sip_auth_username"],
        "sip_outbound_proxy": number["sip_outbound_proxy"],
        "sip_term_uri": number["sip_term_uri"] or "",
        "uac_enabled": number["uac_enabled"],
        "uac_register_expires": number["uac_register_expires"],
        # A custom number has no carrier SID; the list answers null, this schema says string (UNCONFIRMED).
        "sid": "",
        "provider_name": number["provider_name"],
        "region": number["region"],
        "is_available": sf.is_available(number),
        "agency_workspace_id": None,
        "workspace_id": number["workspace_id"],
        "created_at": number["created_at"],
        "updated_at": number["updated_at"],
        "assistants": sf.assistants_of(number),
    }


def _number(sf: SynthflowStandIn, call: HttpCall, workspaces: list[str]) -> dict[str, Any]:
    """The number of the path's slug in one of `workspaces`; not imported → 400, the only error
    the reference documents for GET, PATCH and DELETE of a number."""
    for workspace in workspaces:
        number = sf.find_number(workspace, call.params["phone_number_slug"])
        if number is not None:
            return number
    raise VendorHttpError(
        400, "validation_error", f"Phone number {call.params['phone_number_slug']} not found"
    )


def _country(number: str) -> str:
    """ISO country of an E.164 number; "" for identifiers that are not numbers (Five9, Zoom)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""
