"""A connect_vapi-like deployment in the sandbox, built through boto3 and Vapi's API as Patchbay builds it:
the SIP media application, its Lambda and rule, a voice connector and Vapi's number (moved out of
test_core_calls.py, which test_connect_calls.py imported)."""

from __future__ import annotations

import io
import json
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.tests.aws_factories import order_number

REGION = "us-east-1"
#: us-east-1's signalling range 3.80.16.0/23 (AWS.md §5.2) as Vapi gateways (netmask 24-32)
RANGE_GATEWAYS = [{"ip": "3.80.16.0", "netmask": 24}, {"ip": "3.80.17.0", "netmask": 24}]
CALLER = "+15105550101"
VAPI_NUMBER = "+14155550123"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


# The SMA handler under test: bridges to the connector with x- headers taken from its environment and
# from DynamoDB (proving boto3 inside the function reaches the sandbox), and hangs up on failure.
SMA_HANDLER = textwrap.dedent(
    """
    import json, os
    import boto3

    def handler(event, context):
        print(json.dumps({"seen": event["InvocationEventType"], "sequence": event["Sequence"]}))
        if event["InvocationEventType"] != "NEW_INBOUND_CALL":
            hangup = {"Type": "Hangup", "Parameters": {"SipResponseCode": "0"}}
            return {"SchemaVersion": "1.0", "Actions": [hangup]}
        caller = event["CallDetails"]["Participants"][0]["From"]
        table = os.environ["TABLE_NAME"]
        item = boto3.client("dynamodb").get_item(TableName=table, Key={"caller": {"S": caller}})
        headers = {"x-customername": item.get("Item", {}).get("name", {}).get("S", "unknown")}
        headers.update(json.loads(os.environ.get("EXTRA_HEADERS", "{}")))
        return {
            "SchemaVersion": "1.0",
            "Actions": [{
                "Type": "CallAndBridge",
                "Parameters": {
                    "CallTimeoutSeconds": 30,
                    "CallerIdNumber": caller,
                    "Endpoints": [{"BridgeEndpointType": "AWS", "Arn": os.environ["VOICE_CONNECTOR_ARN"],
                                   "Uri": os.environ["SIP_URI_USER"]}],
                    "SipHeaders": headers,
                },
            }],
        }
    """
)


def handler_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sma.py", source)
    return buffer.getvalue()


@dataclass
class Deployment:
    """The AWS and Vapi objects a connect_vapi integration has, made through the vendors' APIs."""

    url: str
    chime_number: str
    connector_id: str
    connector_ips: list[str]
    function_name: str


def deploy(
    url: str,
    aws_client: Callable[..., Any],
    *,
    extra_headers: dict[str, str] | None = None,
    permit: bool = True,
    package: tuple[bytes, str] | None = None,
    dns_gateways_only: bool = False,
) -> Deployment:
    """The objects of a connect_vapi integration; Vapi's gateways are the region's whole signalling
    range as /24s (what Vapi's Chime guide asks), or with `dns_gateways_only` just the connector's
    DNS answers as /32s (the partial allow list issue 12.2 is about)."""
    iam, lam, ddb = aws_client("iam"), aws_client("lambda"), aws_client("dynamodb")
    chime = aws_client("chime-sdk-voice", region=REGION)
    role = iam.create_role(RoleName="pb-acme-int1-role", AssumeRolePolicyDocument=TRUST)["Role"]
    ddb.create_table(
        TableName="pb-acme-int1-attributes",
        KeySchema=[{"AttributeName": "caller", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "caller", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="pb-acme-int1-attributes", Item={"caller": {"S": CALLER}, "name": {"S": "John"}})
    connector = chime.create_voice_connector(
        Name="pb-acme-int1-vc", RequireEncryption=False, AwsRegion=REGION
    )["VoiceConnector"]
    connector_id = connector["VoiceConnectorId"]
    function = lam.create_function(
        FunctionName="pb-acme-int1-sma",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler=package[1] if package else "sma.handler",
        Timeout=10,
        Code={"ZipFile": package[0] if package else handler_zip(SMA_HANDLER)},
        Environment={
            "Variables": {
                "TABLE_NAME": "pb-acme-int1-attributes",
                "VOICE_CONNECTOR_ARN": connector["VoiceConnectorArn"],
                "SIP_URI_USER": VAPI_NUMBER,
                "EXTRA_HEADERS": json.dumps(extra_headers or {}),
            }
        },
    )
    if permit:
        lam.add_permission(
            FunctionName="pb-acme-int1-sma",
            StatementId="chime-invoke",
            Action="lambda:InvokeFunction",
            Principal="voiceconnector.chime.amazonaws.com",
        )
    ips = httpx.get(f"{url}/_sandbox/dns/{connector_id}").json()["ips"]
    vapi = httpx.post(f"{url}/_sandbox/accounts", json={"vendor": "vapi"}).json()
    auth = {"Authorization": f"Bearer {vapi['api_key']}"}
    credential = httpx.post(
        f"{url}/vapi/credential",
        headers=auth,
        json={
            "provider": "byo-sip-trunk",
            "name": "pb-acme-int1-cred",
            "gateways": [{"ip": ip} for ip in ips] if dns_gateways_only else RANGE_GATEWAYS,
        },
    )
    assert credential.status_code == 201, credential.text
    number = httpx.post(
        f"{url}/vapi/phone-number",
        headers=auth,
        json={
            "provider": "byo-phone-number",
            "credentialId": credential.json()["id"],
            "number": VAPI_NUMBER,
            "assistantId": vapi["assistant_id"],
        },
    )
    assert number.status_code == 201, number.text
    chime.put_voice_connector_origination(
        VoiceConnectorId=connector_id,
        Origination={
            "Routes": [
                {
                    "Host": f"{credential.json()['id']}.sip.vapi.ai",
                    "Port": 5060,
                    "Protocol": "UDP",
                    "Priority": 1,
                    "Weight": 1,
                }
            ],
            "Disabled": False,
        },
    )
    chime.put_voice_connector_logging_configuration(
        VoiceConnectorId=connector_id,
        LoggingConfiguration={"EnableSIPLogs": True, "EnableMediaMetricLogs": False},
    )
    chime_number = order_number(chime, "SipMediaApplicationDialIn", "510", name="pb-acme-int1-number")
    sma = chime.create_sip_media_application(
        AwsRegion=REGION, Name="pb-acme-int1-sma", Endpoints=[{"LambdaArn": function["FunctionArn"]}]
    )["SipMediaApplication"]
    chime.create_sip_rule(
        Name="pb-acme-int1-rule",
        TriggerType="ToPhoneNumber",
        TriggerValue=chime_number,
        TargetApplications=[
            {"SipMediaApplicationId": sma["SipMediaApplicationId"], "Priority": 1, "AwsRegion": REGION}
        ],
    )
    return Deployment(url, chime_number, connector_id, ips, "pb-acme-int1-sma")
