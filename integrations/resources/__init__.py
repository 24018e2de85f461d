"""Every resource type the engine knows, by `type_name` (one module per vendor object type)."""

from __future__ import annotations

from integrations.engine.types import ResourceType
from integrations.resources.chime_connector_number import ConnectorPhoneNumber
from integrations.resources.chime_logging import VoiceConnectorLogging
from integrations.resources.chime_origination import VoiceConnectorOrigination
from integrations.resources.chime_phone_number import PhoneNumber
from integrations.resources.chime_phone_number_association import PhoneNumberAssociation
from integrations.resources.chime_sip_media_application import SipMediaApplication
from integrations.resources.chime_sip_rule import SipRule
from integrations.resources.chime_termination import VoiceConnectorTermination
from integrations.resources.chime_voice_connector import VoiceConnector
from integrations.resources.connect_contact_flow import ConnectContactFlow
from integrations.resources.connect_lambda_association import ConnectLambdaAssociation
from integrations.resources.connect_phone_numbers import ConnectPhoneNumberFlows
from integrations.resources.connector_ips import ConnectorIps
from integrations.resources.dynamodb_table import DynamoDbTable
from integrations.resources.genesys_outbound_route import GenesysOutboundRoute
from integrations.resources.genesys_trunk import GenesysTrunk
from integrations.resources.iam_role import IamRole
from integrations.resources.lambda_function import LambdaFunction
from integrations.resources.lambda_permission import LambdaPermission
from integrations.resources.sip_credentials import SipCredentials
from integrations.resources.synthflow_assistant_number import SynthflowAssistantNumber
from integrations.resources.synthflow_custom_number import SynthflowCustomNumber
from integrations.resources.twilio_ip_acl import TwilioIpAcl
from integrations.resources.twilio_number_voice import TwilioNumberVoice
from integrations.resources.twilio_sip_domain import TwilioSipDomain
from integrations.resources.vapi_credential import VapiCredential
from integrations.resources.vapi_phone_number import VapiPhoneNumber

RESOURCE_TYPES: dict[str, ResourceType] = {
    "aws.iam_role": IamRole(),
    "aws.dynamodb_table": DynamoDbTable(),
    "aws.lambda_function": LambdaFunction(),
    "aws.lambda_permission": LambdaPermission(),
    "aws.connect_lambda_association": ConnectLambdaAssociation(),
    "aws.connect_contact_flow": ConnectContactFlow(),
    "aws.connect_phone_number_flows": ConnectPhoneNumberFlows(),
    "chime.voice_connector": VoiceConnector(),
    "chime.voice_connector_origination": VoiceConnectorOrigination(),
    "chime.voice_connector_termination": VoiceConnectorTermination(),
    "chime.voice_connector_logging": VoiceConnectorLogging(),
    "chime.phone_number": PhoneNumber(),
    "chime.connector_phone_number": ConnectorPhoneNumber(),
    "chime.sip_media_application": SipMediaApplication(),
    "chime.sip_rule": SipRule(),
    "chime.phone_number_association": PhoneNumberAssociation(),
    "dns.connector_ips": ConnectorIps(),
    "genesys.trunk": GenesysTrunk(),
    "genesys.outbound_route": GenesysOutboundRoute(),
    "vapi.credential": VapiCredential(),
    "vapi.phone_number": VapiPhoneNumber(),
    "patchbay.sip_credentials": SipCredentials(),
    "synthflow.custom_number": SynthflowCustomNumber(),
    "synthflow.assistant_number": SynthflowAssistantNumber(),
    "twilio.number_voice": TwilioNumberVoice(),
    "twilio.ip_access_control_list": TwilioIpAcl(),
    "twilio.sip_domain": TwilioSipDomain(),
}


def get_resource_type(name: str) -> ResourceType:
    """The resource type registered under `name`; KeyError names the known ones."""
    try:
        return RESOURCE_TYPES[name]
    except KeyError:
        known = ", ".join(sorted(RESOURCE_TYPES))
        raise KeyError(f"unknown resource type {name!r}; known: {known}") from None
