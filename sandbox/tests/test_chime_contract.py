"""Contract tests of the chime-sdk-voice stand-in with real boto3 clients: SIP media applications,
SIP rules, faults (connectors: test_chime_contract_connectors.py; numbers: test_chime_contract_numbers.py).

Each operation Patchbay uses answers its modeled status code and shape, and the
model's enums, patterns and maxima (which boto3 does not check itself) come back
as boto3's modeled `BadRequestException`; referential rules answer the modeled
ConflictException / NotFoundException. The `chime` and `connector` fixtures are
sandbox/tests/conftest.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions
import httpx
import pytest

from sandbox.tests.aws_factories import UUID, create_lambda, order_number, status

# -- SIP media applications and SIP rules -----------------------------------------------


def test_sip_media_application_needs_one_existing_lambda_of_its_region(
    chime: Any, aws_client: Callable[..., Any]
) -> None:
    arn = create_lambda(aws_client, "pb-t1-i1-sma-handler", "us-west-2")
    missing = arn.replace("pb-t1-i1-sma-handler", "missing")
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.create_sip_media_application(
            AwsRegion="us-west-2", Name="sma", Endpoints=[{"LambdaArn": missing}]
        )
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.create_sip_media_application(AwsRegion="us-east-1", Name="sma", Endpoints=[{"LambdaArn": arn}])
    with pytest.raises(chime.exceptions.BadRequestException) as two:
        chime.create_sip_media_application(
            AwsRegion="us-west-2", Name="sma", Endpoints=[{"LambdaArn": arn}, {"LambdaArn": arn}]
        )
    assert "Member must have length less than or equal to 1" in str(two.value)
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.create_sip_media_application(
            AwsRegion="us-west-2", Name="sma", Endpoints=[{"LambdaArn": "arn:nope"}]
        )

    created = chime.create_sip_media_application(
        AwsRegion="us-west-2", Name="pb-t1-i1-sma", Endpoints=[{"LambdaArn": arn}]
    )
    assert status(created) == 201
    sma_id = created["SipMediaApplication"]["SipMediaApplicationId"]
    assert UUID.fullmatch(sma_id)
    assert created["SipMediaApplication"]["Endpoints"] == [{"LambdaArn": arn}]
    assert status(chime.get_sip_media_application(SipMediaApplicationId=sma_id)) == 200
    assert [a["Name"] for a in chime.list_sip_media_applications()["SipMediaApplications"]] == [
        "pb-t1-i1-sma"
    ]
    updated = chime.update_sip_media_application(SipMediaApplicationId=sma_id, Name="renamed")
    assert updated["SipMediaApplication"]["Name"] == "renamed"
    put = chime.put_sip_media_application_logging_configuration(
        SipMediaApplicationId=sma_id,
        SipMediaApplicationLoggingConfiguration={"EnableSipMediaApplicationMessageLogs": True},
    )
    assert status(put) == 200
    assert status(chime.delete_sip_media_application(SipMediaApplicationId=sma_id)) == 204
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_sip_media_application(SipMediaApplicationId=sma_id)


def test_sip_rule_references_are_enforced(
    chime: Any, aws_client: Callable[..., Any], sandbox_server: Any
) -> None:
    arn = create_lambda(aws_client, "pb-t1-i1-sma-handler", "us-west-2")
    sma_id = chime.create_sip_media_application(
        AwsRegion="us-west-2", Name="sma", Endpoints=[{"LambdaArn": arn}]
    )["SipMediaApplication"]["SipMediaApplicationId"]
    number = order_number(chime, "SipMediaApplicationDialIn", "206")
    connector_number = order_number(chime, "VoiceConnector", "206")
    target = [{"SipMediaApplicationId": sma_id, "Priority": 1, "AwsRegion": "us-west-2"}]

    def create(value: str, targets: list[dict[str, Any]] = target, kind: str = "ToPhoneNumber") -> Any:
        return chime.create_sip_rule(
            Name="pb-t1-i1-rule", TriggerType=kind, TriggerValue=value, TargetApplications=targets
        )

    with pytest.raises(chime.exceptions.BadRequestException):
        create("+12065550000")  # not in the inventory
    with pytest.raises(chime.exceptions.BadRequestException):
        create(connector_number)  # VoiceConnector product type
    with pytest.raises(chime.exceptions.BadRequestException):
        create("nobody.voiceconnector.chime.aws", kind="RequestUriHostname")
    with pytest.raises(chime.exceptions.BadRequestException) as enum_error:
        create(number, kind="Bogus")
    assert "enum value set: [ToPhoneNumber, RequestUriHostname]" in str(enum_error.value)
    with pytest.raises(chime.exceptions.NotFoundException):
        create(number, [{**target[0], "SipMediaApplicationId": "3f1c6a52-0000-4000-8000-000000000000"}])

    created = create(number)
    assert status(created) == 201
    rule = created["SipRule"]
    assert rule["Disabled"] is False
    owned = chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert owned["Status"] == "Assigned"
    assert [(a["Name"], a["Value"]) for a in owned["Associations"]] == [("SipRuleId", rule["SipRuleId"])]
    assert sandbox_server.sandbox.stand_in("chime").sip_rule_for_number(number).id == rule["SipRuleId"]
    with pytest.raises(chime.exceptions.ConflictException):
        create(number)
    assert [r["SipRuleId"] for r in chime.list_sip_rules(SipMediaApplicationId=sma_id)["SipRules"]] == [
        rule["SipRuleId"]
    ]
    with pytest.raises(chime.exceptions.ConflictException):
        chime.delete_sip_media_application(SipMediaApplicationId=sma_id)
    with pytest.raises(chime.exceptions.ConflictException):
        chime.delete_sip_rule(SipRuleId=rule["SipRuleId"])
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.delete_phone_number(PhoneNumberId=number)

    disabled = chime.update_sip_rule(SipRuleId=rule["SipRuleId"], Name="pb-t1-i1-rule", Disabled=True)
    assert status(disabled) == 202
    assert disabled["SipRule"]["Disabled"] is True
    assert status(chime.delete_sip_rule(SipRuleId=rule["SipRuleId"])) == 204
    assert chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["Status"] == "Unassigned"
    assert status(chime.delete_sip_media_application(SipMediaApplicationId=sma_id)) == 204


def test_request_uri_hostname_rule_names_a_connector_host(
    chime: Any, connector: dict[str, Any], aws_client: Callable[..., Any]
) -> None:
    arn = create_lambda(aws_client, "handler", "us-west-2")
    sma_id = chime.create_sip_media_application(
        AwsRegion="us-west-2", Name="sma", Endpoints=[{"LambdaArn": arn}]
    )["SipMediaApplication"]["SipMediaApplicationId"]
    rule = chime.create_sip_rule(
        Name="by-host",
        TriggerType="RequestUriHostname",
        TriggerValue=connector["OutboundHostName"],
        TargetApplications=[{"SipMediaApplicationId": sma_id, "Priority": 1, "AwsRegion": "us-west-2"}],
    )
    assert status(rule) == 201
    with pytest.raises(chime.exceptions.ConflictException):
        chime.delete_voice_connector(VoiceConnectorId=connector["VoiceConnectorId"])


def test_unimplemented_operation_is_a_bad_request_not_a_server_error(chime: Any) -> None:
    with pytest.raises(chime.exceptions.BadRequestException) as error:
        chime.get_global_settings()
    assert "does not implement GetGlobalSettings" in str(error.value)
    assert error.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_live_objects_name_what_patchbay_created(
    chime: Any, connector: dict[str, Any], sandbox_server: Any
) -> None:
    order_number(chime, "VoiceConnector", "206", name="pb-t1-i1-did")
    objects = {(o.type, o.name) for o in sandbox_server.sandbox.live_objects("aws")}
    assert ("chime.VoiceConnector", "pb-t1-i1-vc") in objects
    assert ("chime.PhoneNumber", "pb-t1-i1-did") in objects


def test_rules_and_operations_are_listed_from_the_model(sandbox_server: Any) -> None:
    stand_in = sandbox_server.sandbox.stand_in("chime")
    assert "CreateSipRule" in stand_in.operations()
    rules = stand_in.validation_rules()
    assert "CreateVoiceConnector Name: pattern [a-zA-Z0-9 _.-]+ [botocore:chime-sdk-voice]" in rules
    assert any(r.startswith("DeleteSipRule: ConflictException") for r in rules)


# -- faults applied around the stand-in --------------------------------------------------


def test_injected_throttle_is_chimes_modeled_throttled_client_exception(chime: Any, sandbox_url: str) -> None:
    fault = {"vendor": "chime", "operation": "ListVoiceConnectors", "mode": "throttle", "times": 1}
    assert httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault).status_code in (200, 201)
    # The exception is modeled without a retryable trait, so boto3's standard mode does not retry it.
    with pytest.raises(chime.exceptions.ThrottledClientException) as error:
        chime.list_voice_connectors()
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert chime.list_voice_connectors()["VoiceConnectors"] == []


def test_lost_create_response_still_leaves_the_connector(
    aws_client: Callable[..., Any], sandbox_url: str, sandbox_server: Any
) -> None:
    fault = {"vendor": "chime", "operation": "CreateVoiceConnector", "mode": "lose_response", "times": 1}
    httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault).raise_for_status()
    single_try = aws_client(
        "chime-sdk-voice", region="us-west-2", retries={"mode": "standard", "total_max_attempts": 1}
    )
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        single_try.create_voice_connector(Name="pb-t1-i1-vc", RequireEncryption=False, AwsRegion="us-west-2")
    connectors = [o for o in sandbox_server.sandbox.live_objects("aws") if o.type == "chime.VoiceConnector"]
    assert [o.name for o in connectors] == ["pb-t1-i1-vc"]
