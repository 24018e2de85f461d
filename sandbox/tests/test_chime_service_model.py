"""The model-driven front end on its own: routing, constraints, serialization and errors."""

from __future__ import annotations

import json
from typing import Any

import botocore.loaders
from botocore.model import ServiceModel
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sandbox.aws.service_model import RestJsonService
from sandbox.aws.shape_validation import pattern_matches

SIGNED = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-west-2/chime/aws4_request, Signature=x"
}


def request(method: str, path: str, body: Any = None, query: str = "") -> Request:
    builder = EnvironBuilder(
        method=method,
        path=path,
        query_string=query,
        headers=SIGNED,
        data=json.dumps(body) if body is not None else None,
    )
    environ = builder.get_environ()
    environ["RAW_URI"] = path + (f"?{query}" if query else "")
    return Request(environ)


def test_query_suffixes_tell_operations_on_one_path_apart() -> None:
    chime = RestJsonService("chime-sdk-voice")
    path = "/voice-connectors/abcdefghijklmnopqrstuv"
    assert chime.match(request("PUT", path), path).name == "UpdateVoiceConnector"
    post = request("POST", path, query="operation=associate-phone-numbers")
    assert chime.match(post, path).name == "AssociatePhoneNumbersWithVoiceConnector"
    assert chime.match(request("POST", path), path) is None
    restore = request("POST", "/phone-numbers/%252B12065550100", query="operation=restore")
    matched = chime.match(restore, "/phone-numbers/%2B12065550100")
    assert (matched.name, matched.uri_params) == ("RestorePhoneNumber", {"phoneNumberId": "%2B12065550100"})


def test_a_constraint_added_to_the_model_is_enforced_without_new_code() -> None:
    definition = botocore.loaders.Loader().load_service_model("chime-sdk-voice", "service-2")
    definition["shapes"]["VoiceConnectorName"]["max"] = 5
    chime = RestJsonService("chime-sdk-voice", model=ServiceModel(definition, "chime-sdk-voice"))
    create = request("POST", "/voice-connectors", {"Name": "longer-than-five", "RequireEncryption": False})
    matched = chime.match(create, "/voice-connectors")
    violations = chime.violations(matched, chime.parse_input(matched, create))
    assert violations == [
        "Value 'longer-than-five' at 'name' failed to satisfy constraint: "
        "Member must have length less than or equal to 5"
    ]


def test_sensitive_values_never_appear_in_messages() -> None:
    chime = RestJsonService("chime-sdk-voice")
    path = "/voice-connectors/abcdefghijklmnopqrstuv/termination"
    put = request(
        "PUT", path, {"Termination": {"DefaultPhoneNumber": "secret-555", "CallingRegions": ["US"]}}
    )
    matched = chime.match(put, path)
    (violation,) = chime.violations(matched, chime.parse_input(matched, put))
    assert "secret-555" not in violation
    assert violation.startswith("Value '*** Sensitive Data Redacted ***' at 'termination.defaultPhoneNumber'")


def test_output_is_serialized_by_the_model_with_iso_timestamps_and_the_modeled_code() -> None:
    import datetime as dt

    chime = RestJsonService("chime-sdk-voice")
    operation = chime.model.operation_model("CreateVoiceConnector")
    when = dt.datetime(2019, 9, 18, 20, 34, 1, 352000, tzinfo=dt.UTC)
    response = chime.respond(
        operation,
        {"VoiceConnector": {"VoiceConnectorId": "x", "CreatedTimestamp": when, "Password": "never"}},
    )
    assert response.status_code == 201
    assert json.loads(response.get_data()) == {
        "VoiceConnector": {"VoiceConnectorId": "x", "CreatedTimestamp": "2019-09-18T20:34:01.352Z"}
    }
    deleted = chime.respond(chime.model.operation_model("DeleteVoiceConnector"), None)
    assert (deleted.status_code, deleted.get_data()) == (204, b"")


def test_errors_carry_the_modeled_status_and_the_error_type_header() -> None:
    chime = RestJsonService("chime-sdk-voice")
    answer = chime.error("ConflictException", "in use")
    assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (409, "ConflictException")
    assert json.loads(answer.get_data()) == {"Message": "in use"}
    connect = RestJsonService("connect", "InvalidParameterException")
    invalid = connect.error("InvalidContactFlowException", "bad", problems=[{"message": "no StartAction"}])
    assert invalid.status_code == 400
    assert json.loads(invalid.get_data()) == {"Message": "bad", "problems": [{"message": "no StartAction"}]}


def test_patterns_match_whole_values_with_java_semantics() -> None:
    assert pattern_matches("[a-zA-Z0-9 _.-]+", "pb-t1-i1-vc")
    assert not pattern_matches("[a-zA-Z0-9 _.-]+", "pb*vc")  # a partial match is not enough
    assert not pattern_matches(
        r"^\+?[1-9]\d{1,14}$", "+1206555" + "\u0660\u0661\u0660\u0660"
    )  # Arabic-Indic digits: \d is ASCII, as in Java
    # botocore's connect model escapes this one twice; it still accepts a real number
    assert pattern_matches("\\\\+[1-9]\\\\d{1,14}$", "+12065550100")
    assert pattern_matches(r"^[\P{C}\r\n\t]{1,127}$", "Bücher")
