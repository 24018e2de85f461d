"""Genesys Cloud request rules (PROVIDERS.md §4; Terraform provider and Python SDK models)."""

from __future__ import annotations

from sandbox.core.field_rules import FieldRule, FieldType
from sandbox.core.http_vendor import RuleNote
from sandbox.genesys import number_plans

S42 = "PROVIDERS.md §4.2 (TrunkBase)"
S43 = "PROVIDERS.md §4.3 (OutboundRoute)"
S41 = "PROVIDERS.md §4.1"
SDK = "PureCloudPlatformClientV2 models (sandbox/genesys/sdk_models.py)"
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


#: rules the handlers enforce beyond the field rules (listed by `--describe --verbose`)
RULE_NOTES = (
    RuleNote("PostToken", "Authorization", "Basic client_id:client_secret of a client, else 401", S41),
    RuleNote("PostToken", "grant_type", "form field, must be client_credentials", S41),
    RuleNote("*", "Authorization", "Bearer token from PostToken, unexpired, else 401", S41),
    RuleNote("*", "(rate)", "past rate_limit_per_minute requests per token → 429 + Retry-After", S41),
    RuleNote("CreateTrunkBaseSettings", "trunkMetabase.id", "a known BYOC metabase", S42),
    RuleNote("CreateTrunkBaseSettings", "trunkType", "must match the metabase (EXTERNAL)", S42),
    RuleNote("CreateTrunkBaseSettings", "inboundSite", "required for external_sip_pcv_byoc*", S42),
    RuleNote("CreateTrunkBaseSettings", "inboundSite.id", "a site of the org", S42),
    RuleNote("CreateTrunkBaseSettings", "managed", "managed trunks cannot be created", "PROVIDERS.md §5"),
    RuleNote("CreateTrunkBaseSettings", "properties", "each {value: {instance}}; unknown keys refused", S42),
    RuleNote("CreateTrunkBaseSettings", "name", "unique among the org's live trunks", "sandbox"),
    RuleNote("UpdateTrunkBaseSettings", "version", "the current version, else 409", S42),
    RuleNote("DeleteTrunkBaseSettings", "(state)", "400 while an outbound route uses the trunk", S42),
    RuleNote("CreateOutboundRoute", "externalTrunkBases[].id", "live EXTERNAL trunks of the org", S43),
    RuleNote("CreateOutboundRoute", "name", "unique within the site", "sandbox"),
    RuleNote("UpdateOutboundRoute", "version", "the current version, else 409", S43),
    RuleNote(
        "CreateOutboundRoute",
        "classificationTypes",
        "each on no other route of the site",
        "Terraform site resource (frees classifications first)",
    ),
    RuleNote(
        "Create/Update/DeleteOutboundRoute",
        "(site)",
        "400 on a managed site",
        number_plans.MANAGED_SOURCE,
    ),
    RuleNote("UpdateNumberPlans", "(site)", "400 on a managed site", number_plans.MANAGED_SOURCE),
    RuleNote(
        "UpdateNumberPlans",
        "matchType",
        "one of " + ", ".join(number_plans.MATCH_TYPES),
        number_plans.SOURCE,
    ),
    RuleNote(
        "UpdateNumberPlans",
        "numbers",
        "e164NumberList: E.164 with +, ranges of one length",
        number_plans.SOURCE,
    ),
    RuleNote(
        "UpdateNumberPlans", "version", "a listed plan's current version, else 409", number_plans.SOURCE
    ),
    RuleNote("*", "(body)", "attributes, types and enums of the SDK's model for the operation", SDK),
    RuleNote("SearchSipTraces", "dateEnd", "not before dateStart", TRACES),
    RuleNote("SearchSipTraces", "callId|conversationId|toUser|fromUser", "at least one", TRACES),
)
