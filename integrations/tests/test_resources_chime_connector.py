"""The Voice Connector, its origination, termination and logging, and the connector-DNS data source,
against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from integrations.tests import chime_fixtures
from integrations.tests.chime_fixtures import CONNECTOR, TRUNK_NUMBER, vapi_route
from integrations.tests.resource_harness import Node, SandboxControl, assert_lifecycle
from integrations.vendors.errors import InvalidSpec, ResponseLost

pytestmark = pytest.mark.usefixtures("fast_resource_waits")

connector = chime_fixtures.connector
chime = chime_fixtures.chime


# -- Voice Connector -------------------------------------------------------------


def test_voice_connector_lifecycle_outputs_its_host(make_node: Callable[..., Node]) -> None:
    """A connector is created under our name; encryption drift is one field and is healed."""
    node = make_node("chime.voice_connector", "pb-t-i-vc", dict(CONNECTOR))
    outputs = assert_lifecycle(node, {**CONNECTOR, "require_encryption": True}, {"require_encryption"})
    assert outputs["host"] == f"{outputs['id']}.voiceconnector.chime.aws"
    assert outputs["arn"].endswith(f":vc/{outputs['id']}")
    assert outputs["region"] == "us-east-1"


def test_voice_connector_cannot_move_region(connector: Node) -> None:
    """A region change is reported, and update refuses it naming `aws_region`."""
    connector.spec = {**CONNECTOR, "aws_region": "us-west-2"}
    drifted = connector.observe()
    assert drifted.diff == {"aws_region": ("us-east-1", "us-west-2")}
    with pytest.raises(InvalidSpec, match="cannot move") as raised:
        connector.update(drifted.diff)
    assert raised.value.field == "aws_region"


def test_lost_create_response_adopts_the_connector(
    make_node: Callable[..., Node], sandbox_control: SandboxControl
) -> None:
    """CreateVoiceConnector worked but its answer was lost: observe finds it by name; one connector exists."""
    node = make_node("chime.voice_connector", "pb-t-i-lost-vc", dict(CONNECTOR))
    sandbox_control.fault("CreateVoiceConnector", "lose_response")
    with pytest.raises(ResponseLost):
        node.create()
    assert node.external_id == ""
    seen = node.observe()
    assert seen.exists and seen.up_to_date
    objects = sandbox_control.objects("chime.VoiceConnector", "pb-t-i-lost-vc")
    assert [o["id"] for o in objects] == [seen.external_id]


def test_connector_delete_disassociates_numbers_first(
    connector: Node, make_node: Callable[..., Node], sandbox_control: SandboxControl, chime: Any
) -> None:
    """Deleting a connector that still carries a number, origination and termination just works."""
    number = make_node("chime.phone_number", "pb-t-i-did", dict(TRUNK_NUMBER))
    e164 = number.create().outputs["e164"]
    vc_id = connector.external_id
    association = make_node(
        "chime.phone_number_association", "pb-t-i-did-on-vc", {"voice_connector_id": vc_id, "e164": e164}
    )
    association.create()
    make_node(
        "chime.voice_connector_origination",
        "pb-t-i-orig",
        {"voice_connector_id": vc_id, "routes": [vapi_route("sip.example.test")], "disabled": False},
    ).create()
    assert chime.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Status"] == "Assigned"

    connector.delete()

    assert not connector.observe().exists
    assert chime.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Status"] == "Unassigned"
    operations = sandbox_control.operations()
    assert operations.index("DisassociatePhoneNumbersFromVoiceConnector") < operations.index(
        "DeleteVoiceConnector"
    )
    assert sandbox_control.objects("chime.VoiceConnector") == []


# -- origination, termination, logging ---------------------------------------------


def test_origination_lifecycle_outputs_hosts(connector: Node, make_node: Callable[..., Node]) -> None:
    """Routes are compared whatever their order and default port; a new host is a `routes` diff."""
    vc_id = connector.external_id
    spec = {
        "voice_connector_id": vc_id,
        "routes": [vapi_route("b.sip.example.test", 2), {**vapi_route("a.sip.example.test"), "Port": None}],
        "disabled": False,
    }
    node = make_node("chime.voice_connector_origination", "pb-t-i-orig", spec)
    changed = {**spec, "routes": [vapi_route("c.sip.example.test")]}
    outputs = assert_lifecycle(node, changed, {"routes"})
    assert outputs == {"hosts": ["a.sip.example.test", "b.sip.example.test"]}
    assert node.external_id == vc_id


def test_termination_lifecycle_never_shows_a_password(
    connector: Node, make_node: Callable[..., Node], chime: Any
) -> None:
    """Credentials compare by username and digest: a rotated password is a diff without the password."""
    vc_id = connector.external_id
    spec = {
        "voice_connector_id": vc_id,
        "cidr_allowed_list": ["198.51.100.0/24"],
        "calling_regions": ["US"],
        "cps_limit": 1,
        "disabled": False,
        "credentials": [{"username": "synthflow", "password": "first-Secret-1"}],
    }
    node = make_node("chime.voice_connector_termination", "pb-t-i-term", spec)
    assert not node.observe().exists
    created = node.create()
    assert created.up_to_date
    assert created.outputs["cidr_allowed_list"] == ["198.51.100.0/24"]
    assert created.outputs["usernames"] == ["synthflow"]
    assert "first-Secret-1" not in repr(created)

    node.spec = {**spec, "credentials": [{"username": "synthflow", "password": "second-Secret-2"}]}
    rotated = node.observe()
    assert set(rotated.diff) == {"credentials"}
    assert "Secret" not in repr(rotated.diff)
    healed = node.update(rotated.diff)
    assert healed.up_to_date
    assert "Secret" not in repr(healed) + repr(node.intent)

    node.spec = {**node.spec, "cidr_allowed_list": ["203.0.113.0/24"]}
    drifted = node.observe()
    assert set(drifted.diff) == {"cidr_allowed_list"}
    assert node.update(drifted.diff).up_to_date
    assert chime.get_voice_connector_termination(VoiceConnectorId=vc_id)["Termination"][
        "CidrAllowedList"
    ] == ["203.0.113.0/24"]

    node.delete()
    assert not node.observe().exists
    node.delete()


def test_termination_credential_errors_hide_the_password(
    connector: Node, make_node: Callable[..., Node]
) -> None:
    """A refused credential put (botocore quotes bad values) never carries the password in its message."""
    spec = {
        "voice_connector_id": connector.external_id,
        "cidr_allowed_list": ["198.51.100.0/24"],
        "calling_regions": ["US"],
        "cps_limit": 1,
        "disabled": False,
        "credentials": [{"username": "synthflow", "password": 12345678}],
    }
    node = make_node("chime.voice_connector_termination", "pb-t-i-term", spec)
    with pytest.raises(InvalidSpec) as raised:
        node.create()
    assert "12345678" not in str(raised.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credentials": []}, "credentials"),
        ({"cidr_allowed_list": []}, "cidr_allowed_list"),
        ({"cidr_allowed_list": ["0.0.0.0/0"]}, "cidr_allowed_list"),
        ({"cidr_allowed_list": ["198.51.100.8/32", "3.80.16.0/23"]}, "cidr_allowed_list"),
    ],
)
def test_a_termination_anyone_could_call_out_through_is_never_put(
    connector: Node, make_node: Callable[..., Node], chime: Any, change: dict[str, Any], field: str
) -> None:
    """Issue 12.6: a termination bills the customer for PSTN calls, so it needs credentials and a
    narrow allow list (no network wider than /24); Patchbay refuses to put one without."""
    spec = {
        "voice_connector_id": connector.external_id,
        "cidr_allowed_list": ["198.51.100.8/32"],
        "calling_regions": ["US"],
        "cps_limit": 1,
        "disabled": False,
        "credentials": [{"username": "synthflow", "password": "a-Secret-1"}],
        **change,
    }
    node = make_node("chime.voice_connector_termination", "pb-t-i-term", spec)
    with pytest.raises(InvalidSpec) as raised:
        node.create()
    assert raised.value.field == field
    assert not node.observe().exists


def test_logging_lifecycle_and_delete_turns_it_off(
    connector: Node, make_node: Callable[..., Node], chime: Any
) -> None:
    """SIP logs on; media metrics is a one-field diff; delete leaves both off."""
    vc_id = connector.external_id
    spec = {"voice_connector_id": vc_id, "enable_sip_logs": True, "enable_media_metric_logs": False}
    node = make_node("chime.voice_connector_logging", "pb-t-i-logs", spec)
    outputs = assert_lifecycle(node, {**spec, "enable_media_metric_logs": True}, {"enable_media_metric_logs"})
    assert outputs["sip_log_group"] == f"/aws/ChimeVoiceConnectorSipMessages/{vc_id}"
    config = chime.get_voice_connector_logging_configuration(VoiceConnectorId=vc_id)["LoggingConfiguration"]
    assert config == {"EnableSIPLogs": False, "EnableMediaMetricLogs": False}


# -- connector DNS -------------------------------------------------------------------


def test_connector_ips_follow_the_dns(
    connector: Node, make_node: Callable[..., Node], sandbox_url: str, settings: Any
) -> None:
    """The data source resolves the connector's host through the sandbox DNS and sees IP changes."""
    settings.CHIME_DNS_SERVER = httpx.get(f"{sandbox_url}/_sandbox/", timeout=10).json()["endpoints"]["dns"]
    host = connector.outputs["host"]
    node = make_node("dns.connector_ips", "pb-t-i-ips", {"host": host})
    seen = node.observe()
    assert seen.exists and seen.up_to_date
    assert seen.outputs["ips"] and seen.outputs["ips"] == sorted(
        seen.outputs["ips"], key=lambda ip: [int(p) for p in ip.split(".")]
    )

    httpx.put(
        f"{sandbox_url}/_sandbox/dns/{connector.external_id}",
        json={"ips": ["99.77.253.9", "99.77.253.10"]},
        timeout=10,
    ).raise_for_status()
    assert node.observe().outputs == {"ips": ["99.77.253.9", "99.77.253.10"]}

    assert (
        not make_node("dns.connector_ips", "pb-t-i-none", {"host": "nope.voiceconnector.chime.aws"})
        .observe()
        .exists
    )
    for call in (node.rtype.create, node.rtype.delete):
        with pytest.raises(TypeError, match="data source"):
            call(node.context())
