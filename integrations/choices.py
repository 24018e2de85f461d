"""Fixed value sets of integrations: kinds, provider account kinds, regions, policies."""

from __future__ import annotations

from django.db import models


class AccountKind(models.TextChoices):
    """Which vendor a provider account holds credentials for."""

    AWS = "aws", "AWS"
    VAPI = "vapi", "Vapi"
    SYNTHFLOW = "synthflow", "Synthflow"
    GENESYS = "genesys", "Genesys Cloud"
    TWILIO = "twilio", "Twilio"


class IntegrationKind(models.TextChoices):
    """The four integration kinds of DESIGN §1."""

    CONNECT_VAPI = "connect_vapi", "Amazon Connect → Vapi"
    CONNECT_SYNTHFLOW = "connect_synthflow", "Amazon Connect → Synthflow"
    GENESYS_SYNTHFLOW = "genesys_synthflow", "Genesys Cloud → Synthflow"
    TWILIO_SYNTHFLOW = "twilio_synthflow", "Twilio → Synthflow"


class Policy(models.TextChoices):
    """What reconciliation does with drift: fix it, or only show it."""

    HEAL = "heal", "Heal drift"
    REPORT = "report", "Report drift only"


class AwsRegion(models.TextChoices):
    """Regions where Chime SDK Voice connectors exist (`AwsRegion` enum, AWS.md §1.2)."""

    US_EAST_1 = "us-east-1", "US East (N. Virginia)"
    US_WEST_2 = "us-west-2", "US West (Oregon)"
    CA_CENTRAL_1 = "ca-central-1", "Canada (Central)"
    EU_CENTRAL_1 = "eu-central-1", "Europe (Frankfurt)"
    EU_WEST_1 = "eu-west-1", "Europe (Ireland)"
    EU_WEST_2 = "eu-west-2", "Europe (London)"
    AP_NORTHEAST_2 = "ap-northeast-2", "Asia Pacific (Seoul)"
    AP_NORTHEAST_1 = "ap-northeast-1", "Asia Pacific (Tokyo)"
    AP_SOUTHEAST_1 = "ap-southeast-1", "Asia Pacific (Singapore)"
    AP_SOUTHEAST_2 = "ap-southeast-2", "Asia Pacific (Sydney)"


class VapiRegion(models.TextChoices):
    """Vapi's API regions (api.vapi.ai / api.eu.vapi.ai, PROVIDERS.md §2.1)."""

    US = "us", "US"
    EU = "eu", "EU"


class SynthflowRegion(models.TextChoices):
    """Synthflow workspace regions (PROVIDERS.md §1.1); the API host must match the workspace."""

    GLOBAL = "global", "Global"
    US = "us", "US"
    EU = "eu", "EU"


class GenesysRegion(models.TextChoices):
    """Genesys Cloud regions (PROVIDERS.md §4.1 table); `GENESYS_ENV_DOMAINS` gives their hosts."""

    US_EAST_1 = "us_east_1", "US East (Virginia)"
    US_EAST_2 = "us_east_2", "US East 2 (FedRAMP)"
    US_WEST_2 = "us_west_2", "US West (Oregon)"
    CA_CENTRAL_1 = "ca_central_1", "Canada (Central)"
    SA_EAST_1 = "sa_east_1", "South America (São Paulo)"
    EU_WEST_1 = "eu_west_1", "EU (Ireland)"
    EU_WEST_2 = "eu_west_2", "EU (London)"
    EU_CENTRAL_1 = "eu_central_1", "EU (Frankfurt)"
    EU_CENTRAL_2 = "eu_central_2", "EU (Zurich)"
    ME_CENTRAL_1 = "me_central_1", "Middle East (UAE)"
    AP_SOUTH_1 = "ap_south_1", "Asia Pacific (Mumbai)"
    AP_NORTHEAST_1 = "ap_northeast_1", "Asia Pacific (Tokyo)"
    AP_NORTHEAST_2 = "ap_northeast_2", "Asia Pacific (Seoul)"
    AP_NORTHEAST_3 = "ap_northeast_3", "Asia Pacific (Osaka)"
    AP_SOUTHEAST_2 = "ap_southeast_2", "Asia Pacific (Sydney)"


#: login./api. host suffix per Genesys region (PROVIDERS.md §4.1, official SDK region hosts)
GENESYS_ENV_DOMAINS: dict[str, str] = {
    GenesysRegion.US_EAST_1: "mypurecloud.com",
    GenesysRegion.US_EAST_2: "use2.us-gov-pure.cloud",
    GenesysRegion.US_WEST_2: "usw2.pure.cloud",
    GenesysRegion.CA_CENTRAL_1: "cac1.pure.cloud",
    GenesysRegion.SA_EAST_1: "sae1.pure.cloud",
    GenesysRegion.EU_WEST_1: "mypurecloud.ie",
    GenesysRegion.EU_WEST_2: "euw2.pure.cloud",
    GenesysRegion.EU_CENTRAL_1: "mypurecloud.de",
    GenesysRegion.EU_CENTRAL_2: "euc2.pure.cloud",
    GenesysRegion.ME_CENTRAL_1: "mec1.pure.cloud",
    GenesysRegion.AP_SOUTH_1: "aps1.pure.cloud",
    GenesysRegion.AP_NORTHEAST_1: "mypurecloud.jp",
    GenesysRegion.AP_NORTHEAST_2: "apne2.pure.cloud",
    GenesysRegion.AP_NORTHEAST_3: "apne3.pure.cloud",
    GenesysRegion.AP_SOUTHEAST_2: "mypurecloud.com.au",
}


class ConnectTransport(models.TextChoices):
    """SIP transport of a Chime Voice Connector origination route (no TLS there, AWS.md §1.2)."""

    UDP = "UDP", "UDP"
    TCP = "TCP", "TCP"


class GenesysTransport(models.TextChoices):
    """Genesys BYOC trunk `trunk_transport_protocolVariant` (PROVIDERS.md §4.2)."""

    UDP = "udp", "UDP"
    TCP = "tcp", "TCP"
    TLS = "tls", "TLS"


class CallsLog(models.TextChoices):
    """Where an integration's calls are read from (calls/fetch_schedule.py), per kind."""

    VOICE_CONNECTOR = "voice_connector", "Voice Connector SIP log (CloudWatch Logs)"
    GENESYS_TRACE = "genesys_trace", "Genesys Cloud SIP trace search"
    TWILIO_WEBHOOKS = "twilio_webhooks", "Twilio's requests to Patchbay's own webhooks"
