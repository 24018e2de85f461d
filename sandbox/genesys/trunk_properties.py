"""The BYOC Cloud trunk's property keys, their types and defaults (PROVIDERS.md §4.2).

One table gives the template (`GET .../trunkbasesettings/template`), the defaults
a created trunk shows for keys it did not set, and the field rules applied to
`properties.<key>.value.instance` of a POST/PUT body.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.core.field_rules import FieldRule, FieldType, Format

S42 = "PROVIDERS.md §4.2 (BYOC property keys)"

STR, BOOL, ARR = FieldType.STRING, FieldType.BOOLEAN, FieldType.ARRAY
OVERRIDE_METHODS = ("Always", "Unassigned DID")
HOSTNAME = r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
#: set on trunks of a Dynamic Cloud Voice org (PROVIDERS.md §4.2): their FQDN is in that platform's domain
DYNAMIC_CLOUD_VOICE = "trunk_routing_outbound_higher_capacity"
CODECS = ("audio/opus", "audio/pcmu", "audio/pcma", "audio/g722", "audio/g729")


@dataclass(frozen=True)
class TrunkProperty:
    """One property key of a BYOC trunk: its JSON type, default and constraints on `instance`."""

    key: str
    type: FieldType
    default: Any
    required: bool = False  # must be given, and non-empty for arrays
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    format: Format | None = None
    secret: bool = False  # never shown back

    def rule(self) -> FieldRule:
        """The field rule for `properties.<key>.value.instance`."""
        return FieldRule(
            f"properties.{self.key}.value.instance",
            self.type,
            required=True,
            nullable=not self.required,
            enum=self.enum,
            min_length=1 if self.required and self.type is ARR else None,
            pattern=self.pattern,
            format=self.format,
            item_type=STR if self.type is ARR else None,
            source=S42,
        )


BYOC_PROPERTIES: tuple[TrunkProperty, ...] = (
    TrunkProperty("trunk_type", STR, "external.pcv.byoc.carrier"),
    TrunkProperty("trunk_label", STR, "Generic BYOC Carrier"),
    TrunkProperty("trunk_enabled", BOOL, True),
    # The Inbound SIP Termination Identifier is the first label of `<identifier>.byoc.<domain>`.
    TrunkProperty(
        "trunk_sip_termination_uri", STR, "", pattern=r"|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    ),
    # Outbound SIP Termination FQDN: the Request-URI host of outbound INVITEs (seed 004 sets it to
    # Synthflow's SIP host). No public source names its key: this one is the sandbox's (UNCONFIRMED).
    TrunkProperty("trunk_sip_termination_outbound_fqdn", STR, "", pattern=r"|" + HOSTNAME),
    TrunkProperty("trunk_transport_serverProxyList", ARR, [], required=True, format=Format.HOST_PORT),
    TrunkProperty("trunk_transport_protocolVariant", STR, "udp", enum=("udp", "tcp", "tls")),
    TrunkProperty("trunk_transport_sipDscpValue", STR, "0x1A", pattern=r"0x[0-9A-Fa-f]{1,2}"),
    TrunkProperty("trunk_access_acl_allowList", ARR, [], format=Format.CIDR),
    TrunkProperty("trunk_access_acl_denyList", ARR, [], format=Format.CIDR),
    TrunkProperty("trunk_protocol", STR, "SIP", enum=("SIP",)),
    TrunkProperty("trunk_sip_authentication_credentials_realm", STR, ""),
    TrunkProperty("trunk_sip_authentication_credentials_username", STR, ""),
    TrunkProperty("trunk_sip_authentication_credentials_password", STR, "", secret=True),
    TrunkProperty("trunk_outboundIdentity_callingName", STR, "", pattern=r"[\S ]{0,40}"),
    TrunkProperty("trunk_outboundIdentity_callingName_overrideMethod", STR, "Always", enum=OVERRIDE_METHODS),
    # An empty calling address presents no caller ID (seed 004: the caller address is the DID): the
    # sandbox leaves it unset in the template and refuses "" (stricter reading, UNCONFIRMED).
    TrunkProperty("trunk_outboundIdentity_callingAddress", STR, None, pattern=r"\+?[0-9]{1,15}"),
    TrunkProperty(
        "trunk_outboundIdentity_callingAddress_overrideMethod", STR, "Always", enum=OVERRIDE_METHODS
    ),
    TrunkProperty("trunk_outboundIdentity_callingAddress_omitPlusPrefix", BOOL, False),
    TrunkProperty("trunk_outboundIdentity_calledAddress_omitPlusPrefix", BOOL, False),
    TrunkProperty("trunk_sip_routingAddress", STR, "Request-URI"),
    TrunkProperty("trunk_routing_inbound_dnis_enabled", BOOL, False),
    TrunkProperty("trunk_routing_outbound_higher_capacity", BOOL, False),
    TrunkProperty("trunk_sip_conversationHeader", STR, ""),
    TrunkProperty("trunk_sip_uuiEnabled", BOOL, False),
    TrunkProperty("trunk_sip_uuiHeader", STR, "User-to-User"),
    TrunkProperty("trunk_sip_uuiEncoding", STR, "Hex"),
    TrunkProperty("trunk_sip_uuiPd", STR, "00"),
    TrunkProperty("trunk_language", STR, "en-US"),
    TrunkProperty("trunk_transfer_takeback_enabled", BOOL, False),
    TrunkProperty("trunk_rlt_enabled", BOOL, False),
    TrunkProperty("trunk_recording_enabled", BOOL, False),
    TrunkProperty("trunk_recording_dualChannel", BOOL, False),
    TrunkProperty("trunk_recording_audioFormat", STR, "audio/opus"),
    TrunkProperty("trunk_recording_levelControlEnabled", BOOL, False),
    TrunkProperty("trunk_recording_externalTransfersEnabled", BOOL, False),
    TrunkProperty("trunk_consult_recording_enabled", BOOL, False),
    TrunkProperty("trunk_maxDialTimeout", STR, "1m", pattern=r"[0-9]+[smh]"),
    TrunkProperty("trunk_maxCallRate", STR, "40/5s", pattern=r"[0-9]+/[0-9]+[smh]"),
    TrunkProperty("trunk_media_codec", ARR, ["audio/opus", "audio/pcmu", "audio/pcma"], enum=CODECS),
    TrunkProperty("trunk_media_disconnectOnIdleRTP", BOOL, True),
    TrunkProperty("trunk_media_dtmf_method", STR, "RTP Events"),
)

PROPERTIES_BY_KEY = {p.key: p for p in BYOC_PROPERTIES}
PROPERTY_RULES = tuple(p.rule() for p in BYOC_PROPERTIES)
ALLOW_ALL = ("0.0.0.0/0", "0.0.0.0")


def defaults(*, dynamic_cloud_voice: bool) -> dict[str, Any]:
    """The default instance of every key for an org (its platform decides the higher-capacity routing)."""
    values = {p.key: copy.deepcopy(p.default) for p in BYOC_PROPERTIES}
    values[DYNAMIC_CLOUD_VOICE] = dynamic_cloud_voice
    return values


def template_properties(org_defaults: dict[str, Any]) -> dict[str, Any]:
    """Every key with its type and default, as the template endpoint fills them in."""
    return {
        p.key: _entry(p, copy.deepcopy(org_defaults[p.key]), org_defaults[p.key]) for p in BYOC_PROPERTIES
    }


def stored_properties(given: dict[str, Any], org_defaults: dict[str, Any]) -> dict[str, Any]:
    """The instances a trunk keeps: the given ones over the defaults (a PUT replaces them all)."""
    return {
        p.key: copy.deepcopy(given[p.key]["value"]["instance"] if p.key in given else org_defaults[p.key])
        for p in BYOC_PROPERTIES
    }


def shown_properties(instances: dict[str, Any]) -> dict[str, Any]:
    """A trunk's properties as GET shows them; secret instances are never echoed."""
    return {p.key: _entry(p, None if p.secret else copy.deepcopy(instances[p.key])) for p in BYOC_PROPERTIES}


