"""Voice Connectors and their 1:1 sub-resources: origination, termination, credentials, logging.

Sub-resources are singletons on the connector (AWS.md §7.7): Put replaces the
whole value and echoes it, Get before any Put answers NotFoundException
(INFERRED from Terraform's handling), deleting the connector removes them.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

from sandbox.aws.chime.signalling import connector_addresses
from sandbox.aws.chime.state import AssociationName, TriggerType, VoiceConnector, new_voice_connector_id, now
from sandbox.aws.model_stand_in import AwsCall, require
from sandbox.aws.service_model import AwsError, paginate

if TYPE_CHECKING:
    from sandbox.aws.chime.stand_in import ChimeVoiceStandIn

BAD = "BadRequestException"
NOT_FOUND = "NotFoundException"
CONFLICT = "ConflictException"

#: "Limit: Ten origination routes for each Voice Connector" (OriginationRoute doc in the model)
MAX_ORIGINATION_ROUTES = 10
#: Terraform's aws_chime_voice_connector_origination requires these of every route
ROUTE_REQUIRED = ("Host", "Protocol", "Priority", "Weight")
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")

RULES = [
    "CreateVoiceConnector: AwsRegion defaults to us-east-1 [botocore:chime-sdk-voice doc]",
    "CreateVoiceConnector: the host <id>.voiceconnector.chime.aws resolves in the sandbox DNS to addresses"
    " of the region's signalling range [AWS.md §5.2]",
    "DeleteVoiceConnector: ConflictException while phone numbers are associated [AWS.md §7.9, INFERRED]",
    "DeleteVoiceConnector: ConflictException while a RequestUriHostname SIP rule names its host [INFERRED]",
    "Get*/Delete* of origination, termination, logging before a Put: NotFoundException"
    " [AWS.md §7.7, INFERRED]",
    "PutVoiceConnectorOrigination: Routes or Disabled must be given [botocore:chime-sdk-voice doc]",
    "PutVoiceConnectorOrigination: at most 10 Routes [botocore:chime-sdk-voice OriginationRoute doc]",
    "PutVoiceConnectorOrigination: every route needs Host, Protocol, Priority and Weight;"
    " Port defaults to 5060 [terraform-provider-aws voice_connector_origination.go; model doc]",
    "PutVoiceConnectorOrigination: Host must be an IP address or a host name [botocore:chime-sdk-voice doc]",
    "PutVoiceConnectorTermination: CallingRegions required [botocore:chime-sdk-voice doc 'Required']",
    "PutVoiceConnectorTermination: CallingRegions are ISO 3166-1 alpha-2 codes"
    " [botocore:chime-sdk-voice doc]",
    "PutVoiceConnectorTermination: each CidrAllowedList entry is a CIDR with no host bits set"
    " [botocore:chime-sdk-voice doc 'CIDR format']",
    "PutVoiceConnectorTerminationCredentials: each credential needs Username and Password [AWS.md §1.2]",
    "ListVoiceConnectorTerminationCredentials: returns usernames only [AWS.md §7.7]",
    "DeleteVoiceConnectorTerminationCredentials: unknown usernames → NotFoundException [INFERRED]",
]


def find_connector(chime: ChimeVoiceStandIn, connector_id: str) -> VoiceConnector:
    """The connector, or NotFoundException as AWS answers for an unknown id."""
    connector = chime.state.connectors.get(connector_id)
    if connector is None:
        raise AwsError(NOT_FOUND, f"Voice connector {connector_id} not found.")
    return connector


def create_voice_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """CreateVoiceConnector (201): a new connector whose host resolves to its signalling IPs."""
    connector = VoiceConnector(
        id=new_voice_connector_id(),
        name=call.params["Name"],
        # "Default value: us-east-1" (model doc of AwsRegion)
        region=call.get("AwsRegion", "us-east-1"),
        account_id=chime.sandbox.aws_account_id,
        require_encryption=call.params["RequireEncryption"],
        integration_type=call.get("IntegrationType"),
        network_type=call.get("NetworkType"),
    )
    chime.state.connectors[connector.id] = connector
    chime.sandbox.dns.set(connector.host, connector_addresses(connector.id, connector.region))
    return {"VoiceConnector": connector.as_shape()}


def get_voice_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetVoiceConnector."""
    return {"VoiceConnector": find_connector(chime, call.params["VoiceConnectorId"]).as_shape()}


