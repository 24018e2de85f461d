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


def byoc_domain(region: str) -> str:
    """The BYOC Cloud SIP domain of a region: `byoc.<env>` (inbound FQDN `<identifier>.byoc.<env>`).

    usw2 and use1 (`byoc.mypurecloud.com`) are confirmed by several sources; the rest follow the
    same pattern from a third-party table (UNCONFIRMED, §4.2).
    """
    return f"byoc.{REGION_DOMAINS[region]}"
