"""The number a SIP REFER asks Twilio to transfer the caller to, read from Twilio's `ReferTransferTarget`.

Twilio passes the REFER's `Refer-To` header contents (twilio.com/docs/voice/api/refer-to-twilio),
e.g. `<sip:+14155550123@sip.twilio.com;transport=udp?X-Reason=billing>` or `<tel:+14155550123>`.
The user part of a SIP URI, or a tel URI's number, is parsed with `phonenumbers` and compared in
E.164 form; anything that is not a valid E.164 number is no transfer target.
"""

from __future__ import annotations

import re

import phonenumbers

_URI = re.compile(r"^\s*<?\s*(?:(?:sips?):(?P<user>[^@;?>]+)@[^>]*|tel:(?P<tel>[^;?>]+)[^>]*)>?\s*$", re.I)
#: longest Refer-To value looked at (a phone number URI is far shorter)
MAX_LENGTH = 512


def target_number(refer_to: str) -> str | None:
    """The E.164 number `refer_to` names, or None when it names none."""
    if len(refer_to) > MAX_LENGTH:
        return None
    match = _URI.match(refer_to)
    if match is None:
        return None
    text = (match.group("user") or match.group("tel") or "").strip()
    # Visual separators are allowed in tel URIs (RFC 3966) and in some SIP user parts.
    text = re.sub(r"[\s().-]", "", text)
    if not text.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
