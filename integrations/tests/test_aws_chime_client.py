"""The typed Chime SDK Voice clients map Chime's own failures to the domain errors, against the sandbox.

Chime answers "no such object" with NotFoundException and "refused in this state" with
ConflictException (botocore chime-sdk-voice 2022-08-03); per-number failures come inside a 200's
`PhoneNumberErrors` with codes of its `ErrorCode` enum (AWS.md §1.3).
"""

from __future__ import annotations

import botocore.exceptions
import pytest

from integrations.tests.sandbox_aws import SandboxAwsAccount
from integrations.vendors.aws import translate_client_error
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.aws.chime_numbers import ChimeNumbers, number_errors
from integrations.vendors.errors import (
    Conflict,
    InvalidSpec,
    NotFound,
    Throttled,
    VendorError,
    VendorUnavailable,
)

UNKNOWN_CONNECTOR = "abcdefghijklmnopqrstuv"


def _ordered_number(numbers: ChimeNumbers, area_code: str, product_type: str, name: str) -> str:
    """A number of the account, ordered and polled until the sandbox's order completes."""
    e164 = numbers.search_available(area_code, max_results=1)[0]
    order_id = numbers.create_order(product_type, [e164], name)
    for _ in range(10):
        if numbers.order(order_id).status == "Successful":
            return e164
    raise AssertionError(f"order {order_id} never completed")


def test_not_found_reads_as_none_deletes_as_false_and_raises_with_chimes_words(
    aws_account: SandboxAwsAccount,
) -> None:
    chime = ChimeVoice(aws_account.session)

    assert chime.voice_connector(UNKNOWN_CONNECTOR) is None
    assert chime.termination(UNKNOWN_CONNECTOR) is None
    assert chime.origination(UNKNOWN_CONNECTOR) is None
    assert chime.logging_configuration(UNKNOWN_CONNECTOR) is None
    assert chime.find_voice_connector("", "pb-t-nobody") is None
    assert chime.delete_voice_connector(UNKNOWN_CONNECTOR) is False
    assert chime.delete_origination(UNKNOWN_CONNECTOR) is False
    assert ChimeNumbers(aws_account.session).phone_number("+15035550100") is None
    with pytest.raises(NotFound, match="DeleteVoiceConnectorTerminationCredentials: NotFoundException"):
        chime.delete_termination_credentials(UNKNOWN_CONNECTOR, ["synthflow"])


def test_settings_are_none_until_put_then_read_back(aws_account: SandboxAwsAccount) -> None:
    chime = ChimeVoice(aws_account.session)
    connector_id = chime.create_voice_connector("pb-t-client-vc", "us-east-1", require_encryption=False)

    assert chime.termination(connector_id) is None  # NotFound until put
    chime.put_origination(
        connector_id,
        [{"Host": "sip.example.test", "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 1}],
        disabled=False,
    )
    chime.put_logging_configuration(connector_id, sip_logs=True, media_metric_logs=False)

    origination = chime.origination(connector_id)
    assert origination is not None and origination.configured
    assert [r["Host"] for r in origination.routes] == ["sip.example.test"]
    config = chime.logging_configuration(connector_id)
    assert config is not None and config.sip_logs and not config.media_metric_logs
    assert chime.find_voice_connector("", "pb-t-client-vc") == chime.voice_connector(connector_id)


def test_conflicts_and_per_number_errors_become_domain_errors(aws_account: SandboxAwsAccount) -> None:
    chime, numbers = ChimeVoice(aws_account.session), ChimeNumbers(aws_account.session)
    first = chime.create_voice_connector("pb-t-client-vc-1", "us-east-1", require_encryption=False)
    second = chime.create_voice_connector("pb-t-client-vc-2", "us-east-1", require_encryption=False)
    trunk = _ordered_number(numbers, "971", "VoiceConnector", "pb-t-client-did")
    dial_in = _ordered_number(numbers, "503", "SipMediaApplicationDialIn", "pb-t-client-sma-did")
    numbers.associate(first, [trunk], create=True)
    assert numbers.connector_numbers(first) == [trunk]
    number = numbers.phone_number(trunk)
    assert number is not None and number.voice_connector_id == first and number.status == "Assigned"

    # ConflictException (404/409 aside, Chime's own code): numbers still ride the connector.
    with pytest.raises(Conflict, match="DeleteVoiceConnector: ConflictException"):
        chime.delete_voice_connector(first)
    # PhoneNumberAssociationsExist inside a 200: never taken from another connector silently.
    with pytest.raises(Conflict, match="PhoneNumberAssociationsExist"):
        numbers.associate(second, [trunk], create=False)
    # BadRequest inside a 200 names the number as the field at fault.
    with pytest.raises(InvalidSpec, match="VoiceConnector is required") as raised:
        numbers.associate(second, [dial_in], create=False)
    assert raised.value.field == "e164"
    # Disassociating a number that is gone is fine (NotFound ignored); one on another connector is not.
    numbers.disassociate(first, ["+15035550100"])
    with pytest.raises(InvalidSpec, match="not associated with this Voice Connector"):
        numbers.disassociate(second, [trunk])

    numbers.disassociate(first, [trunk])
    assert chime.delete_voice_connector(first) is True


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("Conflict", Conflict),
        ("VoiceConnectorGroupAssociationsExist", Conflict),
        ("Throttled", Throttled),
        ("ServiceFailure", VendorUnavailable),
        ("ServiceUnavailable", VendorUnavailable),
        ("Unprocessable", InvalidSpec),
    ],
)
def test_per_number_codes_the_sandbox_does_not_produce(code: str, error: type[VendorError]) -> None:
    answer = {
        "PhoneNumberErrors": [{"PhoneNumberId": "+15035550100", "ErrorCode": code, "ErrorMessage": "m"}]
    }
    with pytest.raises(error, match=f"Op: {code}: m") as raised:
        number_errors(answer, "Op")
    assert type(raised.value) is error


def test_chimes_codes_are_its_own_not_another_services() -> None:
    """IAM's NoSuchEntity in a 400 is no "not found" for Chime: each client maps its own codes."""
    refused = botocore.exceptions.ClientError(
        {"Error": {"Code": "NoSuchEntity", "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": 400}},
        "GetSipRule",
    )
    found = translate_client_error(
        refused, "GetSipRule", not_found=ChimeVoice.NOT_FOUND, conflict=ChimeVoice.CONFLICT
    )
    assert type(found) is InvalidSpec
