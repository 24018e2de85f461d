"""STS AssumeRole checks the role's trust policy (sts:ExternalId), and IAM knows AWS managed policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import httpx
import pytest

ACCOUNT = "123456789012"


def trust_policy(condition: dict[str, Any] | None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def role_arn(sandbox_url: str, aws_client: Callable[..., Any]) -> str:
    role = aws_client("iam").create_role(
        RoleName="patchbay-access",
        AssumeRolePolicyDocument=trust_policy({"StringEquals": {"sts:ExternalId": "pb-ext-7f3a"}}),
    )
    return role["Role"]["Arn"]


@pytest.mark.parametrize("external_id", [None, "pb-ext-wrong"])
def test_assume_role_without_the_right_external_id_is_access_denied(
    role_arn: str, aws_client: Callable[..., Any], external_id: str | None
) -> None:
    sts = aws_client("sts")
    extra = {"ExternalId": external_id} if external_id else {}

    with pytest.raises(sts.exceptions.ClientError) as caught:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="patchbay", **extra)

    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:user/moto is not authorized to perform: sts:AssumeRole "
        f"on resource: {role_arn}"
    )


def test_assume_role_with_the_right_external_id_gives_working_credentials(
    role_arn: str, aws_client: Callable[..., Any], sandbox_url: str
) -> None:
    credentials = aws_client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="patchbay", ExternalId="pb-ext-7f3a"
    )["Credentials"]

    assumed = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=sandbox_url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    identity = assumed.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/patchbay-access/patchbay"
    assert identity["Account"] == ACCOUNT


def test_assume_role_of_a_missing_role_is_access_denied(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    sts = aws_client("sts")

    with pytest.raises(sts.exceptions.ClientError) as caught:
        sts.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/nobody", RoleSessionName="patchbay", ExternalId="xx"
        )

    assert caught.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize(
    ("condition", "external_id", "allowed"),
    [
        (None, None, True),
        ({"StringLike": {"sts:ExternalId": "pb-*"}}, "pb-123", True),
        ({"StringLike": {"sts:ExternalId": "pb-*"}}, "other", False),
        ({"StringEquals": {"sts:externalid": ["a1", "b2"]}}, "b2", True),
        ({"StringEqualsIfExists": {"sts:ExternalId": "a1"}}, None, True),
        ({"StringEqualsIfExists": {"sts:ExternalId": "a1"}}, "zz", False),
        ({"Null": {"sts:ExternalId": "false"}}, None, False),
    ],
)
def test_trust_policy_conditions_are_evaluated_as_iam_does(
    sandbox_url: str,
    aws_client: Callable[..., Any],
    condition: dict[str, Any] | None,
    external_id: str | None,
    allowed: bool,
) -> None:
    arn = aws_client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=trust_policy(condition))[
        "Role"
    ]["Arn"]
    sts = aws_client("sts")
    extra = {"ExternalId": external_id} if external_id else {}

    if allowed:
        assert sts.assume_role(RoleArn=arn, RoleSessionName="pb", **extra)["AssumedRoleUser"]["Arn"].endswith(
            "/r/pb"
        )
    else:
        with pytest.raises(sts.exceptions.ClientError, match="AccessDenied"):
            sts.assume_role(RoleArn=arn, RoleSessionName="pb", **extra)


def test_the_check_can_be_switched_off_to_behave_like_moto(
    role_arn: str, aws_client: Callable[..., Any]
) -> None:
    url = aws_client("sts").meta.endpoint_url
    response = httpx.post(f"{url}/_sandbox/options", json={"moto": {"strict_sts_external_id": False}})
    assert response.json()["options"]["moto"]["strict_sts_external_id"] is False

    user = aws_client("sts").assume_role(RoleArn=role_arn, RoleSessionName="pb")["AssumedRoleUser"]

    assert user["Arn"].endswith("assumed-role/patchbay-access/pb")
    httpx.post(f"{url}/_sandbox/reset")
    assert httpx.get(f"{url}/_sandbox/options").json()["options"]["moto"]["strict_sts_external_id"] is True


def test_aws_managed_policy_attaches_to_a_role(sandbox_url: str, aws_client: Callable[..., Any]) -> None:
    iam = aws_client("iam")
    iam.create_role(RoleName="pb-t1-i1-lambda", AssumeRolePolicyDocument=trust_policy(None))
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

    iam.attach_role_policy(RoleName="pb-t1-i1-lambda", PolicyArn=arn)

    attached = iam.list_attached_role_policies(RoleName="pb-t1-i1-lambda")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": arn}]


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}],
}


def test_aws_account_comes_with_a_connect_instance_and_an_access_role(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    response = httpx.post(
        f"{sandbox_url}/_sandbox/accounts",
        json={"vendor": "aws", "external_id": "pb-ext-1", "region": "us-west-2", "permission_policy": POLICY},
    )
    assert response.status_code == 201
    account = response.json()

    instance = aws_client("connect", region="us-west-2").describe_instance(
        InstanceId=account["connect_instance_id"]
    )
    assert instance["Instance"]["Arn"] == account["connect_instance_arn"]
    assert instance["Instance"]["InstanceStatus"] == "ACTIVE"
    assert account["role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/patchbay-access-1"
    sts = aws_client("sts")
    with pytest.raises(sts.exceptions.ClientError, match="AccessDenied"):
        sts.assume_role(RoleArn=account["role_arn"], RoleSessionName="pb", ExternalId="pb-ext-2")
    assert sts.assume_role(RoleArn=account["role_arn"], RoleSessionName="pb", ExternalId="pb-ext-1")[
        "Credentials"
    ]
    # The role holds exactly the policy given (no AdministratorAccess), and the instance a claimed number.
    iam = aws_client("iam")
    assert iam.list_attached_role_policies(RoleName="patchbay-access-1")["AttachedPolicies"] == []
    assert (
        iam.get_role_policy(RoleName="patchbay-access-1", PolicyName="patchbay-permissions")["PolicyDocument"]
        == POLICY
    )
    numbers = aws_client("connect", region="us-west-2").list_phone_numbers_v2(
        InstanceId=account["connect_instance_id"]
    )["ListPhoneNumbersSummaryList"]
    assert [n["PhoneNumber"] for n in numbers] == [account["connect_phone_number"]]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"external_id": "x", "permission_policy": POLICY}, "'external_id' must be"),
        ({"external_id": "pb-ext-1"}, "'permission_policy' must be an IAM policy document"),
        (
            {"external_id": "pb-ext-1", "permission_policy": {"Statement": [{"Effect": "Maybe"}]}},
            "'permission_policy' is refused by IAM",
        ),
    ],
)
def test_aws_account_with_a_bad_external_id_or_policy_is_refused(
    sandbox_url: str, body: dict[str, Any], detail: str
) -> None:
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "aws", **body})

    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["objects"] == []  # nothing half made
