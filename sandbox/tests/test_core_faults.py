"""Injected faults on moto-served operations, seen through real boto3 clients."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import httpx
import pytest

ROLE_DOC = '{"Version":"2012-10-17","Statement":[]}'
NO_RETRIES = {"mode": "standard", "total_max_attempts": 1}


def add_fault(url: str, **spec: Any) -> dict[str, Any]:
    response = httpx.post(f"{url}/_sandbox/faults", json=spec)
    assert response.status_code == 201, response.text
    return response.json()


def ledger(url: str, **params: Any) -> dict[str, Any]:
    return httpx.get(f"{url}/_sandbox/ledger", params=params).json()


def test_throttle_makes_boto3_retry_and_succeed(sandbox_url: str, aws_client: Callable[..., Any]) -> None:
    iam = aws_client("iam")
    iam.create_role(RoleName="pb-t1-i1-role", AssumeRolePolicyDocument=ROLE_DOC)
    add_fault(sandbox_url, vendor="iam", operation="GetRole", mode="throttle")

    role = iam.get_role(RoleName="pb-t1-i1-role")["Role"]

    assert role["RoleName"] == "pb-t1-i1-role"
    calls = [(r["operation"], r["status"], r["fault"]) for r in ledger(sandbox_url, vendor="iam")["requests"]]
    assert calls[-2:] == [("GetRole", 400, "throttle"), ("GetRole", 200, "")]


def test_throttle_on_dynamodb_answers_its_own_throttling_code(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    ddb = aws_client("dynamodb", retries=NO_RETRIES)
    add_fault(sandbox_url, vendor="dynamodb", operation="DescribeTable", mode="throttle")

    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ddb.describe_table(TableName="anything")

    assert caught.value.response["Error"]["Code"] == "ThrottlingException"


def test_lost_response_leaves_the_object_while_the_client_sees_a_connection_error(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    iam = aws_client("iam", retries=NO_RETRIES)
    add_fault(sandbox_url, vendor="aws", operation="CreateRole", mode="lose_response")

    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        iam.create_role(RoleName="pb-t1-i1-lost", AssumeRolePolicyDocument=ROLE_DOC)

    seen = ledger(sandbox_url, vendor="aws")
    assert [o["name"] for o in seen["objects"] if o["type"] == "iam.role"] == ["pb-t1-i1-lost"]
    assert seen["requests"][-1]["fault"] == "lose_response"
    assert seen["requests"][-1]["status"] == 200
    # A retry of the same create now meets the object the lost answer made.
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName="pb-t1-i1-lost", AssumeRolePolicyDocument=ROLE_DOC)


def test_after_lets_that_many_matching_requests_through_before_the_fault_fires(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    iam = aws_client("iam", retries=NO_RETRIES)
    iam.create_role(RoleName="pb-t1-i1-nth", AssumeRolePolicyDocument=ROLE_DOC)
    add_fault(sandbox_url, vendor="iam", operation="GetRole", mode="error", status=503, after=2, times=1)

    iam.get_role(RoleName="pb-t1-i1-nth")
    iam.list_roles()  # another operation does not count towards `after`
    iam.get_role(RoleName="pb-t1-i1-nth")
    with pytest.raises(botocore.exceptions.ClientError):
        iam.get_role(RoleName="pb-t1-i1-nth")
    iam.get_role(RoleName="pb-t1-i1-nth")

    calls = [(r["operation"], r["status"]) for r in ledger(sandbox_url, vendor="iam")["requests"]][-5:]
    assert calls == [
        ("GetRole", 200),
        ("ListRoles", 200),
        ("GetRole", 200),
        ("GetRole", 503),
        ("GetRole", 200),
    ]


def test_dropped_connection_creates_nothing(sandbox_url: str, aws_client: Callable[..., Any]) -> None:
    ddb = aws_client("dynamodb", retries=NO_RETRIES)
    add_fault(sandbox_url, vendor="dynamodb", operation="CreateTable", mode="drop")

    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        ddb.create_table(
            TableName="pb-t1-i1-attrs",
            KeySchema=[{"AttributeName": "caller", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "caller", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

    seen = ledger(sandbox_url)
    assert seen["objects"] == []
    assert (seen["requests"][-1]["operation"], seen["requests"][-1]["status"]) == ("CreateTable", None)


def test_error_fault_answers_the_modeled_error_without_running_the_operation(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    lam = aws_client("lambda", retries=NO_RETRIES)
    add_fault(
        sandbox_url,
        vendor="lambda",
        operation="ListFunctions",
        mode="error",
        status=404,
        code="ResourceNotFoundException",
        message="Function not found: pb",
        times=2,
    )

    for _ in range(2):
        with pytest.raises(lam.exceptions.ResourceNotFoundException, match="Function not found: pb"):
            lam.list_functions()
    assert lam.list_functions()["Functions"] == []
    assert httpx.get(f"{sandbox_url}/_sandbox/faults").json()["faults"] == []


def test_latency_fault_delays_then_answers(sandbox_url: str, aws_client: Callable[..., Any]) -> None:
    logs = aws_client("logs")
    add_fault(sandbox_url, vendor="logs", operation="DescribeLogGroups", mode="latency", latency_ms=400)

    started = time.monotonic()
    groups = logs.describe_log_groups()["logGroups"]

    assert groups == []
    assert time.monotonic() - started >= 0.4


def test_faults_can_be_listed_and_deleted_one_by_one_or_all(sandbox_url: str) -> None:
    first = add_fault(sandbox_url, vendor="aws", operation="*", mode="drop", times=0)
    second = add_fault(sandbox_url, vendor="iam", operation="GetRole", mode="throttle", retry_after=3)

    listed = httpx.get(f"{sandbox_url}/_sandbox/faults").json()["faults"]
    assert [(f["id"], f["mode"], f["remaining"]) for f in listed] == [
        (first["id"], "drop", None),
        (second["id"], "throttle", 1),
    ]
    assert httpx.delete(f"{sandbox_url}/_sandbox/faults", params={"id": first["id"]}).json() == {"deleted": 1}
    assert httpx.delete(f"{sandbox_url}/_sandbox/faults", params={"id": first["id"]}).status_code == 404
    assert httpx.delete(f"{sandbox_url}/_sandbox/faults").json() == {"deleted": 1}
    assert httpx.get(f"{sandbox_url}/_sandbox/faults").json()["faults"] == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"vendor": "nope", "operation": "X", "mode": "drop"}, "unknown vendor 'nope'"),
        ({"vendor": "iam", "operation": "GetRole", "mode": "explode"}, "unknown mode 'explode'"),
        ({"vendor": "iam", "operation": "GetRoles", "mode": "drop"}, "iam has no operation 'GetRoles'"),
        ({"vendor": "iam", "mode": "drop"}, "'operation' is required"),
        (
            {"vendor": "iam", "operation": "GetRole", "mode": "error", "status": 200},
            "'status' must be between",
        ),
        (
            {"vendor": "iam", "operation": "GetRole", "mode": "latency", "times": -1},
            "'times' must be between",
        ),
    ],
)
def test_bad_fault_requests_are_refused_with_a_reason(
    sandbox_url: str, spec: dict[str, Any], message: str
) -> None:
    response = httpx.post(f"{sandbox_url}/_sandbox/faults", json=spec)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert httpx.get(f"{sandbox_url}/_sandbox/faults").json()["faults"] == []
