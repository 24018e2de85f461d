"""Twilio IncomingPhoneNumber update rules (PROVIDERS.md §3; Twilio's error dictionary for the codes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.field_rules import Condition, FieldRule, FieldType, Format

S3 = "PROVIDERS.md §3 (update IncomingPhoneNumber)"
METHODS = ("GET", "POST")
# Twilio's own codes: 21502 Invalid callback url, 21403 Invalid Method (number voice config),
# 20002 Invalid FriendlyName (1-64 characters); twilio.com/docs/api/errors/<code>.
BAD_URL, BAD_METHOD, BAD_FRIENDLY_NAME, BAD_PARAMETER = "21502", "21403", "20002", "400"


def _given(name: str) -> Condition:
    """Twilio clears a URL sent as an empty string, so only non-empty values are checked."""

    def test(form: Mapping[str, Any]) -> bool:
        return form.get(name, "") != ""

    return Condition(f"{name} is not empty", test)


def _url(name: str) -> FieldRule:
    return FieldRule(name, format=Format.URL, max_length=4000, when=_given(name), code=BAD_URL, source=S3)


def _method(name: str) -> FieldRule:
    return FieldRule(name, enum=METHODS, code=BAD_METHOD, source=S3)


def update_rules() -> tuple[FieldRule, ...]:
    """POST .../IncomingPhoneNumbers/{Sid}.json (form-encoded)."""
    return (
        _url("VoiceUrl"),
        _method("VoiceMethod"),
        _url("VoiceFallbackUrl"),
        _method("VoiceFallbackMethod"),
        _url("StatusCallback"),
        _method("StatusCallbackMethod"),
        _url("SmsUrl"),
        _method("SmsMethod"),
        _url("SmsFallbackUrl"),
        _method("SmsFallbackMethod"),
        FieldRule("FriendlyName", min_length=1, max_length=64, code=BAD_FRIENDLY_NAME, source=S3),
        FieldRule("VoiceCallerIdLookup", FieldType.BOOLEAN, code=BAD_PARAMETER, source=S3),
        FieldRule("VoiceReceiveMode", enum=("voice", "fax"), code=BAD_PARAMETER, source=S3),
        FieldRule("VoiceApplicationSid", pattern=r"(AP[0-9a-f]{32})?", code=BAD_PARAMETER, source=S3),
        FieldRule("SmsApplicationSid", pattern=r"(AP[0-9a-f]{32})?", code=BAD_PARAMETER, source=S3),
        FieldRule("TrunkSid", pattern=r"(TK[0-9a-f]{32})?", code=BAD_PARAMETER, source=S3),
        FieldRule("EmergencyStatus", enum=("Active", "Inactive"), code=BAD_PARAMETER, source=S3),
    )


def list_query_rules() -> tuple[FieldRule, ...]:
    """GET .../IncomingPhoneNumbers.json paging (PageSize 1-1000, Page from 0)."""
    source = "Twilio API paging (PageSize ≤ 1000)"
    return (
        FieldRule("PageSize", FieldType.INTEGER, minimum=1, maximum=1000, code=BAD_PARAMETER, source=source),
        FieldRule("Page", FieldType.INTEGER, minimum=0, code=BAD_PARAMETER, source=source),
        FieldRule("Beta", FieldType.BOOLEAN, code=BAD_PARAMETER, source=source),
    )


#: form parameter → resource field it sets
FIELDS = {
    "FriendlyName": "friendly_name",
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
    "SmsUrl": "sms_url",
    "SmsMethod": "sms_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsFallbackMethod": "sms_fallback_method",
    "VoiceCallerIdLookup": "voice_caller_id_lookup",
    "VoiceReceiveMode": "voice_receive_mode",
    "VoiceApplicationSid": "voice_application_sid",
    "SmsApplicationSid": "sms_application_sid",
    "TrunkSid": "trunk_sid",
    "EmergencyStatus": "emergency_status",
    "EmergencyAddressSid": "emergency_address_sid",
    "AddressSid": "address_sid",
    "IdentitySid": "identity_sid",
    "BundleSid": "bundle_sid",
}
