"""Contract tests of the chime-sdk-voice stand-in with real boto3 clients.

Each operation Patchbay uses answers its modeled status code and shape, and the
model's enums, patterns and maxima (which boto3 does not check itself) come back
as boto3's modeled `BadRequestException`; referential rules answer the modeled
ConflictException / NotFoundException.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import httpx
import pytest

from sandbox.tests.aws_factories import create_lambda, order_number

ID_22 = re.compile(r"[a-z0-9]{22}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def chime(sandbox_url: str, aws_client: Callable[..., Any]) -> Any:
    return aws_client("chime-sdk-voice", region="us-west-2")


@pytest.fixture
def connector(chime: Any) -> dict[str, Any]:
    return chime.create_voice_connector(Name="pb-t1-i1-vc", RequireEncryption=False, AwsRegion="us-west-2")[
        "VoiceConnector"
    ]


def status(response: dict[str, Any]) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


# -- voice connectors ---------------------------------------------------------------


def test_create_voice_connector_forms_ids_like_aws_and_publishes_its_host(
    chime: Any, sandbox_server: Any
) -> None:
    response = chime.create_voice_connector(
        Name="pb-t1-i1-vc", RequireEncryption=False, AwsRegion="us-west-2"
    )
    connector = response["VoiceConnector"]
    assert status(response) == 201
    assert ID_22.fullmatch(connector["VoiceConnectorId"])
    assert connector["OutboundHostName"] == f"{connector['VoiceConnectorId']}.voiceconnector.chime.aws"
    assert (
        connector["VoiceConnectorArn"]
        == f"arn:aws:chime:us-west-2:123456789012:vc/{connector['VoiceConnectorId']}"
    )
    assert connector["CreatedTimestamp"].tzinfo is not None
    ips = sandbox_server.sandbox.dns.get(connector["OutboundHostName"])
    assert len(ips) >= 2
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("99.77.253.0/24") for ip in ips)


def test_connector_region_defaults_to_us_east_1_with_its_signalling_range(
    chime: Any, sandbox_server: Any
) -> None:
    connector = chime.create_voice_connector(Name="pb-default", RequireEncryption=True)["VoiceConnector"]
    assert connector["AwsRegion"] == "us-east-1"
    ips = sandbox_server.sandbox.dns.get(connector["OutboundHostName"])
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("3.80.16.0/23") for ip in ips)


def test_connector_get_list_update_and_delete(
    chime: Any, connector: dict[str, Any], sandbox_server: Any
) -> None:
    connector_id = connector["VoiceConnectorId"]
    got = chime.get_voice_connector(VoiceConnectorId=connector_id)
    assert status(got) == 200
    assert got["VoiceConnector"]["Name"] == "pb-t1-i1-vc"
    listed = chime.list_voice_connectors()
    assert status(listed) == 200
    assert [c["VoiceConnectorId"] for c in listed["VoiceConnectors"]] == [connector_id]
    updated = chime.update_voice_connector(
        VoiceConnectorId=connector_id, Name="renamed", RequireEncryption=True
    )
    assert status(updated) == 200
    assert updated["VoiceConnector"]["RequireEncryption"] is True
    assert chime.get_voice_connector(VoiceConnectorId=connector_id)["VoiceConnector"]["Name"] == "renamed"

    assert status(chime.delete_voice_connector(VoiceConnectorId=connector_id)) == 204
    assert sandbox_server.sandbox.dns.get(connector["OutboundHostName"]) is None
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector(VoiceConnectorId=connector_id)
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector_origination(VoiceConnectorId=connector_id)


def test_list_voice_connectors_pages_with_next_token(chime: Any) -> None:
    created = [chime.create_voice_connector(Name=f"vc{i}", RequireEncryption=False) for i in range(3)]
    first = chime.list_voice_connectors(MaxResults=2)
    second = chime.list_voice_connectors(MaxResults=2, NextToken=first["NextToken"])
    assert len(first["VoiceConnectors"]) == 2
    assert "NextToken" not in second
    seen = [c["VoiceConnectorId"] for c in first["VoiceConnectors"] + second["VoiceConnectors"]]
    assert seen == [c["VoiceConnector"]["VoiceConnectorId"] for c in created]


def test_enum_pattern_and_max_violations_are_bad_requests_in_aws_words(chime: Any) -> None:
    with pytest.raises(chime.exceptions.BadRequestException) as enum_error:
        chime.create_voice_connector(Name="ok", RequireEncryption=False, AwsRegion="mars-1")
    assert (
        "Value 'mars-1' at 'awsRegion' failed to satisfy constraint: Member must satisfy enum value set"
        in str(enum_error.value)
    )
    with pytest.raises(chime.exceptions.BadRequestException) as pattern_error:
        chime.create_voice_connector(Name="bad*name", RequireEncryption=False)
    assert "Member must satisfy regular expression pattern: [a-zA-Z0-9 _.-]+" in str(pattern_error.value)
    with pytest.raises(chime.exceptions.BadRequestException) as max_error:
        chime.create_voice_connector(Name="n" * 257, RequireEncryption=False)
    assert "1 validation error detected" in str(max_error.value)
    assert "Member must have length less than or equal to 256" in str(max_error.value)
    with pytest.raises(chime.exceptions.BadRequestException) as list_max:
        chime.list_voice_connectors(MaxResults=101)
    assert "at 'maxResults'" in str(list_max.value)
    assert chime.list_voice_connectors()["VoiceConnectors"] == []


def test_voice_connector_id_must_match_the_model_pattern(chime: Any) -> None:
    with pytest.raises(chime.exceptions.BadRequestException) as error:
        chime.get_voice_connector(VoiceConnectorId="NOT-AN-ID")
    assert "at 'voiceConnectorId'" in str(error.value)


# -- sub-resources -------------------------------------------------------------------


def test_origination_is_a_singleton_that_put_replaces(chime: Any, connector: dict[str, Any]) -> None:
    connector_id = connector["VoiceConnectorId"]
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector_origination(VoiceConnectorId=connector_id)
    route = {"Host": "cred-1.sip.vapi.ai", "Protocol": "UDP", "Priority": 1, "Weight": 1}
    put = chime.put_voice_connector_origination(
        VoiceConnectorId=connector_id, Origination={"Routes": [route], "Disabled": False}
    )
    assert status(put) == 200
    assert put["Origination"]["Routes"] == [{**route, "Port": 5060}]
    got = chime.get_voice_connector_origination(VoiceConnectorId=connector_id)["Origination"]
    assert got["Routes"][0]["Host"] == "cred-1.sip.vapi.ai"
    assert status(chime.delete_voice_connector_origination(VoiceConnectorId=connector_id)) == 204
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector_origination(VoiceConnectorId=connector_id)


def test_origination_routes_are_checked(chime: Any, connector: dict[str, Any]) -> None:
    connector_id = connector["VoiceConnectorId"]
    good = {"Host": "10.0.0.1", "Protocol": "TCP", "Priority": 1, "Weight": 1}
    bad_routes = [
        {**good, "Protocol": "SCTP"},  # enum
        {**good, "Priority": 101},  # max
        {**good, "Port": 70000},  # max
        {"Host": "10.0.0.1"},  # Terraform's required route members
        {**good, "Host": "not a host"},
    ]
    for route in bad_routes:
        with pytest.raises(chime.exceptions.BadRequestException):
            chime.put_voice_connector_origination(
                VoiceConnectorId=connector_id, Origination={"Routes": [route]}
            )
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.put_voice_connector_origination(
            VoiceConnectorId=connector_id, Origination={"Routes": [good] * 11}
        )
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.put_voice_connector_origination(VoiceConnectorId=connector_id, Origination={})
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector_origination(VoiceConnectorId=connector_id)


def test_termination_and_credentials(chime: Any, connector: dict[str, Any]) -> None:
    connector_id = connector["VoiceConnectorId"]
    termination = {"CallingRegions": ["US"], "CidrAllowedList": ["44.229.228.186/32"], "Disabled": False}
    put = chime.put_voice_connector_termination(VoiceConnectorId=connector_id, Termination=termination)
    assert status(put) == 200
    assert put["Termination"]["CpsLimit"] == 1
    assert chime.get_voice_connector_termination(VoiceConnectorId=connector_id)["Termination"][
        "CidrAllowedList"
    ] == ["44.229.228.186/32"]
    for bad in (
        {**termination, "CidrAllowedList": ["44.229.228.186"]},
        {**termination, "CidrAllowedList": ["10.0.0.1/24"]},
        {**termination, "DefaultPhoneNumber": "12-34"},
        {"CidrAllowedList": ["10.0.0.0/24"]},
    ):
        with pytest.raises(chime.exceptions.BadRequestException):
            chime.put_voice_connector_termination(VoiceConnectorId=connector_id, Termination=bad)

    credentials = [{"Username": "synthflow", "Password": "s3cret-Passw0rd"}]
    put_credentials = chime.put_voice_connector_termination_credentials(
        VoiceConnectorId=connector_id, Credentials=credentials
    )
    assert status(put_credentials) == 204
    listed = chime.list_voice_connector_termination_credentials(VoiceConnectorId=connector_id)
    assert listed["Usernames"] == ["synthflow"]
    assert "s3cret" not in str(listed)
    deleted = chime.delete_voice_connector_termination_credentials(
        VoiceConnectorId=connector_id, Usernames=["synthflow"]
    )
    assert status(deleted) == 204
    assert (
        chime.list_voice_connector_termination_credentials(VoiceConnectorId=connector_id)["Usernames"] == []
    )
    assert status(chime.delete_voice_connector_termination(VoiceConnectorId=connector_id)) == 204


def test_logging_configuration_is_not_found_until_put(
    chime: Any, connector: dict[str, Any], sandbox_server: Any
) -> None:
    connector_id = connector["VoiceConnectorId"]
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_voice_connector_logging_configuration(VoiceConnectorId=connector_id)
    put = chime.put_voice_connector_logging_configuration(
        VoiceConnectorId=connector_id, LoggingConfiguration={"EnableSIPLogs": True}
    )
    assert status(put) == 200
    got = chime.get_voice_connector_logging_configuration(VoiceConnectorId=connector_id)
    assert got["LoggingConfiguration"] == {"EnableSIPLogs": True, "EnableMediaMetricLogs": False}
    stand_in = sandbox_server.sandbox.stand_in("chime")
    assert stand_in.voice_connector(connector_id).logging["EnableSIPLogs"] is True


# -- phone numbers -------------------------------------------------------------------


def test_search_follows_the_us_rules(chime: Any) -> None:
    found = chime.search_available_phone_numbers(AreaCode="206", MaxResults=5)
    assert status(found) == 200
    assert len(found["E164PhoneNumbers"]) == 5
    assert all(n.startswith("+1206") for n in found["E164PhoneNumbers"])
    assert all(
        n.startswith("+1503") for n in chime.search_available_phone_numbers(State="OR")["E164PhoneNumbers"]
    )
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.search_available_phone_numbers(PhoneNumberType="Local")
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.search_available_phone_numbers(City="Seattle")
    with pytest.raises(chime.exceptions.BadRequestException) as pattern:
        chime.search_available_phone_numbers(TollFreePrefix="801")
    assert "regular expression pattern" in str(pattern.value)
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.search_available_phone_numbers(AreaCode="206", MaxResults=501)


def test_order_moves_from_processing_to_successful_over_polls(chime: Any) -> None:
    number = chime.search_available_phone_numbers(AreaCode="415", MaxResults=1)["E164PhoneNumbers"][0]
    created = chime.create_phone_number_order(
        ProductType="SipMediaApplicationDialIn", E164PhoneNumbers=[number], Name="pb-t1-i1-number"
    )
    assert status(created) == 201
    order = created["PhoneNumberOrder"]
    assert UUID.fullmatch(order["PhoneNumberOrderId"])
    assert order["Status"] == "Processing"
    assert order["OrderedPhoneNumbers"] == [{"E164PhoneNumber": number, "Status": "Processing"}]
    statuses = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not statuses or statuses[-1] != "Successful"):
        polled = chime.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrderId"])
        statuses.append(polled["PhoneNumberOrder"]["Status"])
    assert statuses == ["Processing", "Processing", "Successful"]
    assert polled["PhoneNumberOrder"]["OrderedPhoneNumbers"][0]["Status"] == "Acquired"
    owned = chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert (owned["Status"], owned["ProductType"], owned["Name"]) == (
        "Unassigned",
        "SipMediaApplicationDialIn",
        "pb-t1-i1-number",
    )
    assert [o["PhoneNumberOrderId"] for o in chime.list_phone_number_orders()["PhoneNumberOrders"]] == [
        order["PhoneNumberOrderId"]
    ]
    assert (
        number not in chime.search_available_phone_numbers(AreaCode="415", MaxResults=500)["E164PhoneNumbers"]
    )


def test_phone_number_id_round_trips_as_percent_2b(chime: Any) -> None:
    number = order_number(chime, "VoiceConnector", "206")
    listed = chime.list_phone_numbers()
    assert status(listed) == 200
    phone_id = listed["PhoneNumbers"][0]["PhoneNumberId"]
    assert phone_id == "%2B" + number[1:]
    # boto3 sends this id as %252B...; the stand-in reads it back as the same number
    assert chime.get_phone_number(PhoneNumberId=phone_id)["PhoneNumber"]["E164PhoneNumber"] == number
    assert chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["PhoneNumberId"] == phone_id
    with pytest.raises(chime.exceptions.NotFoundException):
        chime.get_phone_number(PhoneNumberId="%2B12065550000")


def test_update_phone_number_changes_one_detail_at_a_time(chime: Any) -> None:
    number = order_number(chime, "VoiceConnector", "206")
    updated = chime.update_phone_number(PhoneNumberId=number, CallingName="Patchbay")
    assert status(updated) == 200
    assert updated["PhoneNumber"]["CallingName"] == "Patchbay"
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.update_phone_number(PhoneNumberId=number, CallingName="Patchbay", Name="both")
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.update_phone_number(PhoneNumberId=number, ProductType="Bogus")


def test_associate_numbers_with_a_connector(chime: Any, connector: dict[str, Any]) -> None:
    connector_id = connector["VoiceConnectorId"]
    number = order_number(chime, "VoiceConnector", "206")
    dial_in = order_number(chime, "SipMediaApplicationDialIn", "206")
    answer = chime.associate_phone_numbers_with_voice_connector(
        VoiceConnectorId=connector_id, E164PhoneNumbers=[number, dial_in, "+12065550000"]
    )
    assert status(answer) == 200
    errors = {e["PhoneNumberId"]: e["ErrorCode"] for e in answer["PhoneNumberErrors"]}
    assert errors == {"%2B" + dial_in[1:]: "BadRequest", "%2B12065550000": "NotFound"}
    owned = chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]
    assert owned["Status"] == "Assigned"
    assert [(a["Name"], a["Value"]) for a in owned["Associations"]] == [("VoiceConnectorId", connector_id)]
    filtered = chime.list_phone_numbers(FilterName="VoiceConnectorId", FilterValue=connector_id)[
        "PhoneNumbers"
    ]
    assert [n["E164PhoneNumber"] for n in filtered] == [number]

    other = chime.create_voice_connector(Name="other", RequireEncryption=False)["VoiceConnector"][
        "VoiceConnectorId"
    ]
    refused = chime.associate_phone_numbers_with_voice_connector(
        VoiceConnectorId=other, E164PhoneNumbers=[number]
    )
    assert refused["PhoneNumberErrors"][0]["ErrorCode"] == "PhoneNumberAssociationsExist"
    moved = chime.associate_phone_numbers_with_voice_connector(
        VoiceConnectorId=other, E164PhoneNumbers=[number], ForceAssociate=True
    )
    assert moved["PhoneNumberErrors"] == []
    assert chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["Associations"][0]["Value"] == other

    with pytest.raises(chime.exceptions.ConflictException):
        chime.delete_voice_connector(VoiceConnectorId=other)
    released = chime.disassociate_phone_numbers_from_voice_connector(
        VoiceConnectorId=other, E164PhoneNumbers=[number]
    )
    assert status(released) == 200
    assert released["PhoneNumberErrors"] == []
    assert chime.get_phone_number(PhoneNumberId=number)["PhoneNumber"]["Status"] == "Unassigned"
    assert status(chime.delete_voice_connector(VoiceConnectorId=other)) == 204


def test_delete_and_restore_phone_number(chime: Any, connector: dict[str, Any], sandbox_server: Any) -> None:
    number = order_number(chime, "VoiceConnector", "312")
    chime.associate_phone_numbers_with_voice_connector(
        VoiceConnectorId=connector["VoiceConnectorId"], E164PhoneNumbers=[number]
    )
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.delete_phone_number(PhoneNumberId=number)
    chime.disassociate_phone_numbers_from_voice_connector(
        VoiceConnectorId=connector["VoiceConnectorId"], E164PhoneNumbers=[number]
    )
    assert status(chime.delete_phone_number(PhoneNumberId=number)) == 204
    listed = chime.list_phone_numbers(Status="DeleteInProgress")["PhoneNumbers"]
    assert [(n["E164PhoneNumber"], n["Status"]) for n in listed] == [(number, "DeleteInProgress")]
    objects = [o for o in sandbox_server.sandbox.live_objects("aws") if o.type == "chime.PhoneNumber"]
    assert [(o.id, o.state) for o in objects] == [(number, "DeleteInProgress")]
    restored = chime.restore_phone_number(PhoneNumberId=number)
    assert status(restored) == 200
    assert restored["PhoneNumber"]["Status"] == "Unassigned"
    with pytest.raises(chime.exceptions.BadRequestException):
        chime.restore_phone_number(PhoneNumberId=number)


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
