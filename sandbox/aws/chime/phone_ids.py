"""Phone number identifiers as chime-sdk-voice writes and reads them.

The real service's `PhoneNumberId` is the URL-encoded E.164 string
(`%2B12065550100` for `+12065550100`, aws-cli `get-phone-number.rst`). boto3
percent-encodes path params, so a client that passes the id as AWS returned it
sends `%252B...`: after the router's one decoding we still see a leading
`%2B`, which is read as `+` (AWS.md §1.1).
"""

from __future__ import annotations

import phonenumbers


def phone_number_id(e164: str) -> str:
    """`+12065550100` → `%2B12065550100`."""
    return "%2B" + e164.removeprefix("+")


def e164_from_id(raw: str) -> str:
    """Any accepted spelling of a number id (`+1…`, `%2B1…`, `%2b1…`, `1…`) → `+1…`."""
    text = raw.strip()
    if text[:3].upper() == "%2B":
        text = text[3:]
    return "+" + text.removeprefix("+")


def country_of(e164: str) -> str:
    """ISO 3166 alpha-2 country of an E.164 number ("US" for +1 numbers of the NANP in the US)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return "US"
    return region or "US"


def is_valid_e164(e164: str) -> bool:
    """Whether the number is a dialable number of a real numbering plan."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False
