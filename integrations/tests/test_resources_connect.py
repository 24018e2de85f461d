"""The Amazon Connect resource types against the sandbox, through real boto3: the Lambda association, the
contact flow (kept by Connect in its own form), and the Connect numbers routed to the flow."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from integrations.tests.resource_harness import Node, SandboxControl, assert_lifecycle, function_spec
from integrations.tests.sandbox_aws import SandboxAwsAccount, say_goodbye_flow
from integrations.vendors.errors import InvalidSpec, ResponseLost

pytestmark = pytest.mark.usefixtures("fast_resource_waits")


# -- Connect --------------------------------------------------------------------


def test_connect_lambda_association_lifecycle(
    make_node: Callable[..., Node],
    lambda_role: str,
    aws_account: SandboxAwsAccount,
    aws_client: Callable[..., Any],
) -> None:
    """The function is associated with the instance; pointing the spec at another function moves it."""
    first = make_node("aws.lambda_function", "pb-t-i-one", function_spec(lambda_role)).create()
    second = make_node("aws.lambda_function", "pb-t-i-two", function_spec(lambda_role)).create()
    instance = aws_account.connect_instance_id
    spec = {"instance_id": instance, "function_arn": first.outputs["arn"]}
    node = make_node("aws.connect_lambda_association", "pb-t-i-assoc", spec)
    assert not node.observe().exists
    assert node.create().up_to_date
    assert node.external_id == first.outputs["arn"]

    node.spec = {"instance_id": instance, "function_arn": second.outputs["arn"]}
    drifted = node.observe()
    assert drifted.diff == {"function_arn": (first.outputs["arn"], second.outputs["arn"])}
    assert node.update(drifted.diff).up_to_date
    connect = aws_client("connect")
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == [second.outputs["arn"]]

    node.delete()
    assert not node.observe().exists
    assert connect.list_lambda_functions(InstanceId=instance)["LambdaFunctions"] == []
    node.delete()


def test_connect_contact_flow_lifecycle_compares_parsed_content(
    make_node: Callable[..., Node], aws_account: SandboxAwsAccount, aws_client: Callable[..., Any]
) -> None:
    """The flow's JSON is compared parsed (not as text); new content and description are healed."""
    spec = {
        "instance_id": aws_account.connect_instance_id,
        "type": "CONTACT_FLOW",
        "description": "Patchbay: to the agent",
        "content": say_goodbye_flow("Hello"),
    }
    node = make_node("aws.connect_contact_flow", "pb-t-i-flow", spec)
    changed = {**spec, "description": "Patchbay: goodbye", "content": say_goodbye_flow("Goodbye")}
    outputs = assert_lifecycle(node, changed, {"content", "description"})
    assert outputs["arn"].endswith(outputs["id"])

    # Connect re-serializes content its own way; the same flow in other JSON spacing is no drift.
    node.create()
    connect = aws_client("connect")
    connect.update_contact_flow_content(
        InstanceId=spec["instance_id"],
        ContactFlowId=node.external_id,
        Content=json.dumps(spec["content"], indent=2, sort_keys=True),
    )
    assert node.observe().up_to_date


def test_a_flow_connect_rewrote_on_save_is_no_drift_but_an_edited_action_is(
    make_node: Callable[..., Node], aws_account: SandboxAwsAccount, aws_client: Callable[..., Any]
) -> None:
    """Connect keeps a flow in its own form (editor Metadata, empty lists): only what Patchbay owns counts."""
    spec = {
        "instance_id": aws_account.connect_instance_id,
        "type": "CONTACT_FLOW",
        "description": "Patchbay: to the agent",
        "content": say_goodbye_flow("Hello"),
    }
    node = make_node("aws.connect_contact_flow", "pb-t-i-rewritten", spec)
    node.create()
    connect = aws_client("connect")
    saved = json.loads(
        connect.describe_contact_flow(InstanceId=spec["instance_id"], ContactFlowId=node.external_id)[
            "ContactFlow"
        ]["Content"]
    )
    assert saved != spec["content"]  # Connect's form, not ours
    assert "Metadata" not in spec["content"]

    assert node.observe().up_to_date

    edited = say_goodbye_flow("Hello")
    edited["Actions"][0]["Parameters"]["Text"] = "Edited in the Connect console"
    connect.update_contact_flow_content(
        InstanceId=spec["instance_id"], ContactFlowId=node.external_id, Content=json.dumps(edited)
    )
    drifted = node.observe()
    assert set(drifted.diff) == {"content"}
    assert node.update(drifted.diff).up_to_date


