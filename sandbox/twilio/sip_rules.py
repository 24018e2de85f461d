"""Field rules of Twilio's SIP Domain, IpAccessControlList, IpAddress and calls-mapping requests.

Sources: twilio.com/docs/voice/sip/api/sip-domain-resource, .../sip-ipaccesscontrollist-resource,
.../sip-ipaddress-resource, .../sip-auth-calls-ipaccesscontrollistmapping (and twilio-python 9.13's
create/update signatures for which parameters exist). Codes: 21502 Invalid callback url, 20002 Invalid
FriendlyName (twilio.com/docs/api/errors/<code>); other bad values get Twilio's generic 400.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.field_rules import FieldRule, FieldType, Format
from sandbox.twilio.rules import BAD_FRIENDLY_NAME, BAD_PARAMETER, BAD_URL, _given, _method

DOMAIN_DOC = "twilio.com/docs/voice/sip/api/sip-domain-resource"
ACL_DOC = "twilio.com/docs/voice/sip/api/sip-ipaccesscontrollist-resource"
ADDRESS_DOC = "twilio.com/docs/voice/sip/api/sip-ipaddress-resource"
MAPPING_DOC = "twilio.com/docs/voice/sip/api/sip-auth-calls-ipaccesscontrollistmapping"
#: "Each IpAccessControlList resource can contain up to 100 entries" (ACL_DOC)
MAX_ACL_ENTRIES = 100
#: letters, digits and `-` labels, ending in sip.twilio.com (DOMAIN_DOC's DomainName); edge
#: subdomains like `name.sip.us1.twilio.com` are what a client dials, not what it creates
DOMAIN_NAME = (
    r"(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.sip\.twilio\.com"
)


def _url(name: str) -> FieldRule:
    return FieldRule(
        name, format=Format.URL, max_length=4000, when=_given(name), code=BAD_URL, source=DOMAIN_DOC
    )


def _domain_common() -> tuple[FieldRule, ...]:
    boolean: dict[str, Any] = {"type": FieldType.BOOLEAN, "code": BAD_PARAMETER, "source": DOMAIN_DOC}
    return (
        FieldRule("FriendlyName", max_length=64, code=BAD_FRIENDLY_NAME, source=DOMAIN_DOC),
        _url("VoiceUrl"),
        _method("VoiceMethod"),
        _url("VoiceFallbackUrl"),
        _method("VoiceFallbackMethod"),
        _url("VoiceStatusCallbackUrl"),
        _method("VoiceStatusCallbackMethod"),
        FieldRule("SipRegistration", **boolean),
        FieldRule("EmergencyCallingEnabled", **boolean),
        FieldRule("Secure", **boolean),
        FieldRule("ByocTrunkSid", pattern=r"BY[0-9a-fA-F]{32}", code=BAD_PARAMETER, source=DOMAIN_DOC),
        FieldRule("EmergencyCallerSid", pattern=r"PN[0-9a-fA-F]{32}", code=BAD_PARAMETER, source=DOMAIN_DOC),
    )


def create_domain_rules() -> tuple[FieldRule, ...]:
    """POST .../SIP/Domains.json: DomainName required."""
    name = FieldRule(
        "DomainName",
        required=True,
        max_length=253,
        pattern=DOMAIN_NAME,
        code=BAD_PARAMETER,
        source=DOMAIN_DOC,
    )
    return (name, *_domain_common())


def update_domain_rules() -> tuple[FieldRule, ...]:
    """POST .../SIP/Domains/{Sid}.json."""
    name = FieldRule("DomainName", max_length=253, pattern=DOMAIN_NAME, code=BAD_PARAMETER, source=DOMAIN_DOC)
    return (name, *_domain_common())


def create_acl_rules() -> tuple[FieldRule, ...]:
    """POST .../SIP/IpAccessControlLists.json."""
    return (
        FieldRule(
            "FriendlyName",
            required=True,
            min_length=1,
            max_length=255,
            code=BAD_FRIENDLY_NAME,
            source=ACL_DOC,
        ),
    )


def create_address_rules() -> tuple[FieldRule, ...]:
    """POST .../IpAccessControlLists/{Sid}/IpAddresses.json: IPv4 only, prefix 8-32 (UNCONFIRMED: the page
    gives no lower bound; Twilio's console refuses wider ranges)."""
    return (
        FieldRule(
            "FriendlyName",
            required=True,
            min_length=1,
            max_length=255,
            code=BAD_FRIENDLY_NAME,
            source=ADDRESS_DOC,
        ),
        FieldRule("IpAddress", required=True, format=Format.IPV4, code=BAD_PARAMETER, source=ADDRESS_DOC),
        FieldRule(
            "CidrPrefixLength",
            FieldType.INTEGER,
            minimum=8,
            maximum=32,
            code=BAD_PARAMETER,
            source=ADDRESS_DOC,
        ),
    )


def create_mapping_rules() -> tuple[FieldRule, ...]:
    """POST .../Auth/Calls/IpAccessControlListMappings.json."""
    return (
        FieldRule(
            "IpAccessControlListSid",
            required=True,
            pattern=r"AL[0-9a-fA-F]{32}",
            code=BAD_PARAMETER,
            source=MAPPING_DOC,
        ),
    )


#: form parameter → domain field it sets (DomainName is handled on its own)
DOMAIN_FIELDS = {
    "FriendlyName": "friendly_name",
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "VoiceStatusCallbackUrl": "voice_status_callback_url",
    "VoiceStatusCallbackMethod": "voice_status_callback_method",
    "SipRegistration": "sip_registration",
    "EmergencyCallingEnabled": "emergency_calling_enabled",
    "Secure": "secure",
    "ByocTrunkSid": "byoc_trunk_sid",
    "EmergencyCallerSid": "emergency_caller_sid",
}