def structure_problems(properties: Any, *, refuse_unknown: bool) -> list[str]:
    """Problems with the `{key: {"value": {"instance": ...}}}` shape, unknown and missing keys."""
    if not isinstance(properties, dict):
        return ["properties must be an object of {key: {value: {instance}}}"]
    problems: list[str] = []
    for key, entry in properties.items():
        if key not in PROPERTIES_BY_KEY:
            if refuse_unknown:
                problems.append(
                    f"Unknown property {key} for trunk metabase external_sip_pcv_byoc_carrier.json"
                )
            continue
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("value"), dict)
            or "instance" not in entry["value"]
        ):
            problems.append(f'Property {key} must be {{"value": {{"instance": ...}}}}')
    for prop in BYOC_PROPERTIES:
        if prop.required and prop.key not in properties:
            problems.append(f"Property {prop.key} is required")
    return problems


def _entry(prop: TrunkProperty, instance: Any, default: Any = None) -> dict[str, Any]:
    return {
        "type": _schema_type(prop.type),
        "value": {
            "default": copy.deepcopy(prop.default if default is None else default),
            "instance": instance,
        },
    }


def _schema_type(field_type: FieldType) -> str:
    return {STR: "string", BOOL: "boolean", ARR: "array"}.get(field_type, field_type.value)
