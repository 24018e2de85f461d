"""Genesys Cloud request rules (PROVIDERS.md §4; Terraform provider and Python SDK models)."""

from __future__ import annotations

from sandbox.core.field_rules import FieldRule, FieldType

S42 = "PROVIDERS.md §4.2 (TrunkBase)"
S43 = "PROVIDERS.md §4.3 (OutboundRoute)"
TRACES = "Genesys Cloud API GET /api/v2/telephony/siptraces (SDK get_telephony_siptraces)"

STR, INT, BOOL, OBJ, ARR = (
    FieldType.STRING,
    FieldType.INTEGER,
    FieldType.BOOLEAN,
    FieldType.OBJECT,
    FieldType.ARRAY,
)

#: trunk metabase id → (name, trunk type); only BYOC Cloud metabases are served
TRUNK_METABASES = {
    "external_sip_pcv_byoc_carrier.json": ("Generic BYOC Carrier", "EXTERNAL"),
    "external_sip_pcv_byoc_pbx.json": ("Generic BYOC PBX", "EXTERNAL"),
}
#: the Genesys Cloud Voice trunk's metabase: only Genesys creates such trunks (a Terraform export shows one)
MANAGED_METABASES = {"external_sip_pcv_aws.json": ("PureCloud Voice - AWS", "EXTERNAL")}


def trunk_base_rules(*, update: bool) -> tuple[FieldRule, ...]:
    """POST (and PUT, which also needs `version`) .../trunkbasesettings."""
    return (
        FieldRule("name", required=True, min_length=1, max_length=255, source=S42),
        FieldRule("description", source=S42),
        FieldRule("state", enum=("active", "inactive"), source=S42),
        FieldRule("trunkMetabase", OBJ, required=True, source=S42),
        FieldRule("trunkMetabase.id", required=True, min_length=1, source=S42),
        FieldRule("trunkType", required=True, enum=("EXTERNAL", "PHONE", "EDGE"), source=S42),
        FieldRule("managed", BOOL, source=S42),
        FieldRule("inboundSite", OBJ, source=S42),
        FieldRule("inboundSite.id", required=True, min_length=1, source=S42),
        FieldRule("site", OBJ, source=S42),
        FieldRule("site.id", required=True, min_length=1, source=S42),
        FieldRule("properties", OBJ, source=S42),
        FieldRule("version", INT, required=update, minimum=1, source=S42),
    )


def outbound_route_rules(*, update: bool) -> tuple[FieldRule, ...]:
    """POST (and PUT, which also needs `version`) .../sites/{siteId}/outboundroutes."""
    return (
        FieldRule("name", required=True, min_length=1, max_length=255, source=S43),
        FieldRule("description", source=S43),
        FieldRule("classificationTypes", ARR, required=True, min_length=1, item_type=STR, source=S43),
        FieldRule("enabled", BOOL, source=S43),
        FieldRule("distribution", enum=("SEQUENTIAL", "RANDOM"), source=S43),
        FieldRule("externalTrunkBases", ARR, item_type=OBJ, source=S43),
        FieldRule("externalTrunkBases[].id", required=True, min_length=1, source=S43),
        FieldRule("version", INT, required=update, minimum=1, source=S43),
    )


def paging_query_rules() -> tuple[FieldRule, ...]:
    """pageNumber/pageSize of Genesys list endpoints (Terraform pages with pageSize 100)."""
    return (
        FieldRule("pageNumber", INT, minimum=1, source="PROVIDERS.md §4.2 (paged lists)"),
        FieldRule("pageSize", INT, minimum=1, maximum=100, source="PROVIDERS.md §4.2 (paged lists)"),
        FieldRule("sortOrder", enum=("ASC", "DESC", "asc", "desc"), source="Genesys SDK sortOrder"),
    )


def template_query_rules() -> tuple[FieldRule, ...]:
    """GET .../trunkbasesettings/template."""
    return (FieldRule("trunkMetabaseId", required=True, min_length=1, source="PROVIDERS.md §4.2 (template)"),)


def sip_trace_query_rules() -> tuple[FieldRule, ...]:
    """GET /api/v2/telephony/siptraces."""
    return (
        FieldRule(
            "dateStart",
            required=True,
            pattern=r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?",
            source=TRACES,
        ),
        FieldRule(
            "dateEnd",
            required=True,
            pattern=r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?",
            source=TRACES,
        ),
        FieldRule("callId", source=TRACES),
        FieldRule("toUser", source=TRACES),
        FieldRule("fromUser", source=TRACES),
        FieldRule("conversationId", source=TRACES),
    )
