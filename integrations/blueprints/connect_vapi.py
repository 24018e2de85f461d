"""connect_vapi's resource graph (DESIGN §1; AWS.md §6.1 deploy order; PROVIDERS.md §2).

No Voice Connector termination (issue 12.6): calls only flow Connect → Chime → Vapi, so the
connector never needs to accept calls to the PSTN. A termination open to Vapi's shared SBC
addresses without credentials would let anyone on Vapi who learns the connector host place
PSTN calls billed to the customer. Integrations applied before lose theirs on the next apply
(the engine deletes the objects of nodes a blueprint no longer has).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from integrations.blueprints import fragments
from integrations.blueprints.fragments import aws_region
from integrations.contact_flows import vapi_transfer_flow
from integrations.engine.blueprint import Blueprint, BlueprintNode, SpecInputs
from integrations.engine.types import KnownAfterApply
from integrations.vendors.chime_ranges import as_gateway_networks, signalling_ranges

LAMBDA_BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
#: how long the connect handler's attributes live in DynamoDB (DESIGN §1: TTL 5 min)
ATTRIBUTE_TTL_SECONDS = 300


def _aws_account_id(i: SpecInputs) -> str:
    # arn:aws:iam::<account>:role/<name>: the customer's account is in the role ARN.
    parts = str(i.accounts["aws"].get("role_arn", "")).split(":")
    return parts[4] if len(parts) > 4 else ""


def _instance_arn(i: SpecInputs) -> str:
    return f"arn:aws:connect:{aws_region(i)}:{_aws_account_id(i)}:instance/{i.config['connect_instance_id']}"


def _gateway(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> dict[str, Any]:
    return {
        "ip": str(network.network_address),
        "netmask": network.prefixlen,
        "port": 5060,
        "inbound_enabled": True,
        # Calls only flow Connect → Vapi; Vapi never dials out through this trunk.
        "outbound_enabled": False,
    }


def gateways_for(ips: list[Any], netmask: int) -> list[dict[str, Any]]:
    """One inbound gateway per signalling network: each IP as /32, or the covering /netmask."""
    if any(isinstance(ip, KnownAfterApply) for ip in ips):
        return [{"ip": KnownAfterApply("connector_ips", "ips"), "netmask": netmask}]
    networks = sorted({ipaddress.ip_network(f"{ip}/{netmask}", strict=False) for ip in ips})
    return [_gateway(network) for network in networks]


def _vapi_gateways(i: SpecInputs) -> list[dict[str, Any]]:
    """Chime's published signalling range of the region, as /24-or-narrower gateways (issue 12.2).

    The connector sends from anywhere in the range, so today's DNS answers are not enough; only a
    region with no published range falls back to them (chime_ranges.py).
    """
    ranges = signalling_ranges(aws_region(i))
    if ranges is None:
        return gateways_for(i.out_list("connector_ips", "ips"), int(i.config.get("gateway_netmask", 32)))
    return [_gateway(network) for network in as_gateway_networks(ranges)]


def _role(i: SpecInputs) -> dict[str, Any]:
    table_arn = i.out("dynamodb_table", "arn")
    return {
        "service_principal": "lambda.amazonaws.com",
        "managed_policy_arns": [LAMBDA_BASIC_EXECUTION],
        "inline_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                    "Resource": table_arn,
                }
            ],
        },
    }


def _connect_lambda(i: SpecInputs) -> dict[str, Any]:
    return {
        "package": "connect_handler",
        "role_arn": i.out("iam_role", "arn"),
        "runtime": "python3.12",
        "timeout": 8,
        "memory": 128,
        "environment": {
            "TABLE_NAME": i.out("dynamodb_table", "name"),
            "TTL_SECONDS": str(ATTRIBUTE_TTL_SECONDS),
            "FORWARD_ATTRIBUTES": ",".join(i.config.get("forward_attributes") or []),
        },
    }


def _sma_lambda(i: SpecInputs) -> dict[str, Any]:
    return {
        "package": "sma_handler",
        "role_arn": i.out("iam_role", "arn"),
        "runtime": "python3.12",
        # Chime waits 5 s before retrying a Lambda (AWS.md §3.5).
        "timeout": 5,
        "memory": 128,
        "environment": {
            "TABLE_NAME": i.out("dynamodb_table", "name"),
            "VOICE_CONNECTOR_ARN": i.out("voice_connector", "arn"),
            "SIP_URI_USER": str(i.config["sip_uri_user"]),
            "CALL_TIMEOUT_SECONDS": str(i.config.get("call_timeout_seconds", 30)),
        },
    }


def _vapi_region(i: SpecInputs) -> str:
    return str(i.accounts.get("vapi", {}).get("region", "us"))


NODES = (
    BlueprintNode(
        "dynamodb_table",
        "aws.dynamodb_table",
        lambda i: {"hash_key": "caller", "ttl_attribute": "expires_at"},
        title="DynamoDB table of caller attributes (TTL on)",
    ),
    BlueprintNode("iam_role", "aws.iam_role", _role, ("dynamodb_table",), "IAM role of the Lambdas"),
    BlueprintNode(
        "connect_lambda",
        "aws.lambda_function",
        _connect_lambda,
        ("iam_role", "dynamodb_table"),
        "Connect handler Lambda",
    ),
    fragments.voice_connector(),
    BlueprintNode(
        "sma_lambda",
        "aws.lambda_function",
        _sma_lambda,
        ("iam_role", "dynamodb_table", "voice_connector"),
        "SIP media application handler Lambda",
    ),
    BlueprintNode(
        "connect_lambda_permission",
        "aws.lambda_permission",
        lambda i: {
            "function_name": i.out("connect_lambda", "name"),
            "principal": "connect.amazonaws.com",
            "source_arn": _instance_arn(i),
        },
        ("connect_lambda",),
        "Connect may invoke the connect handler",
    ),
    BlueprintNode(
        "sma_lambda_permission",
        "aws.lambda_permission",
        lambda i: {
            "function_name": i.out("sma_lambda", "name"),
            # Without it calls hang up (AWS.md §1.4).
            "principal": "voiceconnector.chime.amazonaws.com",
            "source_account": _aws_account_id(i),
        },
        ("sma_lambda",),
        "Chime may invoke the SMA handler",
    ),
    BlueprintNode(
        "connect_lambda_association",
        "aws.connect_lambda_association",
        lambda i: {
            "instance_id": i.config["connect_instance_id"],
            "function_arn": i.out("connect_lambda", "arn"),
        },
        ("connect_lambda", "connect_lambda_permission"),
        "Connect handler associated with the Connect instance",
    ),
    BlueprintNode(
        "connector_ips",
        "dns.connector_ips",
        lambda i: {"host": i.out("voice_connector", "host")},
        ("voice_connector",),
        "Signalling IPs of the connector (DNS)",
    ),
    BlueprintNode(
        "vapi_credential",
        "vapi.credential",
        lambda i: {"gateways": _vapi_gateways(i)},
        ("connector_ips",),
        "Vapi SIP-trunk credential (gateways = Chime's signalling range)",
    ),
    fragments.connector_origination(
        lambda i: str(i.out("vapi_credential", "sip_host")),
        5060,
        ("voice_connector", "vapi_credential"),
        "Connector origination to Vapi",
    ),
    fragments.connector_logging(),
    BlueprintNode(
        "phone_number",
        "chime.phone_number",
        lambda i: {"product_type": "SipMediaApplicationDialIn", "area_code": str(i.config["area_code"])},
        title="Chime phone number Connect transfers to",
    ),
    BlueprintNode(
        "sip_media_application",
        "chime.sip_media_application",
        lambda i: {"aws_region": aws_region(i), "lambda_arn": i.out("sma_lambda", "arn")},
        ("sma_lambda", "sma_lambda_permission"),
        "SIP media application",
    ),
    BlueprintNode(
        "sip_rule",
        "chime.sip_rule",
        lambda i: {
            "trigger_type": "ToPhoneNumber",
            "trigger_value": i.out("phone_number", "e164"),
            "targets": [
                {
                    "SipMediaApplicationId": i.out("sip_media_application", "id"),
                    "Priority": 1,
                    "AwsRegion": aws_region(i),
                }
            ],
            "disabled": False,
        },
        ("phone_number", "sip_media_application"),
        "SIP rule: the number → the SIP media application",
    ),
    BlueprintNode(
        "vapi_phone_number",
        "vapi.phone_number",
        lambda i: {
            "number": str(i.config["sip_uri_user"]),
            "credential_id": i.out("vapi_credential", "id"),
            "assistant_id": str(i.config["vapi_assistant_id"]),
        },
        ("vapi_credential",),
        "Vapi phone number (SIP URI user → assistant)",
    ),
    BlueprintNode(
        "contact_flow",
        "aws.connect_contact_flow",
        lambda i: {
            "instance_id": i.config["connect_instance_id"],
            "type": "CONTACT_FLOW",
            "description": f"Patchbay: {i.integration_name} → Vapi",
            "content": vapi_transfer_flow(
                integration_name=i.integration_name,
                connect_lambda_arn=i.out("connect_lambda", "arn"),
                chime_number=i.out("phone_number", "e164"),
            ),
        },
        ("connect_lambda_association", "sip_rule"),
        "Amazon Connect contact flow",
    ),
    fragments.connect_numbers(),
)

BLUEPRINT = Blueprint(kind="connect_vapi", nodes=NODES)
