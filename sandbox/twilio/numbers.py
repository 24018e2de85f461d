"""Twilio IncomingPhoneNumbers: list, fetch and update (PROVIDERS.md §3)."""

from __future__ import annotations

import email.utils
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import phonenumbers
from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response
from sandbox.twilio.rules import FIELDS

if TYPE_CHECKING:
    from sandbox.twilio.stand_in import TwilioStandIn

API = "/2010-04-01"


def list_numbers(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../IncomingPhoneNumbers.json: Twilio's paging envelope, `PhoneNumber`/`FriendlyName` filters."""
    account_sid = _own_account(tw, call)
    query = call.query()
    tw.raise_violations(call.query_violations(query))
    size, page = int(query.get("PageSize", 50)), int(query.get("Page", 0))
    numbers = [n for n in tw.numbers.values() if n["account_sid"] == account_sid]
    if "PhoneNumber" in query:
        # Twilio matches a pattern of digits anywhere in the number (e.g. "555" or "+14155550100").
        wanted = "".join(c for c in query["PhoneNumber"] if c.isdigit())
        numbers = [n for n in numbers if wanted in n["phone_number"]]
    if "FriendlyName" in query:
        numbers = [n for n in numbers if n["friendly_name"] == query["FriendlyName"]]
    base = f"{API}/Accounts/{account_sid}/IncomingPhoneNumbers.json"
    filters: dict[str, Any] = {k: query[k] for k in ("PhoneNumber", "FriendlyName") if k in query}

    def page_uri(number: int) -> str:
        return f"{base}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

    chunk = numbers[page * size : (page + 1) * size]
    has_next = (page + 1) * size < len(numbers)
    return json_response(
        {
            "incoming_phone_numbers": [public_number(n) for n in chunk],
            "page": page,
            "page_size": size,
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if has_next else None,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
        }
    )


def fetch_number(tw: TwilioStandIn, call: HttpCall) -> Response:
    """GET .../IncomingPhoneNumbers/{Sid}.json."""
    return json_response(public_number(_owned(tw, call)))


def update_number(tw: TwilioStandIn, call: HttpCall) -> Response:
    """POST .../IncomingPhoneNumbers/{Sid}.json, form-encoded; the first bad parameter is the 400."""
    number = _owned(tw, call)
    if call.request.mimetype not in ("application/x-www-form-urlencoded", ""):
        raise VendorHttpError(400, "400", "Request body must be application/x-www-form-urlencoded")
    form = call.form()
    tw.raise_violations(call.body_violations(form, from_strings=True))
    for param, field in FIELDS.items():
        if param in form:
            value: Any = form[param]
            if field == "voice_caller_id_lookup":
                value = value.lower() == "true"
            elif field.endswith("_method"):
                value = value.upper()
            number[field] = value
    number["date_updated"] = rfc2822(time.time())
    return json_response(public_number(number))


def new_number(account_sid: str, sid: str, phone_number: str) -> dict[str, Any]:
    """A fresh number resource, voice webhook unset, as a just-bought number has it."""
    now = rfc2822(time.time())
    number: dict[str, Any] = {field: "" for field in FIELDS.values()}
    number.update(
        sid=sid,
        account_sid=account_sid,
        phone_number=phone_number,
        friendly_name=_national(phone_number),
        voice_method="POST",
        voice_fallback_method="POST",
        status_callback_method="POST",
        sms_method="POST",
        sms_fallback_method="POST",
        voice_caller_id_lookup=False,
        voice_receive_mode="voice",
        emergency_status="Active",
        date_created=now,
        date_updated=now,
    )
    for field in ("trunk_sid", "emergency_address_sid", "address_sid", "identity_sid", "bundle_sid"):
        number[field] = None
    return number


def public_number(number: dict[str, Any]) -> dict[str, Any]:
    """The IncomingPhoneNumber resource with Twilio's snake_case fields."""
    uri = f"{API}/Accounts/{number['account_sid']}/IncomingPhoneNumbers/{number['sid']}.json"
    return {
        **number,
        "address_requirements": "none",
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"fax": False, "mms": True, "sms": True, "voice": True},
        "emergency_address_status": "unregistered",
        "origin": "twilio",
        "status": "in-use",
        "type": number_type(number["phone_number"]),
        "uri": uri,
        "subresource_uris": {"assigned_add_ons": uri.replace(".json", "/AssignedAddOns.json")},
    }


def number_type(phone_number: str) -> str:
    """The resource's `type`: `local`, `mobile` or `toll-free` (twilio-python's IncomingPhoneNumberInstance
    reads it; the values are the IncomingPhoneNumber subresources Local, Mobile and TollFree)."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(phone_number, None))
    except phonenumbers.NumberParseException:
        return "local"
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "toll-free"
    return "mobile" if kind == phonenumbers.PhoneNumberType.MOBILE else "local"


def rfc2822(epoch: float) -> str:
    """Twilio's date format: `Tue, 01 Jan 2026 00:00:00 +0000`."""
    return email.utils.formatdate(epoch, usegmt=False).replace("-0000", "+0000")


def _own_account(tw: TwilioStandIn, call: HttpCall) -> str:
    """The AccountSid in the path, which must be the authenticated account (else Twilio's 404)."""
    if call.params["account_sid"] != call.account:
        raise VendorHttpError(404, "20404", f"The requested resource {call.path} was not found")
    return call.account


def _owned(tw: TwilioStandIn, call: HttpCall) -> dict[str, Any]:
    account_sid = _own_account(tw, call)
    number = tw.numbers.get(call.params["sid"])
    if number is None or number["account_sid"] != account_sid:
        raise VendorHttpError(404, "20404", f"The requested resource {call.path} was not found")
    return number


def _national(phone_number: str) -> str:
    try:
        parsed = phonenumbers.parse(phone_number, None)
    except phonenumbers.NumberParseException:
        return phone_number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
