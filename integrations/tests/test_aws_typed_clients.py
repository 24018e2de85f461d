"""The typed AWS clients map their service's own error codes and page with their own tokens (sandbox).

Each `AwsService` names its service's "no such object" and "exists / in use" codes (botocore's
models: IAM NoSuchEntity / EntityAlreadyExists, Lambda ResourceNotFoundException /
ResourceConflictException, Connect ResourceNotFoundException / DuplicateResourceException); these
tests make the sandbox answer each of them and check the domain error, with AWS's own text in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from integrations.lambdas.package import build_package
from integrations.resources.iam_role import trust_policy
from integrations.resources.waiting import wait_for
from integrations.tests.resource_harness import BASIC_EXECUTION, table_policy
from integrations.tests.sandbox_aws import SandboxAwsAccount
from integrations.vendors.aws.connect import Connect
from integrations.vendors.aws.iam import Iam
from integrations.vendors.aws.lambda_ import FunctionSettings, Lambda
from integrations.vendors.errors import Conflict, NotFound

pytestmark = pytest.mark.usefixtures("fast_resource_waits")

READ_ONLY = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"


def test_iam_no_such_entity_is_not_found_and_entity_already_exists_is_conflict(
    aws_account: SandboxAwsAccount, aws_client: Callable[..., Any]
) -> None:
    iam = Iam(aws_account.session)
    name = "pb-t-c-role"

    assert iam.role(name) is None  # GetRole's NoSuchEntity, read as "no role"
    with pytest.raises(NotFound, match="ListAttachedRolePolicies: NoSuchEntity"):
        iam.attached_policy_arns(name)

    iam.create_role(name, trust_policy("lambda.amazonaws.com"), "Patchbay: test")
    with pytest.raises(Conflict, match="CreateRole: EntityAlreadyExists"):
        iam.create_role(name, trust_policy("lambda.amazonaws.com"), "Patchbay: test")
    role = iam.role(name)
    assert role is not None and role.name == name
    assert role.trust_policy["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}

    # IAM pages with Marker in and Marker out: two attached policies, at most one per page.
    iam.attach_policy(name, BASIC_EXECUTION)
    aws_client("iam").attach_role_policy(RoleName=name, PolicyArn=READ_ONLY)  # an admin, outside Patchbay
    pages = iam._pages("list_attached_role_policies", "AttachedPolicies", RoleName=name, MaxItems=1)
    assert sorted(p["PolicyArn"] for p in pages) == sorted([BASIC_EXECUTION, READ_ONLY])

    iam.put_inline_policy(name, "patchbay", table_policy(["dynamodb:GetItem"]))
    assert iam.inline_policy(name, "patchbay") == table_policy(["dynamodb:GetItem"])
    assert iam.inline_policy(name, "other") is None
    assert iam.delete_role(name) is True  # policies go first (else DeleteConflict)
    assert iam.delete_role(name) is False
    assert iam.role(name) is None


def test_lambda_resource_not_found_and_resource_conflict(
    aws_account: SandboxAwsAccount, lambda_role: str
) -> None:
    functions = Lambda(aws_account.session)
    name = f"pb-t-c-fn-{uuid.uuid4().hex[:6]}"

    assert functions.function(name) is None
    with pytest.raises(NotFound, match="GetFunctionConfiguration: ResourceNotFoundException"):
        functions.configuration(name)
    assert functions.statement(name, "pb-sid") is None
    assert functions.delete_function(name) is False

    package = build_package("connect_handler")
    settings = FunctionSettings(
        role=lambda_role,
        runtime="python3.12",
        handler=package.handler,
        timeout=8,
        memory=128,
        environment={"TABLE_NAME": "pb-t-c-calls"},
    )
    functions.create_function(name, package.zip_bytes, settings)
    with pytest.raises(Conflict, match="CreateFunction: ResourceConflictException"):
        functions.create_function(name, package.zip_bytes, settings)
    wait_for(lambda: functions.configuration(name), lambda f: f.settled, what=name)
    function = functions.function(name)
    assert function is not None
    assert (function.handler, function.code_sha256) == (package.handler, package.code_sha256)
    assert function.environment == {"TABLE_NAME": "pb-t-c-calls"}

    def add() -> None:
        functions.add_permission(
            name,
            "pb-sid",
            action="lambda:InvokeFunction",
            principal="connect.amazonaws.com",
            source_account=aws_account.account_id,
        )

    add()
    # A taken statement id: Lambda's ResourceConflictException (the sandbox does as Lambda, not moto).
    with pytest.raises(Conflict, match="AddPermission: ResourceConflictException: The statement id"):
        add()
    statement = functions.statement(name, "pb-sid")
    assert statement is not None
    assert (statement.principal, statement.source_account) == (
        "connect.amazonaws.com",
        aws_account.account_id,
    )

    assert functions.remove_permission(name, "pb-sid") is True
    assert functions.remove_permission(name, "pb-sid") is False
    assert functions.delete_function(name) is True


def test_connect_resource_not_found_and_duplicate_resource(aws_account: SandboxAwsAccount) -> None:
    connect = Connect(aws_account.session)
    instance = aws_account.connect_instance_id
    missing_instance = str(uuid.uuid4())

    with pytest.raises(NotFound, match="ListLambdaFunctions: ResourceNotFoundException"):
        connect.lambda_functions(missing_instance)
    assert connect.contact_flow(instance, str(uuid.uuid4())) is None
    assert connect.contact_flow_id(missing_instance, "CONTACT_FLOW", "pb-t-c-flow") is None

    content = (
        '{"Version": "2019-10-30", "StartAction": "bye", "Actions": [{"Identifier": "bye",'
        ' "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]}'
    )
    flow_id = connect.create_contact_flow(instance, "pb-t-c-flow", "CONTACT_FLOW", "test", content)
    with pytest.raises(Conflict, match="CreateContactFlow: DuplicateResourceException"):
        connect.create_contact_flow(instance, "pb-t-c-flow", "CONTACT_FLOW", "test", content)
    assert connect.contact_flow_id(instance, "CONTACT_FLOW", "pb-t-c-flow") == flow_id
    flow = connect.contact_flow(instance, flow_id)
    assert flow is not None and (flow.type, flow.description) == ("CONTACT_FLOW", "test")

    assert connect.delete_contact_flow(instance, flow_id) is True
    assert connect.delete_contact_flow(instance, flow_id) is False