def list_voice_connectors(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListVoiceConnectors, paginated by MaxResults/NextToken."""
    items = [c.as_shape() for c in chime.state.connectors.values()]
    page, token = page_of(items, call, default_max=100)
    return {"VoiceConnectors": page, "NextToken": token}


def update_voice_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """UpdateVoiceConnector: Name and RequireEncryption (both required by the model)."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    connector.name = call.params["Name"]
    connector.require_encryption = call.params["RequireEncryption"]
    connector.updated = now()
    return {"VoiceConnector": connector.as_shape()}


def delete_voice_connector(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteVoiceConnector (204); refused while numbers or a SIP rule still point at it."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    associated = [
        n
        for n in chime.state.numbers.values()
        if n.associated_with(AssociationName.VOICE_CONNECTOR_ID) == connector.id
    ]
    require(
        not associated,
        CONFLICT,
        f"Cannot delete Voice Connector {connector.id}: {len(associated)} phone number(s)"
        " are still associated.",
    )
    rules = [
        r
        for r in chime.state.rules.values()
        if r.trigger_type == TriggerType.REQUEST_URI_HOSTNAME and r.trigger_value.lower() == connector.host
    ]
    require(
        not rules,
        CONFLICT,
        f"Cannot delete Voice Connector {connector.id}: SIP rule {rules[0].id if rules else ''}"
        " is triggered by its host name.",
    )
    del chime.state.connectors[connector.id]
    chime.sandbox.dns.remove(connector.host)


# -- origination ----------------------------------------------------------------


def put_origination(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """PutVoiceConnectorOrigination: replaces the routes wholesale."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    origination = call.params["Origination"]
    routes = origination.get("Routes")
    require(
        routes is not None or origination.get("Disabled") is not None,
        BAD,
        "Origination must specify Routes or Disabled.",
    )
    routes = routes or []
    require(
        len(routes) <= MAX_ORIGINATION_ROUTES,
        BAD,
        f"A Voice Connector can have at most {MAX_ORIGINATION_ROUTES} origination routes.",
    )
    stored_routes = []
    for index, route in enumerate(routes, start=1):
        missing = [k for k in ROUTE_REQUIRED if route.get(k) is None]
        require(not missing, BAD, f"Origination route {index} is missing {', '.join(missing)}.")
        require(
            _is_host(route["Host"]), BAD, f"Origination route {index}: Host must be an IP address or FQDN."
        )
        stored_routes.append({"Port": 5060, **route})
    connector.origination = {"Routes": stored_routes, "Disabled": bool(origination.get("Disabled", False))}
    connector.updated = now()
    return {"Origination": connector.origination}


def get_origination(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetVoiceConnectorOrigination: NotFound until put."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    require(connector.origination is not None, NOT_FOUND, f"Origination for {connector.id} not found.")
    return {"Origination": connector.origination}


def delete_origination(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteVoiceConnectorOrigination (204)."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    require(connector.origination is not None, NOT_FOUND, f"Origination for {connector.id} not found.")
    connector.origination = None


def _is_host(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        labels = value.rstrip(".").split(".")
        return (
            len(value) <= 253 and len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)
        )


# -- termination ----------------------------------------------------------------


def put_termination(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """PutVoiceConnectorTermination: replaces the termination settings."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    termination = dict(call.params["Termination"])
    regions = termination.get("CallingRegions")
    require(bool(regions), BAD, "Termination.CallingRegions is required.")
    for region in regions or []:
        require(
            re.fullmatch(r"[A-Z]{2}", region) is not None,
            BAD,
            f"Calling region '{region}' is not an ISO 3166-1 alpha-2 code.",
        )
    for cidr in termination.get("CidrAllowedList") or []:
        require(_is_cidr(cidr), BAD, f"'{cidr}' in CidrAllowedList is not in CIDR format.")
    termination.setdefault("CpsLimit", 1)
    termination.setdefault("Disabled", False)
    connector.termination = termination
    connector.updated = now()
    return {"Termination": termination}


def _is_cidr(value: str) -> bool:
    if "/" not in value:
        return False
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return True


def get_termination(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetVoiceConnectorTermination: NotFound until put."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    require(connector.termination is not None, NOT_FOUND, f"Termination for {connector.id} not found.")
    return {"Termination": connector.termination}


def delete_termination(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteVoiceConnectorTermination (204)."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    require(connector.termination is not None, NOT_FOUND, f"Termination for {connector.id} not found.")
    connector.termination = None


def put_credentials(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """PutVoiceConnectorTerminationCredentials (204): adds or replaces credentials by username."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    credentials = call.get("Credentials", [])
    for index, credential in enumerate(credentials, start=1):
        require(
            bool(credential.get("Username")) and bool(credential.get("Password")),
            BAD,
            f"Credential {index} must have a Username and a Password.",
        )
    for credential in credentials:
        connector.credentials[credential["Username"]] = credential["Password"]


def list_credentials(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """ListVoiceConnectorTerminationCredentials: usernames only, never passwords."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    return {"Usernames": sorted(connector.credentials)}


def delete_credentials(chime: ChimeVoiceStandIn, call: AwsCall) -> None:
    """DeleteVoiceConnectorTerminationCredentials (204)."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    unknown = [u for u in call.params["Usernames"] if u not in connector.credentials]
    # usernames are sensitive in the model, so the message counts them instead of naming them
    require(not unknown, NOT_FOUND, f"{len(unknown)} of the usernames have no termination credential.")
    for username in call.params["Usernames"]:
        connector.credentials.pop(username, None)


# -- logging --------------------------------------------------------------------


def put_logging(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """PutVoiceConnectorLoggingConfiguration."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    given = call.params["LoggingConfiguration"]
    connector.logging = {
        "EnableSIPLogs": bool(given.get("EnableSIPLogs", False)),
        "EnableMediaMetricLogs": bool(given.get("EnableMediaMetricLogs", False)),
    }
    return {"LoggingConfiguration": connector.logging}


def get_logging(chime: ChimeVoiceStandIn, call: AwsCall) -> dict[str, Any]:
    """GetVoiceConnectorLoggingConfiguration: NotFound until put."""
    connector = find_connector(chime, call.params["VoiceConnectorId"])
    require(connector.logging is not None, NOT_FOUND, f"Logging configuration for {connector.id} not found.")
    return {"LoggingConfiguration": connector.logging}


def page_of(items: list[Any], call: AwsCall, default_max: int) -> tuple[list[Any], str | None]:
    """A page of a list operation; an unknown NextToken is a BadRequestException."""
    try:
        return paginate(items, call.get("MaxResults"), call.get("NextToken"), default_max)
    except ValueError as exc:
        raise AwsError(BAD, "Invalid NextToken.") from exc
