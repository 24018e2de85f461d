"""An assumed role may do only what its identity policies allow: AccessDenied otherwise, as AWS answers it,
for moto's services and the sandbox's own Chime and Connect stand-ins alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from sandbox.tests.aws_factories import TRUST, lambda_zip

ACCOUNT = "123456789012"
EXTERNAL_ID = "pb-ext-policies"


def statement(actions: list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


@pytest.fixture
def assumed(sandbox_url: str, aws_client: Callable[..., Any]) -> Callable[..., Any]:
    """`assumed(policy)` → a client factory on the access role holding exactly `policy`."""

    def make(*statements: dict[str, Any]) -> Callable[..., Any]:
        policy = {"Version": "2012-10-17", "Statement": list(statements)}
        body = {"vendor": "aws", "external_id": EXTERNAL_ID, "permission_policy": policy}
        account = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=30).json()
        credentials = aws_client("sts").assume_role(
            RoleArn=account["role_arn"], RoleSessionName="patchbay", ExternalId=EXTERNAL_ID
        )["Credentials"]

        def client(service: str, region: str = "us-east-1") -> Any:
            return boto3.client(
                service,
                region_name=region,
                endpoint_url=sandbox_url,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )

        return client

    return make


def refusal(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_an_action_no_policy_allows_is_access_denied_in_each_protocols_shape(
    assumed: Callable[..., Any],
) -> None:
    client = assumed(statement(["dynamodb:DescribeTable"], f"arn:aws:dynamodb:*:{ACCOUNT}:table/pb-*"))
    caller = f"arn:aws:sts::{ACCOUNT}:assumed-role/patchbay-access-1/patchbay"

    # Allowed: the request reaches the service (which has no such table).
    with pytest.raises(client("dynamodb").exceptions.ResourceNotFoundException):
        client("dynamodb").describe_table(TableName="pb-acme-int1-attributes")
    # Outside the resource pattern: the JSON protocol's AccessDeniedException.
    assert refusal(lambda: client("dynamodb").describe_table(TableName="payroll")) == (
        400,
        "AccessDeniedException",
        f"User: {caller} is not authorized to perform: dynamodb:DescribeTable on resource: "
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/payroll because no identity-based policy allows "
        "the dynamodb:DescribeTable action",
    )
    # IAM (query protocol) and the Chime and Connect stand-ins (rest-json) refuse the same way.
    status, code, message = refusal(lambda: client("iam").get_role(RoleName="pb-acme-int1-role"))
    assert (status, code) == (403, "AccessDenied") and "iam:GetRole" in message
    status, code, message = refusal(
        lambda: client("chime-sdk-voice").create_voice_connector(Name="pb-vc", RequireEncryption=False)
    )
    assert (status, code) == (403, "AccessDeniedException") and "chime:CreateVoiceConnector" in message
    status, code, message = refusal(lambda: client("connect").list_contact_flows(InstanceId="i-1"))
    assert (status, code) == (403, "AccessDeniedException")
    assert f"on resource: arn:aws:connect:us-east-1:{ACCOUNT}:instance/i-1 because" in message


def test_an_explicit_deny_wins_over_an_allow(assumed: Callable[..., Any]) -> None:
    client = assumed(
        statement(["chime:*"], "*"),
        {"Effect": "Deny", "Action": "chime:DeleteVoiceConnector", "Resource": "*"},
    )
    chime = client("chime-sdk-voice")
    connector = chime.create_voice_connector(Name="pb-vc", RequireEncryption=False)["VoiceConnector"]

    status, code, message = refusal(
        lambda: chime.delete_voice_connector(VoiceConnectorId=connector["VoiceConnectorId"])
    )

    assert (status, code) == (403, "AccessDeniedException")
    assert message.endswith("with an explicit deny in an identity-based policy")


def test_creating_a_function_also_needs_pass_role_to_lambda(
    assumed: Callable[..., Any], aws_client: Callable[..., Any]
) -> None:
    role = aws_client("iam").create_role(RoleName="pb-exec", AssumeRolePolicyDocument=json.dumps(TRUST))
    functions = statement(["lambda:CreateFunction"], f"arn:aws:lambda:*:{ACCOUNT}:function:pb-*")
    pass_role = statement(
        ["iam:PassRole"],
        f"arn:aws:iam::{ACCOUNT}:role/pb-*",
        Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    )
    create = {
        "Runtime": "python3.12",
        "Role": role["Role"]["Arn"],
        "Handler": "index.handler",
        "Code": {"ZipFile": lambda_zip()},
    }

    without = assumed(functions)("lambda")
    status, code, message = refusal(lambda: without.create_function(FunctionName="pb-fn", **create))
    assert (status, code) == (403, "AccessDeniedException")
    assert f"perform: iam:PassRole on resource: {role['Role']['Arn']}" in message

    with_pass_role = assumed(functions, pass_role)("lambda")
    assert with_pass_role.create_function(FunctionName="pb-fn2", **create)["FunctionName"] == "pb-fn2"


def test_a_condition_on_the_policy_arn_limits_what_may_be_attached(
    assumed: Callable[..., Any], aws_client: Callable[..., Any]
) -> None:
    aws_client("iam").create_role(RoleName="pb-exec", AssumeRolePolicyDocument=json.dumps(TRUST))
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam = assumed(
        statement(
            ["iam:AttachRolePolicy"],
            f"arn:aws:iam::{ACCOUNT}:role/pb-*",
            Condition={"ArnEquals": {"iam:PolicyARN": basic}},
        )
    )("iam")

    iam.attach_role_policy(RoleName="pb-exec", PolicyArn=basic)
    status, code, _ = refusal(
        lambda: iam.attach_role_policy(
            RoleName="pb-exec", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        )
    )
    assert (status, code) == (403, "AccessDenied")


def test_plain_keys_stay_unrestricted_and_the_check_can_be_switched_off(
    assumed: Callable[..., Any], aws_client: Callable[..., Any], sandbox_url: str
) -> None:
    client = assumed(statement(["iam:GetRole"], "*"))
    aws_client("dynamodb").list_tables()  # the tests' own `testing` key: like the account's root
    refusal(lambda: client("dynamodb").list_tables())
    # sts:GetCallerIdentity needs no permission at all (STS API reference).
    assert client("sts").get_caller_identity()["Arn"].endswith("assumed-role/patchbay-access-1/patchbay")

    httpx.post(f"{sandbox_url}/_sandbox/options", json={"moto": {"strict_identity_policies": False}})

    assert client("dynamodb").list_tables()["TableNames"] == []
