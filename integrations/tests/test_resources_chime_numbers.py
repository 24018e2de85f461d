"""Chime phone numbers, their association with connectors, and the SIP media application and SIP rule
that hand a number's calls to the SMA Lambda, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from integrations.tests import chime_fixtures
from integrations.tests.chime_fixtures import CONNECTOR, SMA_NUMBER, TRUNK_NUMBER
from integrations.tests.resource_harness import Node, SandboxControl, assert_lifecycle, function_spec
from integrations.vendors.errors import Conflict, InvalidSpec, ResponseLost, VendorUnavailable

pytestmark = pytest.mark.usefixtures("fast_resource_waits")

connector = chime_fixtures.connector
chime = chime_fixtures.chime


# -- phone numbers ----------------------------------------------------------------


def test_phone_number_order_is_waited_for(
    make_node: Callable[..., Node], sandbox_control: SandboxControl, chime: Any
) -> None:
    """Create searches the area code, orders, and polls the order until the number is really ours."""
    sandbox_control.set_options({"chime": {"phone_order_polls": 3}})
    node = make_node("chime.phone_number", "pb-t-i-did", dict(SMA_NUMBER))
    changed = {**SMA_NUMBER, "product_type": "VoiceConnector"}
    assert not node.observe().exists
    created = node.create()
    assert created.up_to_date
    e164 = created.outputs["e164"]
    assert e164.startswith("+1503")
    assert created.outputs["status"] == "Unassigned"
    assert sandbox_control.operations().count("GetPhoneNumberOrder") == 4
    assert node.intent["e164"] == e164

    node.spec = changed
    drifted = node.observe()
    assert drifted.diff == {"product_type": ("SipMediaApplicationDialIn", "VoiceConnector")}
    assert node.update(drifted.diff).up_to_date

    node.delete()
    # Chime keeps a released number 7 days in its deletion queue: for us it is gone.
    assert chime.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Status"] == "DeleteInProgress"
    assert not node.observe().exists
    node.delete()


def test_lost_order_answer_is_found_by_the_recorded_number(
    make_node: Callable[..., Node], sandbox_control: SandboxControl
) -> None:
    """The order went through, its answer was lost: the intent finds the number; its order is awaited."""
    node = make_node("chime.phone_number", "pb-t-i-lost-did", dict(SMA_NUMBER))
    sandbox_control.fault("CreatePhoneNumberOrder", "lose_response")
    with pytest.raises(ResponseLost):
        node.create()
    seen = node.observe()
    assert seen.exists
    assert seen.diff == {"status": ("AcquireInProgress", "acquired")}
    healed = node.update(seen.diff)
    assert healed.up_to_date
    assert healed.outputs["e164"] == node.intent["e164"]
    assert len(sandbox_control.objects("chime.PhoneNumber")) == 1


def test_slow_order_is_left_for_the_next_run(
    make_node: Callable[..., Node], sandbox_control: SandboxControl, settings: Any
) -> None:
    """An order still processing after the bounded polls is retryable, and no second number is ordered."""
    settings.CHIME_ORDER_WAIT_ATTEMPTS = 2
    sandbox_control.set_options({"chime": {"phone_order_polls": 3}})
    node = make_node("chime.phone_number", "pb-t-i-slow-did", dict(SMA_NUMBER))
    with pytest.raises(VendorUnavailable, match="has not settled"):
        node.create()
    seen = node.observe()
    assert seen.exists and not seen.up_to_date
    assert node.update(seen.diff).up_to_date
    assert sandbox_control.operations().count("CreatePhoneNumberOrder") == 1


def test_specific_number_is_ordered_and_not_taken_twice(make_node: Callable[..., Node], chime: Any) -> None:
    """A spec naming a number orders that number; another node naming it is refused with Conflict."""
    wanted = chime.search_available_phone_numbers(AreaCode="971", MaxResults=3)["E164PhoneNumbers"][-1]
    node = make_node("chime.phone_number", "pb-t-i-mine", {"product_type": "VoiceConnector", "e164": wanted})
    assert node.create().outputs["e164"] == wanted
    assert node.create().external_id == wanted  # ours already: adopted, not ordered again
    other = make_node(
        "chime.phone_number", "pb-t-i-theirs", {"product_type": "VoiceConnector", "e164": wanted}
    )
    with pytest.raises(Conflict, match="not ordered by this integration"):
        other.create()


def test_a_number_taken_between_search_and_order_is_replaced_by_the_next_candidate(
    make_node: Callable[..., Node],
    sandbox_control: SandboxControl,
    chime: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two applies searching one area code at once get the same first candidate: the one whose order
    fails on it orders the next candidate, in the same run, and keeps nothing of the failed order."""
    from integrations.vendors.aws.chime_numbers import ChimeNumbers

    search = ChimeNumbers.search_available
    taken: list[str] = []

    def raced(self: ChimeNumbers, *args: Any, **kwargs: Any) -> list[str]:
        found = search(self, *args, **kwargs)
        # Another apply orders the first candidate right after this search.
        chime.create_phone_number_order(
            ProductType="SipMediaApplicationDialIn", E164PhoneNumbers=found[:1], Name="pb-t-other-did"
        )
        taken.append(found[0])
        return found

    monkeypatch.setattr(ChimeNumbers, "search_available", raced)
    node = make_node("chime.phone_number", "pb-t-i-raced-did", dict(SMA_NUMBER))

    created = node.create()

    assert created.up_to_date
    assert created.outputs["e164"] != taken[0] and created.outputs["e164"].startswith("+1503")
    assert node.intent["e164"] == created.outputs["e164"]
    assert sandbox_control.operations().count("CreatePhoneNumberOrder") == 3  # the other's, ours twice
    ours = chime.get_phone_number(PhoneNumberId=created.outputs["e164"])["PhoneNumber"]
    assert ours["Name"] == "pb-t-i-raced-did"
    theirs = chime.get_phone_number(PhoneNumberId=taken[0])["PhoneNumber"]
    assert theirs["Name"] == "pb-t-other-did", "the other apply's number is left alone"


