"""The Chime SDK Voice service as boto3 names it, and how it reports failures per phone number."""

from __future__ import annotations

from typing import Any

from integrations.vendors.errors import Conflict, InvalidSpec, Throttled, VendorError, VendorUnavailable

SERVICE = "chime-sdk-voice"
_CONFLICT_CODES = {"Conflict", "PhoneNumberAssociationsExist", "VoiceConnectorGroupAssociationsExist"}
_RETRYABLE = {"Throttled": Throttled, "Throttling": Throttled}
_UNAVAILABLE = {"ServiceFailure", "ServiceUnavailable"}


def number_errors(answer: dict[str, Any], operation: str, *, ignore: frozenset[str] = frozenset()) -> None:
    """Raise the first per-number failure Chime reported inside a 200 `PhoneNumberErrors` (AWS.md §1.3)."""
    for error in answer.get("PhoneNumberErrors") or []:
        code = str(error.get("ErrorCode", ""))
        if code in ignore:
            continue
        text = f"{operation}: {code}: {error.get('ErrorMessage', '')}"
        cls: type[VendorError]
        if code in _CONFLICT_CODES:
            cls = Conflict
        elif code in _RETRYABLE:
            cls = _RETRYABLE[code]
        elif code in _UNAVAILABLE:
            cls = VendorUnavailable
        else:
            cls = InvalidSpec
        raise cls(text, vendor="aws", field="e164" if cls is InvalidSpec else "")
