"""Connect keeps a flow as it saves it, not as sent; the flow language's top level; flow associations."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sandbox.tests.connect_flows import flow, invalid_flow_problems, same_actions


def test_a_flow_is_kept_as_connect_saves_it_not_as_sent(
    connect: Any, instance_id: str, lambda_arn: str, sandbox_url: str
) -> None:
    sent = json.loads(flow(lambda_arn))
    sent["Metadata"] = {"patchbay": {"integration": "int1"}}  # the language allows a Metadata object
    flow_id = connect.create_contact_flow(
        InstanceId=instance_id, Name="pb-saved", Type="CONTACT_FLOW", Content=json.dumps(sent, indent=2)
    )["ContactFlowId"]

    content = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"][
        "Content"
    ]

    assert "\n" not in content and ", " not in content  # compact JSON
    saved = json.loads(content)
    # The flow editor's metadata replaces what was sent in Metadata (the stricter reading).
    assert set(saved["Metadata"]) == {
        "entryPointPosition",
        "ActionMetadata",
        "Annotations",
        "name",
        "description",
        "type",
        "status",
        "hash",
    }
    assert saved["Metadata"]["name"] == "pb-saved"
    assert set(saved["Metadata"]["ActionMetadata"]) == {a["Identifier"] for a in sent["Actions"]}
    goodbye = next(a for a in saved["Actions"] if a["Identifier"] == "goodbye")
    assert list(goodbye) == ["Parameters", "Identifier", "Type", "Transitions"]
    assert goodbye["Transitions"] == {"NextAction": "end", "Errors": [], "Conditions": []}
    assert same_actions(content, json.dumps(sent))

    httpx.post(f"{sandbox_url}/_sandbox/options", json={"connect": {"strict_rewrite_on_save": False}})
    verbatim = json.dumps(sent)
    connect.update_contact_flow_content(InstanceId=instance_id, ContactFlowId=flow_id, Content=verbatim)
    described = connect.describe_contact_flow(InstanceId=instance_id, ContactFlowId=flow_id)["ContactFlow"]
    assert described["Content"] == verbatim


def test_the_flow_language_has_four_top_level_fields_and_reserved_identifiers(
    connect: Any, instance_id: str, lambda_arn: str
) -> None:
    document = json.loads(flow(lambda_arn))
    document["Patchbay"] = {"integration": "int1"}
    document["Metadata"] = "not an object"
    document["Actions"][4]["Identifier"] = "constructor"
    document["Actions"][3]["Transitions"]["NextAction"] = "constructor"
    document["Actions"][0]["Identifier"] = "set$attributes"
    problems = " ".join(invalid_flow_problems(connect, instance_id, json.dumps(document)))
    assert "Unknown top-level field 'Patchbay'" in problems
    assert "Metadata must be an object" in problems
    assert "Identifier 'constructor' is a reserved string" in problems
    assert "Identifier 'set$attributes' contains a forbidden character" in problems


def test_flow_associations_list_the_numbers_routed_to_flows(
    connect: Any, instance_id: str, lambda_arn: str
) -> None:
    routed = connect.claim_phone_number(InstanceId=instance_id, PhoneNumber="+13125557010")
    connect.claim_phone_number(InstanceId=instance_id, PhoneNumber="+13125557011")
    created = connect.create_contact_flow(
        InstanceId=instance_id, Name="pb-routed", Type="CONTACT_FLOW", Content=flow(lambda_arn)
    )
    connect.associate_phone_number_contact_flow(
        PhoneNumberId=routed["PhoneNumberArn"], InstanceId=instance_id, ContactFlowId=created["ContactFlowId"]
    )

    listed = connect.list_flow_associations(InstanceId=instance_id, ResourceType="VOICE_PHONE_NUMBER")

    assert listed["FlowAssociationSummaryList"] == [
        {
            "ResourceId": routed["PhoneNumberArn"],
            "FlowId": created["ContactFlowArn"],
            "ResourceType": "VOICE_PHONE_NUMBER",
        }
    ]
    assert (
        connect.list_flow_associations(InstanceId=instance_id, ResourceType="INBOUND_EMAIL")[
            "FlowAssociationSummaryList"
        ]
        == []
    )
    # A number found by its prefix (at most "+" and 11 digits, the model's pattern).
    found = connect.list_phone_numbers_v2(InstanceId=instance_id, PhoneNumberPrefix="+13125557010")
    assert [n["PhoneNumber"] for n in found["ListPhoneNumbersSummaryList"]] == ["+13125557010"]
    with pytest.raises(connect.exceptions.InvalidParameterException):
        connect.list_phone_numbers_v2(InstanceId=instance_id, PhoneNumberPrefix="+131255570100")


def test_the_association_call_is_checked_against_botocores_model(connect: Any, instance_id: str) -> None:
    number = connect.claim_phone_number(InstanceId=instance_id, PhoneNumber="+13125557012")
    with pytest.raises(connect.exceptions.InvalidParameterException) as too_long:
        connect.associate_phone_number_contact_flow(
            PhoneNumberId=number["PhoneNumberId"], InstanceId=instance_id, ContactFlowId="f" * 501
        )
    assert "at 'contactFlowId' failed to satisfy constraint" in str(too_long.value)
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.associate_phone_number_contact_flow(
            PhoneNumberId=number["PhoneNumberId"],
            InstanceId=instance_id,
            ContactFlowId="00000000-0000-4000-8000-000000000000",
        )