# -- SIP media application and SIP rule ----------------------------------------------


@pytest.fixture
def sma_lambdas(make_node: Callable[..., Node], lambda_role: str) -> list[str]:
    """Two SMA handler functions' ARNs."""
    return [
        make_node("aws.lambda_function", name, function_spec(lambda_role, package="sma_handler"))
        .create()
        .outputs["arn"]
        for name in ("pb-t-i-sma-a", "pb-t-i-sma-b")
    ]


def test_sip_media_application_lifecycle(make_node: Callable[..., Node], sma_lambdas: list[str]) -> None:
    """The SMA points at the handler; another handler is a `lambda_arn` diff, healed in place."""
    spec = {"aws_region": "us-east-1", "lambda_arn": sma_lambdas[0]}
    node = make_node("chime.sip_media_application", "pb-t-i-sma", spec)
    outputs = assert_lifecycle(node, {**spec, "lambda_arn": sma_lambdas[1]}, {"lambda_arn"})
    assert outputs["arn"].endswith(outputs["id"])


def test_sip_rule_lifecycle_and_delete_disables_first(
    make_node: Callable[..., Node], sma_lambdas: list[str], sandbox_control: SandboxControl
) -> None:
    """The rule sends the number's calls to the SMA; delete disables it (with its Name) before deleting."""
    sma = make_node(
        "chime.sip_media_application", "pb-t-i-sma", {"aws_region": "us-east-1", "lambda_arn": sma_lambdas[0]}
    )
    sma_id = sma.create().outputs["id"]
    e164 = make_node("chime.phone_number", "pb-t-i-did", dict(SMA_NUMBER)).create().outputs["e164"]
    spec = {
        "trigger_type": "ToPhoneNumber",
        "trigger_value": e164,
        "targets": [{"SipMediaApplicationId": sma_id, "Priority": 1, "AwsRegion": "us-east-1"}],
        "disabled": False,
    }
    node = make_node("chime.sip_rule", "pb-t-i-rule", spec)
    assert not node.observe().exists
    created = node.create()
    assert created.up_to_date and created.outputs == {"id": node.external_id}

    node.spec = {**spec, "targets": [{**spec["targets"][0], "Priority": 2}]}
    drifted = node.observe()
    assert set(drifted.diff) == {"targets"}
    assert node.update(drifted.diff).up_to_date

    before = len(sandbox_control.operations())
    node.delete()  # the rule is enabled: Chime would refuse a plain delete
    tail = sandbox_control.operations()[before:]
    assert tail.index("UpdateSipRule") < tail.index("DeleteSipRule")
    assert not node.observe().exists
    node.delete()
    sma.delete()  # nothing targets it any more
    assert not sma.observe().exists


def test_phone_number_association_moves_between_connectors(
    connector: Node, make_node: Callable[..., Node], chime: Any
) -> None:
    """A number rides the spec's connector; a new connector id moves it; delete takes it off."""
    other = make_node("chime.voice_connector", "pb-t-i-vc-2", dict(CONNECTOR))
    other.create()
    e164 = make_node("chime.phone_number", "pb-t-i-did", dict(TRUNK_NUMBER)).create().outputs["e164"]
    node = make_node(
        "chime.phone_number_association",
        "pb-t-i-did-on-vc",
        {"voice_connector_id": connector.external_id, "e164": e164},
    )
    changed = {"voice_connector_id": other.external_id, "e164": e164}
    outputs = assert_lifecycle(node, changed, {"voice_connector_id"})
    assert outputs == {"voice_connector_id": connector.external_id, "e164": e164}
    assert chime.get_phone_number(PhoneNumberId=e164)["PhoneNumber"]["Associations"] == []


def test_phone_number_association_reports_per_number_errors(
    connector: Node, make_node: Callable[..., Node]
) -> None:
    """Chime's per-number failure inside a 200 becomes an error with its message."""
    e164 = make_node("chime.phone_number", "pb-t-i-did", dict(SMA_NUMBER)).create().outputs["e164"]
    node = make_node(
        "chime.phone_number_association",
        "pb-t-i-bad",
        {"voice_connector_id": connector.external_id, "e164": e164},
    )
    with pytest.raises(InvalidSpec, match="VoiceConnector is required"):
        node.create()
