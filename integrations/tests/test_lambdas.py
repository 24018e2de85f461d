"""The two Lambda handlers, run against moto's DynamoDB (no Django, as on AWS Lambda)."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from integrations.lambdas import connect_handler, sma_handler
from integrations.lambdas.package import build_package
from integrations.lambdas.sip_headers import headers_for

VC_ARN = "arn:aws:chime:us-east-1:123456789012:vc/abcdefghijklmnopqrstuv"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("TABLE_NAME", "pb-calls")
    monkeypatch.setenv("VOICE_CONNECTOR_ARN", VC_ARN)
    monkeypatch.setenv("SIP_URI_USER", "patchbay")
    monkeypatch.setenv("CALL_TIMEOUT_SECONDS", "30")
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name="us-east-1")
        created = ddb.create_table(
            TableName="pb-calls",
            KeySchema=[{"AttributeName": "caller", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "caller", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        connect_handler._table = None
        sma_handler._table = None
        yield created
        connect_handler._table = None
        sma_handler._table = None


def connect_event(caller: str, attributes: dict[str, str]) -> dict[str, Any]:
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": attributes,
                "Channel": "VOICE",
                "ContactId": "c-1",
                "CustomerEndpoint": {"Address": caller, "Type": "TELEPHONE_NUMBER"},
            },
            "Parameters": {},
        },
    }


def inbound_event(caller: str) -> dict[str, Any]:
    return {
        "SchemaVersion": "1.0",
        "Sequence": 1,
        "InvocationEventType": "NEW_INBOUND_CALL",
        "CallDetails": {
            "TransactionId": "tx-1",
            "Participants": [
                {
                    "CallId": "call-a",
                    "ParticipantTag": "LEG-A",
                    "From": caller,
                    "To": "+15035550100",
                    "Direction": "Inbound",
                    "StartTimeInMilliseconds": "1700000000000",
                    "Status": "Connected",
                }
            ],
        },
    }


def test_caller_attributes_become_lowercase_x_headers(table: Any) -> None:
    answer = connect_handler.handler(
        connect_event("+15105550101", {"CustomerName": "John", "Tier": "gold"}), None
    )
    assert answer == {"stored": "true", "count": "2"}
    reply = sma_handler.handler(inbound_event("+15105550101"), None)
    [action] = reply["Actions"]
    assert action["Type"] == "CallAndBridge"
    params = action["Parameters"]
    assert params["SipHeaders"] == {"x-customername": "John", "x-tier": "gold"}
    assert params["CallerIdNumber"] == "+15105550101"
    assert params["Endpoints"] == [{"BridgeEndpointType": "AWS", "Arn": VC_ARN, "Uri": "patchbay"}]
    assert params["CallTimeoutSeconds"] == 30


def test_only_configured_attributes_are_forwarded(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARD_ATTRIBUTES", "customername")
    connect_handler.handler(connect_event("+15105550101", {"CustomerName": "John", "Secret": "x"}), None)
    reply = sma_handler.handler(inbound_event("+15105550101"), None)
    assert reply["Actions"][0]["Parameters"]["SipHeaders"] == {"x-customername": "John"}


def test_bridges_without_headers_when_nothing_is_stored(table: Any) -> None:
    reply = sma_handler.handler(inbound_event("+15105550199"), None)
    [action] = reply["Actions"]
    assert action["Type"] == "CallAndBridge"
    assert "SipHeaders" not in action["Parameters"]


def test_expired_attributes_are_not_sent(table: Any) -> None:
    table.put_item(
        Item={"caller": "+15105550101", "attributes": {"a": "b"}, "expires_at": int(time.time()) - 5}
    )
    reply = sma_handler.handler(inbound_event("+15105550101"), None)
    assert "SipHeaders" not in reply["Actions"][0]["Parameters"]


def test_reserved_and_long_headers_are_made_acceptable_to_chime() -> None:
    headers = headers_for({"amzn-trace": "x", "Customer Name": "J" * 3000, "": "empty"})
    assert headers == {"x-customer-name": "J" * 2048}


def test_header_names_keep_the_attribute_name_as_seed_001_does() -> None:
    """`x-<name lowercased>`, underscores kept: Vapi fills {{first_name}} from x-first_name (issue 12.7)."""
    headers = headers_for({"first_name": "John", "CustomerName": "Smith", "account-id": "7"})
    assert headers == {"x-first_name": "John", "x-customername": "Smith", "x-account-id": "7"}


def test_hangup_of_one_leg_hangs_up_the_other(table: Any) -> None:
    event = inbound_event("+15105550101")
    event["InvocationEventType"] = "HANGUP"
    event["CallDetails"]["Participants"].append(
        {"CallId": "call-b", "ParticipantTag": "LEG-B", "Status": "Connected"}
    )
    event["CallDetails"]["Participants"][0]["Status"] = "Disconnected"
    event["ActionData"] = {"Type": "Hangup", "Parameters": {"CallId": "call-a", "SipResponseCode": "0"}}
    reply = sma_handler.handler(event, None)
    assert reply["Actions"] == [
        {"Type": "Hangup", "Parameters": {"CallId": "call-b", "SipResponseCode": "0"}}
    ]


def test_failed_bridge_hangs_up_the_caller_as_unavailable(table: Any) -> None:
    event = inbound_event("+15105550101")
    event["InvocationEventType"] = "ACTION_FAILED"
    event["ActionData"] = {"Type": "CallAndBridge", "ErrorType": "CallNotAnswered"}
    reply = sma_handler.handler(event, None)
    assert reply["Actions"] == [
        {"Type": "Hangup", "Parameters": {"CallId": "call-a", "SipResponseCode": "480"}}
    ]


def test_each_answer_is_logged_as_one_json_line(table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    connect_handler.handler(connect_event("+15105550101", {"CustomerName": "John"}), None)
    capsys.readouterr()
    sma_handler.handler(inbound_event("+15105550101"), None)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert '"transaction_id": "tx-1"' in line
    assert '"x-customername": "John"' in line


def test_package_is_deterministic_and_runs_flat(tmp_path: Path) -> None:
    first, second = build_package("sma_handler"), build_package("sma_handler")
    assert first.zip_bytes == second.zip_bytes
    assert first.code_sha256 == second.code_sha256
    with zipfile.ZipFile(io.BytesIO(first.zip_bytes)) as archive:
        assert sorted(archive.namelist()) == ["sip_headers.py", "sma_handler.py"]
        archive.extractall(tmp_path)
    # The zip must import on its own, as Lambda's runtime loads it (no Patchbay package around).
    probe = "import sma_handler; print(sma_handler.headers_for({'A': 'b'}))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "{'x-a': 'b'}"


def test_changed_source_changes_the_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = importlib.import_module("integrations.lambdas.package")
    for name in ("connect_handler.py",):
        (tmp_path / name).write_text((package.LAMBDA_DIR / name).read_text() + "\n# changed\n")
    original = build_package("connect_handler").code_sha256
    monkeypatch.setattr(package, "LAMBDA_DIR", tmp_path)
    assert package.build_package("connect_handler").code_sha256 != original
