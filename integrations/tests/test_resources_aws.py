"""The AWS resource types (IAM, DynamoDB, Lambda, Connect) against the sandbox, through real boto3."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrations.lambdas.package import build_package
from integrations.tests.resource_harness import (
    BASIC_EXECUTION,
    Node,
    SandboxControl,
    assert_lifecycle,
    function_spec,
    role_spec,
)
from integrations.tests.sandbox_aws import SandboxAwsAccount
from integrations.vendors.errors import AuthFailed, InvalidSpec, ResponseLost, VendorUnavailable

READ_ONLY = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"


pytestmark = pytest.mark.usefixtures("fast_resource_waits")


# -- IAM role -------------------------------------------------------------------


def test_iam_role_lifecycle_keeps_trust_policies_and_inline_policy(
    make_node: Callable[..., Node], aws_client: Callable[..., Any], aws_account: SandboxAwsAccount
) -> None:
    """A role gets its policies, drift in them is reported and healed, and delete empties it first."""
    name = "pb-t-i-role"
    node = make_node("aws.iam_role", name, role_spec([], ["dynamodb:GetItem"]))
    assert not node.observe().exists
    created = node.create()
    assert created.up_to_date
    assert created.outputs == {"arn": f"arn:aws:iam::{aws_account.account_id}:role/{name}", "name": name}

    node.spec = role_spec([BASIC_EXECUTION], ["dynamodb:GetItem", "dynamodb:PutItem"])
    drifted = node.observe()
    assert set(drifted.diff) == {"managed_policy_arns", "inline_policy"}
    assert drifted.diff["managed_policy_arns"] == ([], [BASIC_EXECUTION])
    assert node.update(drifted.diff).up_to_date

    # What an admin would see in IAM after the update.
    iam = aws_client("iam")
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [BASIC_EXECUTION]
    inline = iam.get_role_policy(RoleName=name, PolicyName="patchbay")["PolicyDocument"]
    assert inline["Statement"][0]["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem"]

    node.delete()  # IAM refuses to delete a role with policies: the type detaches them first
    assert not node.observe().exists
    node.delete()


def test_the_access_role_may_attach_no_other_managed_policy(make_node: Callable[..., Node]) -> None:
    """Patchbay may attach only AWSLambdaBasicExecutionRole: attaching another is AccessDenied."""
    node = make_node("aws.iam_role", "pb-t-i-wider", role_spec([BASIC_EXECUTION], ["dynamodb:GetItem"]))
    node.create()
    node.spec = role_spec([READ_ONLY], ["dynamodb:GetItem"])
    drifted = node.observe()
    with pytest.raises(AuthFailed) as refused:
        node.update(drifted.diff)
    assert "AccessDenied" in str(refused.value)
    assert "not authorized to perform: iam:AttachRolePolicy on resource:" in str(refused.value)


def test_iam_role_trust_drift_is_reported_and_healed(make_node: Callable[..., Node]) -> None:
    """A role whose trust names another service principal shows that field only."""
    node = make_node("aws.iam_role", "pb-t-i-trust", role_spec([], ["dynamodb:GetItem"]))
    changed = {**node.spec, "service_principal": "edgelambda.amazonaws.com"}
    assert_lifecycle(node, changed, {"service_principal"})


# -- DynamoDB table -------------------------------------------------------------


def test_dynamodb_table_lifecycle_turns_ttl_on(
    make_node: Callable[..., Node], aws_client: Callable[..., Any], aws_account: SandboxAwsAccount
) -> None:
    """The table is on demand with TTL on the spec's attribute; a new TTL attribute is a one-field diff."""
    name = "pb-t-i-calls"
    node = make_node("aws.dynamodb_table", name, {"hash_key": "caller", "ttl_attribute": "expires_at"})
    ddb = aws_client("dynamodb")

    def check_created() -> None:
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")

    assert not node.observe().exists
    created = node.create()
    check_created()
    assert created.outputs == {
        "name": name,
        "arn": f"arn:aws:dynamodb:{aws_account.region}:{aws_account.account_id}:table/{name}",
    }
    node.delete()
    outputs = assert_lifecycle(node, {"hash_key": "caller", "ttl_attribute": "ttl"}, {"ttl_attribute"})
    assert outputs["name"] == name


def test_dynamodb_table_key_change_is_refused_with_the_field(make_node: Callable[..., Node]) -> None:
    """DynamoDB cannot re-key a table: update says so and names `hash_key`."""
    node = make_node(
        "aws.dynamodb_table", "pb-t-i-keyed", {"hash_key": "caller", "ttl_attribute": "expires_at"}
    )
    node.create()
    node.spec = {"hash_key": "contact_id", "ttl_attribute": "expires_at"}
    drifted = node.observe()
    assert drifted.diff == {"hash_key": ("caller", "contact_id")}
    with pytest.raises(InvalidSpec, match="cannot change a table's key") as raised:
        node.update(drifted.diff)
    assert raised.value.field == "hash_key"


