"""The ledger: every request with its operation and status, every live object with its name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import httpx

from sandbox.core.server import SandboxServer

TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'  # noqa: E501


def handler_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def create_patchbay_objects(aws_client: Callable[..., Any]) -> None:
    """What a connect_vapi apply makes in moto: a role, a table, a function."""
    role = aws_client("iam").create_role(RoleName="pb-acme-int1-role", AssumeRolePolicyDocument=TRUST)["Role"]
    aws_client("dynamodb").create_table(
        TableName="pb-acme-int1-attributes",
        KeySchema=[{"AttributeName": "caller", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "caller", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws_client("lambda").create_function(
        FunctionName="pb-acme-int1-sma",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": handler_zip()},
    )


def test_ledger_lists_moto_objects_by_type_and_name(sandbox_url: str, aws_client: Callable[..., Any]) -> None:
    create_patchbay_objects(aws_client)

    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": "aws"}).json()["objects"]

    assert sorted((o["type"], o["name"]) for o in objects) == [
        ("dynamodb.table", "pb-acme-int1-attributes"),
        ("iam.role", "pb-acme-int1-role"),
        ("lambda.function", "pb-acme-int1-sma"),
    ]
    assert {o["vendor"] for o in objects} == {"aws"}
    assert next(o["id"] for o in objects if o["type"] == "lambda.function") == (
        "arn:aws:lambda:us-east-1:123456789012:function:pb-acme-int1-sma"
    )


def test_ledger_names_each_request_by_its_aws_operation(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    create_patchbay_objects(aws_client)
    aws_client("lambda").get_function(FunctionName="pb-acme-int1-sma")
    aws_client("logs").describe_log_groups()

    requests = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["requests"]

    assert [(r["index"], r["service"], r["operation"], r["method"], r["status"]) for r in requests] == [
        (0, "iam", "CreateRole", "POST", 200),
        (1, "dynamodb", "CreateTable", "POST", 200),
        (2, "lambda", "CreateFunction", "POST", 201),
        (3, "lambda", "GetFunction", "GET", 200),
        (4, "logs", "DescribeLogGroups", "POST", 200),
    ]
    assert requests[3]["path"] == "/2015-03-31/functions/pb-acme-int1-sma"
    assert all(r["vendor"] == "aws" and r["at"].endswith("Z") for r in requests)


def test_ledger_reads_only_newer_requests_or_one_vendor(
    sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    iam = aws_client("iam")
    iam.list_roles()
    first = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()
    aws_client("dynamodb").list_tables()
    iam.list_roles()

    newer = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"since": first["next"]}).json()
    only_iam = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": "iam"}).json()

    assert [r["operation"] for r in newer["requests"]] == ["ListTables", "ListRoles"]
    assert newer["next"] == 3
    assert [r["index"] for r in only_iam["requests"]] == [0, 2]


def test_reset_empties_every_vendor_the_ledger_faults_and_dns(
    sandbox_server: SandboxServer, sandbox_url: str, aws_client: Callable[..., Any]
) -> None:
    create_patchbay_objects(aws_client)
    httpx.post(f"{sandbox_url}/_sandbox/faults", json={"vendor": "aws", "operation": "*", "mode": "latency"})
    sandbox_server.sandbox.dns.set("abcdefghijklmnopqrstuv.voiceconnector.chime.aws", ["99.77.253.10"])

    assert httpx.post(f"{sandbox_url}/_sandbox/reset").status_code == 200

    ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()
    assert ledger == {"requests": [], "objects": [], "next": 0}
    assert httpx.get(f"{sandbox_url}/_sandbox/faults").json() == {"faults": []}
    assert httpx.get(f"{sandbox_url}/_sandbox/dns").json() == {"records": {}}
    assert aws_client("lambda").list_functions()["Functions"] == []
