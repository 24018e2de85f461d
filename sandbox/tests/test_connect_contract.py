"""Contract tests of the Connect stand-in (the calls moto lacks) with real boto3 clients."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.tests.aws_factories import create_lambda, status
from sandbox.tests.connect_flows import flow, invalid_flow_problems, same_actions


def test_moto_still_serves_the_instance(connect: Any, instance_id: str) -> None:
    described = connect.describe_instance(InstanceId=instance_id)["Instance"]
    assert described["InstanceStatus"] == "ACTIVE"


def test_lambda_association(
    connect: Any, instance_id: str, aws_client: Callable[..., Any], sandbox_server: Any
) -> None:
    arn = create_lambda(aws_client, "pb-t1-i1-connect-handler", "us-east-1")
    assert status(connect.associate_lambda_function(InstanceId=instance_id, FunctionArn=arn)) == 200
    listed = connect.list_lambda_functions(InstanceId=instance_id)
    assert status(listed) == 200
    assert listed["LambdaFunctions"] == [arn]
    objects = [
        (o.type, o.id, o.name)
        for o in sandbox_server.sandbox.live_objects("aws")
        if o.type == "connect.LambdaAssociation"
    ]
    assert objects == [("connect.LambdaAssociation", arn, "pb-t1-i1-connect-handler")]

    with pytest.raises(connect.exceptions.ResourceConflictException):
        connect.associate_lambda_function(InstanceId=instance_id, FunctionArn=arn)
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.associate_lambda_function(
            InstanceId=instance_id, FunctionArn=arn.replace("connect-handler", "nope")
        )
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.associate_lambda_function(InstanceId="00000000-0000-4000-8000-000000000000", FunctionArn=arn)
    with pytest.raises(connect.exceptions.InvalidParameterException) as too_long:
        connect.associate_lambda_function(InstanceId=instance_id, FunctionArn="arn:" + "x" * 141)
    assert "Member must have length less than or equal to 140" in str(too_long.value)

    assert status(connect.disassociate_lambda_function(InstanceId=instance_id, FunctionArn=arn)) == 200
    assert connect.list_lambda_functions(InstanceId=instance_id)["LambdaFunctions"] == []
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.disassociate_lambda_function(InstanceId=instance_id, FunctionArn=arn)


def test_reassociating_a_lambda_succeeds_when_the_strict_option_is_off(
    connect: Any, instance_id: str, lambda_arn: str, sandbox_url: str
) -> None:
    switched = httpx.post(
        f"{sandbox_url}/_sandbox/options", json={"connect": {"strict_lambda_reassociation": False}}
    )
    assert switched.status_code == 200
    assert status(connect.associate_lambda_function(InstanceId=instance_id, FunctionArn=lambda_arn)) == 200
    assert connect.list_lambda_functions(InstanceId=instance_id)["LambdaFunctions"] == [lambda_arn]


def test_contact_flow_create_describe_list_update_delete(
    connect: Any, instance_id: str, lambda_arn: str
) -> None:
    content = flow(lambda_arn)
    created = connect.create_contact_flow(
        InstanceId=instance_id, Name="pb-t1-i1-flow", Type="CONTACT_FLOW", Content=content
    )
    assert status(created) == 200
    flow_id = created["ContactFlowId"]
    assert created["ContactFlowArn"].endswith(f":instance/{instance_id}/contact-flow/{flow_id}")
    described = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]
    assert (described["Name"], described["Status"]) == ("pb-t1-i1-flow", "PUBLISHED")
    # The hash is of the content as Connect keeps it (rewritten on save), which Describe answers.
    assert created["FlowContentSha256"] == hashlib.sha256(described["Content"].encode()).hexdigest()
    assert same_actions(described["Content"], content)
    summaries = connect.list_contact_flows(InstanceId=instance_id, ContactFlowTypes=["CONTACT_FLOW"])
    assert [s["Name"] for s in summaries["ContactFlowSummaryList"]] == ["pb-t1-i1-flow"]
    assert (
        connect.list_contact_flows(InstanceId=instance_id, ContactFlowTypes=["AGENT_HOLD"])[
            "ContactFlowSummaryList"
        ]
        == []
    )

    new_content = flow(lambda_arn, ThirdPartyPhoneNumber="+12065550199")
    assert (
        status(
            connect.update_contact_flow_content(
                InstanceId=instance_id, ContactFlowId=flow_id, Content=new_content
            )
        )
        == 200
    )
    assert same_actions(
        connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"][
            "Content"
        ],
        new_content,
    )
    connect.update_contact_flow_name(InstanceId=instance_id, ContactFlowId=flow_id, Name="renamed")
    described = connect.update_contact_flow_metadata(
        InstanceId=instance_id, ContactFlowId=flow_id, Description="to the agent", ContactFlowState="ARCHIVED"
    )
    assert status(described) == 200
    archived = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]
    assert (archived["Description"], archived["State"]) == ("to the agent", "ARCHIVED")
    assert (
        connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]["Name"]
        == "renamed"
    )
    assert status(connect.delete_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)) == 200
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)


def test_duplicate_flow_name_and_unknown_instance(connect: Any, instance_id: str, lambda_arn: str) -> None:
    connect.create_contact_flow(
        InstanceId=instance_id, Name="pb-flow", Type="CONTACT_FLOW", Content=flow(lambda_arn)
    )
    with pytest.raises(connect.exceptions.DuplicateResourceException):
        connect.create_contact_flow(
            InstanceId=instance_id, Name="pb-flow", Type="CONTACT_FLOW", Content=flow(lambda_arn)
        )
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.create_contact_flow(
            InstanceId="00000000-0000-4000-8000-000000000000",
            Name="x",
            Type="CONTACT_FLOW",
            Content=flow(lambda_arn),
        )
    with pytest.raises(connect.exceptions.InvalidParameterException) as enum_error:
        connect.create_contact_flow(
            InstanceId=instance_id, Name="other", Type="IVR", Content=flow(lambda_arn)
        )
    assert "Member must satisfy enum value set" in str(enum_error.value)
    assert len(connect.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"]) == 1


def test_invalid_flow_content_lists_every_problem(connect: Any, instance_id: str, lambda_arn: str) -> None:
    document = json.loads(flow(lambda_arn))
    document["StartAction"] = "nowhere"
    actions = {a["Identifier"]: a for a in document["Actions"]}
    actions["invoke"]["Parameters"]["InvocationTimeLimitSeconds"] = "9"
    actions["transfer"]["Parameters"]["ThirdPartyPhoneNumber"] = "206-555-0100"
    actions["transfer"]["Transitions"]["Errors"][0]["ErrorType"] = "Busy"
    actions["goodbye"]["Transitions"]["NextAction"] = "missing"
    actions["set-attributes"]["Identifier"] = "set:attributes"
    problems = invalid_flow_problems(connect, instance_id, json.dumps(document))
    joined = " ".join(problems)
    assert "StartAction must name an action" in joined
    assert "InvocationTimeLimitSeconds must be a static number from 1 to 8" in joined
    assert "ThirdPartyPhoneNumber must be an E.164 number" in joined
    assert "ErrorType 'Busy' is not valid for TransferParticipantToThirdParty" in joined
    assert "NextAction 'missing' does not exist" in joined
    assert "forbidden character" in joined
    assert connect.list_contact_flows(InstanceId=instance_id)["ContactFlowSummaryList"] == []


def test_flow_content_must_be_flow_language_json(connect: Any, instance_id: str, lambda_arn: str) -> None:
    assert invalid_flow_problems(connect, instance_id, "not json") == ["Content is not valid JSON."]
    wrong_version = json.loads(flow(lambda_arn))
    wrong_version["Version"] = "2020-01-01"
    assert invalid_flow_problems(connect, instance_id, json.dumps(wrong_version)) == [
        "Version must be '2019-10-30'."
    ]
    unknown_type = json.loads(flow(lambda_arn))
    unknown_type["Actions"][3]["Type"] = "Loop"
    assert any(
        "unsupported action type 'Loop'" in p
        for p in invalid_flow_problems(connect, instance_id, json.dumps(unknown_type))
    )


def test_invoked_lambda_must_be_associated_with_the_instance(
    connect: Any, instance_id: str, aws_client: Callable[..., Any]
) -> None:
    arn = create_lambda(aws_client, "not-associated", "us-east-1")
    problems = invalid_flow_problems(connect, instance_id, flow(arn))
    assert problems == [
        "Action 'invoke' (InvokeLambdaFunction): the Lambda function is not associated with the instance."
    ]


def test_documented_timeout_key_is_accepted_unless_switched_off(
    connect: Any, instance_id: str, lambda_arn: str, sandbox_url: str
) -> None:
    documented = flow(lambda_arn, ThirdPartyConnectionTimeoutSeconds="30")
    documented = documented.replace('"ThirdPartyConnectionTimeLimitSeconds": "30", ', "")
    created = connect.create_contact_flow(
        InstanceId=instance_id, Name="documented", Type="CONTACT_FLOW", Content=documented
    )
    assert status(created) == 200
    httpx.post(f"{sandbox_url}/_sandbox/options", json={"connect": {"accept_documented_timeout_key": False}})
    problems = invalid_flow_problems(connect, instance_id, documented)
    assert any("ThirdPartyConnectionTimeoutSeconds" in p for p in problems)


def test_saved_flow_is_described_through_its_saved_alias(
    connect: Any, instance_id: str, lambda_arn: str
) -> None:
    created = connect.create_contact_flow(
        InstanceId=instance_id, Name="draft", Type="CONTACT_FLOW", Content=flow(lambda_arn), Status="SAVED"
    )
    with pytest.raises(connect.exceptions.ContactFlowNotPublishedException):
        connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=created["ContactFlowId"])
    saved = connect.describe_contact_flow(
        InstanceId=instance_id, ContactFlowId=created["ContactFlowId"] + ":$SAVED"
    )
    assert saved["ContactFlow"]["Status"] == "SAVED"


def test_phone_number_routes_to_a_flow(
    connect: Any, instance_id: str, lambda_arn: str, sandbox_server: Any
) -> None:
    instance_arn = connect.describe_instance(InstanceId=instance_id)["Instance"]["Arn"]
    claimed = connect.claim_phone_number(TargetArn=instance_arn, PhoneNumber="+18005550100")
    number_id = claimed["PhoneNumberId"]
    listed = connect.list_phone_numbers_v2(InstanceId=instance_id)["ListPhoneNumbersSummaryList"]
    assert [(n["PhoneNumberId"], n["PhoneNumber"]) for n in listed] == [(number_id, "+18005550100")]
    flow_id = connect.create_contact_flow(
        InstanceId=instance_id, Name="pb-flow", Type="CONTACT_FLOW", Content=flow(lambda_arn)
    )["ContactFlowId"]

    routed = connect.associate_phone_number_contact_flow(
        PhoneNumberId=number_id, InstanceId=instance_id, ContactFlowId=flow_id
    )
    assert status(routed) == 200
    stand_in = sandbox_server.sandbox.stand_in("connect")
    assert stand_in.contact_flow_for_number("+18005550100")["Id"] == flow_id
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.associate_phone_number_contact_flow(
            PhoneNumberId="00000000-0000-4000-8000-000000000000",
            InstanceId=instance_id,
            ContactFlowId=flow_id,
        )
    with pytest.raises(connect.exceptions.InvalidRequestException):
        connect.delete_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)
    with pytest.raises(connect.exceptions.ResourceInUseException):
        connect.release_phone_number(PhoneNumberId=number_id)

    assert (
        status(
            connect.disassociate_phone_number_contact_flow(PhoneNumberId=number_id, InstanceId=instance_id)
        )
        == 200
    )
    assert stand_in.contact_flow_for_number("+18005550100") is None
    assert status(connect.delete_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)) == 200
    assert status(connect.release_phone_number(PhoneNumberId=number_id)) == 200


def test_claim_through_the_stand_in_for_the_control_api(
    connect: Any, instance_id: str, sandbox_server: Any
) -> None:
    claimed = sandbox_server.sandbox.stand_in("connect").claim_phone_number(instance_id, "+12065550123")
    described = connect.describe_phone_number(PhoneNumberId=claimed["phone_number_id"])[
        "ClaimedPhoneNumberSummary"
    ]
    assert (described["PhoneNumber"], described["InstanceId"], described["PhoneNumberCountryCode"]) == (
        "+12065550123",
        instance_id,
        "US",
    )
