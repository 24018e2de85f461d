"""Per-kind config schemas: defaults, normalised values, and a field-named error for every bad value."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.exceptions import ValidationError

from integrations.choices import IntegrationKind
from integrations.kinds import KINDS, get_kind
from integrations.tests.factories import VALID_CONFIG
from tenants.api.errors import flatten_errors

#: kind → field → invalid values; the table must name every field of every kind's schema
INVALID: dict[str, dict[str, list[Any]]] = {
    IntegrationKind.CONNECT_VAPI: {
        "connect_instance_id": ["", "has spaces", "x" * 129, None],
        "connect_phone_numbers": [
            "+13125557001",
            ["3125557001"],
            ["+13125557001", "+13125557001"],
            ["+1"] * 11,
        ],
        "area_code": ["20", "106", "2065", "abc"],
        "vapi_assistant_id": ["", "bad id!", None],
        "sip_uri_user": ["ab", "x" * 31, "has space", "a@b"],
        "forward_attributes": [
            "CustomerName",
            ["Customer Name"],
            ["amzn-trace"],
            ["AMZN-Trace"],
            ["dup", "DUP"],
            [""],
            ["a"] * 21,
        ],
        "gateway_netmask": [23, 33, "wide"],
        "transport": ["TLS", "udp", ""],
        "call_timeout_seconds": [0, 121, "long"],
    },
    IntegrationKind.CONNECT_SYNTHFLOW: {
        "connect_instance_id": ["", "a/b"],
        "connect_phone_numbers": [
            "+13125557001",
            ["3125557001"],
            ["+13125557001", "+13125557001"],
            ["+1"] * 11,
        ],
        "area_code": ["1", "020"],
        "phone_number": ["12065550100", "+1206555", "+999999999999", "call me"],
        "synthflow_assistant_id": ["", "spaces here"],
        "transport": ["TLS", "sctp"],
    },
    IntegrationKind.GENESYS_SYNTHFLOW: {
        "site_id": ["", "no spaces please"],
        "inbound_identifier": ["UPPER", "-lead", "trail-", "dots.not.ok", "x" * 64],
        "phone_number": ["555-0100", "+10000000000"],
        "caller_id_name": ["x" * 41, "tab\there"],
        "caller_id_address": ["555-0100", "+10000000000"],
        "outbound_route_id": ["", "no spaces please"],
        "synthflow_assistant_id": [""],
        "transport": ["UDP", "sctp"],
    },
    IntegrationKind.TWILIO_SYNTHFLOW: {
        "twilio_number": ["4155550100", "+1415"],
        "synthflow_assistant_id": ["", "bad id!"],
        "prepare_inbound": ["sometimes", 7],
        "custom_variables": [["From"], {"bad-name": "From"}, {"caller": "not a param!"}, {"caller": "From"}],
        "sip_headers": [
            {"x-lowercase": "From"},
            {"X-Twilio-Foo": "From"},
            {"X-Under_score": "From"},
            {"X-Ok": "bad param!"},
            {f"X-H{i}": "From" for i in range(21)},
        ],
        "fallback": [
            {},
            {"dial": "+14155550199", "say": "both"},
            {"dial": "not a number"},
            {"say": ""},
            {"say": "x" * 501},
            {"play": "https://example.com/a.mp3"},
            "say hello",
        ],
        "transfer_targets": [
            "+14155550123",
            ["4155550123"],
            ["+1415"],
            [f"+1415555{i:04d}" for i in range(21)],
        ],
        "warm_transfer_uri": ["sip.twilio.com", "acme.sip.example.com", "sip:acme.sip.twilio.com", ""],
    },
}


def test_the_table_names_every_config_field_of_every_kind() -> None:
    assert set(INVALID) == set(KINDS)
    for kind, module in KINDS.items():
        assert set(INVALID[kind]) == set(module.ConfigSerializer().fields), kind


CASES = [
    (kind, field, value)
    for kind, fields in INVALID.items()
    for field, values in fields.items()
    for value in values
]


@pytest.mark.parametrize(
    ("kind", "field", "value"), CASES, ids=[f"{k}-{f}-{i}" for i, (k, f, _) in enumerate(CASES)]
)
def test_an_invalid_value_is_an_error_naming_its_field(kind: str, field: str, value: Any) -> None:
    config = {**VALID_CONFIG[kind], field: value}
    if kind == IntegrationKind.CONNECT_SYNTHFLOW and field == "phone_number":
        config.pop("area_code")  # one of the two, or the error is about having both
    if kind == IntegrationKind.TWILIO_SYNTHFLOW and field == "custom_variables":
        config["prepare_inbound"] = value != {"caller": "From"}

    with pytest.raises(ValidationError) as raised:
        get_kind(kind).validate_config(config)

    errors = flatten_errors(raised.value.detail)
    assert any(path == field or path.startswith(f"{field}.") for path in errors), errors
    assert all(messages for messages in errors.values())


@pytest.mark.parametrize("kind", list(KINDS))
def test_unknown_keys_are_named_and_a_non_object_is_refused(kind: str) -> None:
    with pytest.raises(ValidationError) as unknown:
        get_kind(kind).validate_config({**VALID_CONFIG[kind], "aera_code": "206"})
    with pytest.raises(ValidationError):
        get_kind(kind).validate_config(["not", "an", "object"])

    errors = flatten_errors(unknown.value.detail)
    assert list(errors) == ["aera_code"]
    assert errors["aera_code"][0].startswith("Unknown field; expected one of: ")


def test_connect_vapi_fills_its_defaults() -> None:
    config = get_kind("connect_vapi").validate_config(VALID_CONFIG["connect_vapi"])

    assert config == {
        **VALID_CONFIG["connect_vapi"],
        "connect_phone_numbers": [],
        "forward_attributes": [],
        "gateway_netmask": 32,
        "transport": "UDP",
        "call_timeout_seconds": 30,
    }
    assert type(config["transport"]) is str  # plain JSON, not an enum


def test_connect_vapi_accepts_attribute_names_that_become_valid_headers() -> None:
    """`_` is a legal SIP token character; seed 001 sends x-first_name (issue 12.7)."""
    names = ["CustomerName", "account-id", "Tier2", "first_name"]
    config = get_kind("connect_vapi").validate_config(
        {**VALID_CONFIG["connect_vapi"], "forward_attributes": names}
    )

    assert config["forward_attributes"] == names


def test_the_reserved_amazon_header_is_explained() -> None:
    with pytest.raises(ValidationError) as raised:
        get_kind("connect_vapi").validate_config(
            {**VALID_CONFIG["connect_vapi"], "forward_attributes": ["amznId"]}
        )

    assert flatten_errors(raised.value.detail) == {
        "forward_attributes.0": [
            "Attribute 'amznId' would be sent as SIP header 'x-amznid', "
            "which is reserved by Amazon (x-amzn...)."
        ]
    }


def test_connect_synthflow_needs_exactly_one_of_area_code_and_phone_number() -> None:
    kind = get_kind("connect_synthflow")
    base = {k: v for k, v in VALID_CONFIG["connect_synthflow"].items() if k != "area_code"}

    with pytest.raises(ValidationError) as neither:
        kind.validate_config(base)
    with pytest.raises(ValidationError) as both:
        kind.validate_config({**base, "area_code": "415", "phone_number": "+14155550100"})
    by_number = kind.validate_config({**base, "phone_number": "+1 (415) 555-0100"})

    assert list(flatten_errors(neither.value.detail)) == ["area_code"]
    assert list(flatten_errors(both.value.detail)) == ["phone_number"]
    assert by_number["phone_number"] == "+14155550100"
    assert by_number["transport"] == "UDP"


def test_genesys_synthflow_fills_defaults_and_normalises_the_number() -> None:
    config = get_kind("genesys_synthflow").validate_config(
        {**VALID_CONFIG["genesys_synthflow"], "phone_number": "+44 20 7946 0958"}
    )

    assert config["phone_number"] == "+442079460958"
    assert config["caller_id_name"] == ""
    assert config["transport"] == "udp"


def test_twilio_synthflow_fills_defaults_and_keeps_its_maps() -> None:
    kind = get_kind("twilio_synthflow")

    defaults = kind.validate_config(VALID_CONFIG["twilio_synthflow"])
    full = kind.validate_config(
        {
            **VALID_CONFIG["twilio_synthflow"],
            "prepare_inbound": True,
            "custom_variables": {"caller_number": "From"},
            "sip_headers": {"X-Call-Sid": "CallSid", "X-Caller": "From"},
            "fallback": {"dial": "+1 415 555 0199"},
        }
    )

    assert defaults["prepare_inbound"] is False
    assert defaults["custom_variables"] == defaults["sip_headers"] == {}
    assert set(defaults["fallback"]) == {"say"}
    assert full["custom_variables"] == {"caller_number": "From"}
    assert full["sip_headers"] == {"X-Call-Sid": "CallSid", "X-Caller": "From"}
    assert full["fallback"] == {"dial": "+14155550199"}


def test_custom_variables_need_prepare_inbound() -> None:
    with pytest.raises(ValidationError) as raised:
        get_kind("twilio_synthflow").validate_config(
            {**VALID_CONFIG["twilio_synthflow"], "custom_variables": {"caller": "From"}}
        )

    assert flatten_errors(raised.value.detail) == {
        "custom_variables": ["Custom variables travel through prepare_inbound; set it to true."]
    }


def test_each_kind_carries_its_own_blueprint_and_the_shared_nodes_are_alike() -> None:
    from integrations.kinds import KINDS, blueprint_for

    for kind, module in KINDS.items():
        assert module.BLUEPRINT.kind == kind
        assert blueprint_for(kind) is module.BLUEPRINT
    # The fragments several kinds share make the same node in each (one definition, DESIGN §1).
    connect = [blueprint_for(k).by_name for k in ("connect_vapi", "connect_synthflow")]
    for node in ("voice_connector", "logging", "connect_numbers"):
        assert connect[0][node].type == connect[1][node].type
        assert connect[0][node].depends_on == connect[1][node].depends_on
    with pytest.raises(LookupError):
        blueprint_for("fax_machine")