# -- Lambda function ------------------------------------------------------------


def test_lambda_function_lifecycle_reports_config_drift(
    make_node: Callable[..., Node], lambda_role: str
) -> None:
    """Timeout and environment drift show as those fields; the outputs carry our zip's hash."""
    node = make_node("aws.lambda_function", "pb-t-i-connect", function_spec(lambda_role))
    changed = function_spec(lambda_role, timeout=5, environment={"TABLE_NAME": "pb-t-i-other"})
    outputs = assert_lifecycle(node, changed, {"timeout", "environment"})
    assert outputs["name"] == "pb-t-i-connect"
    assert outputs["arn"].endswith(":function:pb-t-i-connect")
    assert outputs["code_sha256"] == build_package("connect_handler").code_sha256


def test_lambda_code_drift_is_detected_by_hash_and_redeployed(
    make_node: Callable[..., Node], aws_client: Callable[..., Any], lambda_role: str
) -> None:
    """Someone uploads other code: observe reports `package`, update deploys our zip again."""
    node = make_node("aws.lambda_function", "pb-t-i-sma", function_spec(lambda_role, package="sma_handler"))
    node.create()
    aws_client("lambda").update_function_code(
        FunctionName="pb-t-i-sma", ZipFile=build_package("connect_handler").zip_bytes
    )
    drifted = node.observe()
    assert set(drifted.diff) == {"package"}
    assert drifted.diff["package"][1] == "sma_handler"
    healed = node.update(drifted.diff)
    assert healed.up_to_date
    assert healed.outputs["code_sha256"] == build_package("sma_handler").code_sha256


def test_lambda_role_not_yet_assumable_is_retryable(
    make_node: Callable[..., Node], sandbox_control: SandboxControl, lambda_role: str
) -> None:
    """A role still propagating (AWS's InvalidParameterValueException) is a retryable error, not a failure."""
    sandbox_control.fault(
        "CreateFunction",
        "error",
        status=400,
        code="InvalidParameterValueException",
        message="The role defined for the function cannot be assumed by Lambda.",
    )
    node = make_node("aws.lambda_function", "pb-t-i-early", function_spec(lambda_role))
    with pytest.raises(VendorUnavailable, match="cannot be assumed by Lambda"):
        node.create()
    assert node.create().up_to_date  # the engine's retry


# -- Lambda permission ----------------------------------------------------------


def test_lambda_permission_lifecycle(
    make_node: Callable[..., Node], lambda_role: str, aws_account: SandboxAwsAccount
) -> None:
    """A statement for Chime is found in the policy; a new principal and source ARN show as a diff."""
    function = make_node("aws.lambda_function", "pb-t-i-fn", function_spec(lambda_role)).create()
    spec = {
        "function_name": function.outputs["name"],
        "principal": "voiceconnector.chime.amazonaws.com",
        "source_account": aws_account.account_id,
    }
    node = make_node("aws.lambda_permission", "pb-t-i-invoke", spec)
    changed = {**spec, "principal": "connect.amazonaws.com", "source_arn": aws_account.connect_instance_arn}
    outputs = assert_lifecycle(node, changed, {"principal", "source_arn"})
    assert outputs == {"statement_id": "pb-t-i-invoke"}


# -- lost create answers ----------------------------------------------------------


LOST_CREATES = [
    (
        "aws.iam_role",
        "CreateRole",
        "iam.role",
        lambda role: role_spec([BASIC_EXECUTION], ["dynamodb:GetItem"]),
    ),
    (
        "aws.dynamodb_table",
        "CreateTable",
        "dynamodb.table",
        lambda role: {"hash_key": "caller", "ttl_attribute": "expires_at"},
    ),
    ("aws.lambda_function", "CreateFunction", "lambda.function", lambda role: function_spec(role)),
]


@pytest.mark.parametrize(("type_name", "operation", "ledger_type", "spec_for"), LOST_CREATES)
def test_lost_create_answer_is_adopted_by_name(
    make_node: Callable[..., Node],
    sandbox_control: SandboxControl,
    lambda_role: str,
    type_name: str,
    operation: str,
    ledger_type: str,
    spec_for: Callable[[str], dict[str, Any]],
) -> None:
    """The create happened but its answer was lost: observe with no id finds it by name, once."""
    name = "pb-t-i-lost"
    node = make_node(type_name, name, spec_for(lambda_role))
    sandbox_control.fault(operation, "lose_response")
    with pytest.raises(ResponseLost):
        node.create()
    assert node.external_id == ""
    seen = node.observe()
    assert seen.exists
    assert seen.external_id
    assert len(sandbox_control.objects(ledger_type, name)) == 1
