"""Field types shared by the per-kind config schemas: phone numbers, SIP headers, vendor ids."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Vendor object ids (Connect instance ids, Genesys site ids, assistant ids) are
# UUIDs or short opaque tokens; this keeps them safe to put in URLs and names.
VENDOR_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
# US area codes (NANP): the first digit is 2-9. Chime's SearchAvailablePhoneNumbers
# takes an area code for US numbers (AWS.md §1.3).
AREA_CODE_PATTERN = r"^[2-9][0-9]{2}$"
# Chime CallAndBridge accepts `x-` custom headers; `X-AMZN` is reserved and fails
# the action (AWS.md §3.3). Patchbay sends them lowercased (integrations/lambdas/sip_headers.py).
#: `x-` and a SIP token of lowercase letters, digits, '-' and '_' (RFC 3261 §25.1; seed 001 keeps '_')
CHIME_HEADER_PATTERN = re.compile(r"^x-[a-z0-9_-]+$")
RESERVED_CHIME_PREFIX = "x-amzn"


#: the E.164 form the schema promises (whether the number exists in its country's plan is checked by
#: `phonenumbers`, which a pattern cannot say)
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
E164_SCHEMA = {"type": "string", "pattern": E164_PATTERN, "maxLength": 20, "example": "+12065550100"}


@extend_schema_field(E164_SCHEMA)
class E164Field(serializers.CharField):
    """A phone number, checked with `phonenumbers` and stored in E.164 form (+12065550100)."""

    default_error_messages = {
        "invalid_e164": "Enter a valid phone number in E.164 form, e.g. +12065550100.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            self.fail("invalid_e164")
        if not text.startswith("+") or not phonenumbers.is_valid_number(number):
            self.fail("invalid_e164")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class VendorIdField(serializers.RegexField):
    """The id of an object that lives at a vendor (a UUID or similar opaque token)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Enter the vendor's id: letters, digits, '-', '_', '.', ':' (at most 128)."},
        )
        super().__init__(VENDOR_ID_PATTERN, **kwargs)


class AreaCodeField(serializers.RegexField):
    """A three-digit US area code (first digit 2-9)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": "Enter a 3-digit US area code, e.g. 206."})
        super().__init__(AREA_CODE_PATTERN, **kwargs)


class DnsLabelField(serializers.RegexField):
    """One label of a host name (RFC 1123): becomes part of a vendor host name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Use 1-63 lowercase letters, digits or hyphens, not starting or ending with '-'."},
        )
        super().__init__(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", **kwargs)


def chime_header_problem(header: str) -> str | None:
    """Why Chime would refuse `header` as a CallAndBridge SIP header, or None if it is fine."""
    if not CHIME_HEADER_PATTERN.fullmatch(header):
        return "does not match ^x-[a-z0-9_-]+$"
    if header.startswith(RESERVED_CHIME_PREFIX):
        return "is reserved by Amazon (x-amzn...)"
    return None
