"""Contract tests of the chime-sdk-voice stand-in with real boto3 clients: voice connectors and their
sub-resources.

Each operation Patchbay uses answers its modeled status code and shape, and the
model's enums, patterns and maxima (which boto3 does not check itself) come back
as boto3's modeled `BadRequestException`; referential rules answer the modeled
ConflictException / NotFoundException. The `chime` and `connector` fixtures are
sandbox/tests/conftest.py's.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest

from sandbox.tests.aws_factories import status

ID_22 = re.compile(r"[a-z0-9]{22}")


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
