"""Genesys Cloud regions: API/login domain and BYOC Cloud SIP domain (PROVIDERS.md §4.1, §4.2)."""

from __future__ import annotations

#: region → env domain of `api.<env>` and `login.<env>` (official SDK region hosts)
REGION_DOMAINS: dict[str, str] = {
    "us_east_1": "mypurecloud.com",
    "us_east_2": "use2.us-gov-pure.cloud",
    "us_west_2": "usw2.pure.cloud",
    "ca_central_1": "cac1.pure.cloud",
    "sa_east_1": "sae1.pure.cloud",
    "eu_west_1": "mypurecloud.ie",
    "eu_west_2": "euw2.pure.cloud",
    "eu_central_1": "mypurecloud.de",
    "eu_central_2": "euc2.pure.cloud",
    "me_central_1": "mec1.pure.cloud",
    "ap_south_1": "aps1.pure.cloud",
    "ap_northeast_1": "mypurecloud.jp",
    "ap_northeast_2": "apne2.pure.cloud",
    "ap_northeast_3": "apne3.pure.cloud",
    "ap_southeast_2": "mypurecloud.com.au",
}

#: region → BYOC domain of the Dynamic Cloud Voice platform, `byoc.<short AWS region>.genesys.cloud`
#: (PROVIDERS.md §4.2; the per-region names come from a third-party table: UNCONFIRMED)
DYNAMIC_CLOUD_VOICE_DOMAINS: dict[str, str] = {
    "us_east_1": "byoc.use1.genesys.cloud",
    "us_east_2": "byoc.use2.us-gov-genesys.cloud",
    "us_west_2": "byoc.usw2.genesys.cloud",
    "ca_central_1": "byoc.cac1.genesys.cloud",
    "sa_east_1": "byoc.sae1.genesys.cloud",
    "eu_west_1": "byoc.euw1.genesys.cloud",
    "eu_west_2": "byoc.euw2.genesys.cloud",
    "eu_central_1": "byoc.euc1.genesys.cloud",
    "eu_central_2": "byoc.euc2.genesys.cloud",
    "me_central_1": "byoc.mec1.genesys.cloud",
    "ap_south_1": "byoc.aps1.genesys.cloud",
    "ap_northeast_1": "byoc.apne1.genesys.cloud",
    "ap_northeast_2": "byoc.apne2.genesys.cloud",
    "ap_northeast_3": "byoc.apne3.genesys.cloud",
    "ap_southeast_2": "byoc.apse2.genesys.cloud",
}
#: an org's telephony platform: classic BYOC Cloud, or the Dynamic Cloud Voice platform
PLATFORMS = ("classic", "dynamic_cloud_voice")


def byoc_domain(region: str, *, dynamic_cloud_voice: bool = False) -> str:
    """The BYOC Cloud SIP domain of a region: `byoc.<env>` (inbound FQDN `<identifier>.byoc.<env>`),
    or on the Dynamic Cloud Voice platform `byoc.<short region>.genesys.cloud`.

    usw2 and use1 (`byoc.mypurecloud.com`) are confirmed by several sources; the rest follow the
    same pattern from a third-party table (UNCONFIRMED, §4.2).
    """
    if dynamic_cloud_voice:
        return DYNAMIC_CLOUD_VOICE_DOMAINS[region]
    return f"byoc.{REGION_DOMAINS[region]}"