def _flow_node(make_node: Callable[..., Node], aws_account: SandboxAwsAccount, name: str) -> Node:
    spec = {
        "instance_id": aws_account.connect_instance_id,
        "type": "CONTACT_FLOW",
        "description": "",
        "content": say_goodbye_flow("Hello"),
    }
    node = make_node("aws.connect_contact_flow", name, spec)
    node.create()
    return node


def _routed(aws_client: Callable[..., Any], instance_id: str) -> dict[str, str]:
    """Phone number → flow id, as Connect lists the instance's flow associations."""
    connect = aws_client("connect")
    numbers = {
        n["PhoneNumberArn"]: n["PhoneNumber"]
        for n in connect.list_phone_numbers_v2(InstanceId=instance_id)["ListPhoneNumbersSummaryList"]
    }
    associations = connect.list_flow_associations(InstanceId=instance_id, ResourceType="VOICE_PHONE_NUMBER")
    return {
        numbers[a["ResourceId"]]: a["FlowId"].rsplit("/", 1)[-1]
        for a in associations["FlowAssociationSummaryList"]
    }


def test_connect_numbers_are_routed_to_the_flow_moved_and_unrouted_on_delete(
    make_node: Callable[..., Node], aws_account: SandboxAwsAccount, aws_client: Callable[..., Any]
) -> None:
    """The named numbers route to the flow; a number dropped from the config is unrouted; delete undoes it."""
    instance = aws_account.connect_instance_id
    first = aws_account.connect_phone_number
    second = "+13125557999"
    aws_client("connect").claim_phone_number(InstanceId=instance, PhoneNumber=second)
    flow = _flow_node(make_node, aws_account, "pb-t-i-routed-flow")
    spec = {"instance_id": instance, "flow_id": flow.external_id, "numbers": [first]}
    node = make_node("aws.connect_phone_number_flows", "pb-t-i-numbers", spec)

    assert not node.observe().exists
    created = node.create()
    assert created.up_to_date and created.outputs == {"numbers": [first]}
    assert _routed(aws_client, instance) == {first: flow.external_id}

    node.spec = {**spec, "numbers": [second]}
    drifted = node.observe()
    assert drifted.diff == {"numbers": ([first], [second])}
    assert node.update(drifted.diff).up_to_date
    assert _routed(aws_client, instance) == {second: flow.external_id}

    node.delete()
    assert _routed(aws_client, instance) == {}
    # The flow can go now: Connect refuses to delete a flow a number routes to.
    flow.delete()


def test_a_number_the_instance_has_not_claimed_fails_naming_it(
    make_node: Callable[..., Node], aws_account: SandboxAwsAccount
) -> None:
    """A number that is not claimed in the instance is refused before anything changes."""
    flow = _flow_node(make_node, aws_account, "pb-t-i-unclaimed-flow")
    spec = {
        "instance_id": aws_account.connect_instance_id,
        "flow_id": flow.external_id,
        "numbers": ["+13125550000"],
    }
    node = make_node("aws.connect_phone_number_flows", "pb-t-i-unclaimed", spec)
    seen = node.observe()  # observing never fails on it (a teardown must not), it is a diff
    assert not seen.exists
    with pytest.raises(
        InvalidSpec, match=r"\+13125550000 is not a phone number claimed in Amazon Connect"
    ) as refused:
        node.create()
    assert refused.value.field == "connect_phone_numbers"
    node.delete()  # nothing routed: nothing to undo


def test_lost_contact_flow_answer_is_adopted_by_name(
    make_node: Callable[..., Node], sandbox_control: SandboxControl, aws_account: SandboxAwsAccount
) -> None:
    """A flow created without an answer is found by name in the instance; a second create adopts it."""
    spec = {
        "instance_id": aws_account.connect_instance_id,
        "type": "CONTACT_FLOW",
        "description": "",
        "content": say_goodbye_flow("Hello"),
    }
    node = make_node("aws.connect_contact_flow", "pb-t-i-lost-flow", spec)
    sandbox_control.fault("CreateContactFlow", "lose_response")
    with pytest.raises(ResponseLost):
        node.create()
    seen = node.observe()
    assert seen.exists and seen.up_to_date
    flow_id = seen.external_id
    # Connect refuses the name a second time (DuplicateResourceException): create adopts instead.
    assert node.create().external_id == flow_id
    assert len(sandbox_control.objects("connect.ContactFlow", "pb-t-i-lost-flow")) == 1
