"""Contract tests of the chime-sdk-voice stand-in with real boto3 clients: phone numbers.

Each operation Patchbay uses answers its modeled status code and shape, and the
model's enums, patterns and maxima (which boto3 does not check itself) come back
as boto3's modeled `BadRequestException`; referential rules answer the modeled
ConflictException / NotFoundException. The `chime` and `connector` fixtures are
sandbox/tests/conftest.py's.
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.tests.aws_factories import UUID, order_number, status
from testing.waits import wait_until

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

    def successful() -> dict[str, Any] | None:
        polled: dict[str, Any] = chime.get_phone_number_order(PhoneNumberOrderId=order["PhoneNumberOrderId"])
        statuses.append(polled["PhoneNumberOrder"]["Status"])
        return polled if statuses[-1] == "Successful" else None

    polled = wait_until(successful, timeout=10, message=lambda: f"the order went {statuses}")
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
