"""Grouping messages into calls by Call-ID, who sent what to whom, and failure reasons in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from calls.choices import Direction
from calls.grouping import CallDraft, ObservedMessage, Perspective, group_calls
from calls.sip_message import parse_sip_message
from calls.tests.sip_samples import (
    CONNECTOR_HOST,
    CONNECTOR_IP,
    VAPI_HOST,
    answered_call,
    invite,
    response,
)

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CHIME = Perspective(name=CONNECTOR_HOST, addresses=frozenset({CONNECTOR_HOST}))


def observed(texts: list[str], gap_ms: int = 40) -> list[ObservedMessage]:
    return [
        ObservedMessage(
            at=START + timedelta(milliseconds=gap_ms * index),
            message=parse_sip_message(text),
            fingerprint=f"{index}:{hash(text)}",
        )
        for index, text in enumerate(texts)
    ]


def one_call(texts: list[str], view: Perspective | None = CHIME) -> CallDraft:
    calls = group_calls(observed(texts), view)
    assert len(calls) == 1
    return calls[0]


def test_messages_are_grouped_by_call_id_in_time_order() -> None:
    texts = [*answered_call("a@x"), invite("b@x"), response(486, "Busy Here", "b@x")]
    calls = group_calls(observed(texts), CHIME)

    assert [c.call_id for c in calls] == ["a@x", "b@x"]
    assert [m.label for m in calls[0].messages] == [
        "INVITE",
        "100 Trying",
        "180 Ringing",
        "200 OK",
        "ACK",
        "BYE",
        "200 OK",
    ]
    assert calls[0].final_status == 200
    assert calls[0].reason == ""


def test_the_connector_and_vapi_are_one_column_each_and_directions_follow_the_connector() -> None:
    call = one_call(answered_call(x_headers={"x-customer": "42"}))

    assert [h["name"] for h in call.hosts] == [CONNECTOR_HOST, VAPI_HOST]
    hops = [(m.src, m.dst, m.direction) for m in call.messages]
    out, inbound = (
        (CONNECTOR_HOST, VAPI_HOST, Direction.OUTBOUND),
        (VAPI_HOST, CONNECTOR_HOST, Direction.INBOUND),
    )
    # INVITE out, 100/180/200 in, ACK out (to Vapi's Contact IP: the same column), BYE in, 200 out.
    assert hops == [out, inbound, inbound, inbound, out, inbound, out]
    assert CONNECTOR_IP in call.hosts[0]["aliases"]


def test_duplicate_log_events_are_one_message() -> None:
    items = observed(answered_call())
    calls = group_calls([*items, *items], CHIME)

    assert len(calls[0].messages) == 7


def test_without_a_point_of_view_directions_are_unknown_and_hosts_are_addresses() -> None:
    call = one_call([invite(), response(200, "OK", contact=True)], view=None)

    assert {m.direction for m in call.messages} == {Direction.UNKNOWN}
    assert call.messages[0].src == CONNECTOR_IP
    assert call.messages[0].dst == VAPI_HOST


def test_401_without_credentials_names_the_source_ip_missing_from_the_allow_list() -> None:
    call = one_call([invite(), response(100, "Trying"), response(401, "Unauthorized")])

    assert call.final_status == 401
    assert CONNECTOR_IP in call.reason
    assert "allow list" in call.reason and "gateway" in call.reason
    assert call.messages[-1].is_failure


def test_401_after_sending_credentials_blames_the_credentials() -> None:
    texts = [
        invite(),
        response(401, "Unauthorized"),
        invite(cseq=2, branch="z9hG4bK-inv-2", authorization=True),
        response(401, "Unauthorized", cseq=2, branch="z9hG4bK-inv-2"),
    ]
    call = one_call(texts)

    assert call.final_status == 401
    assert "rejected the digest credentials" in call.reason
    # The first challenge was answered with credentials: digest working as designed, not red.
    assert [m.is_failure for m in call.messages] == [False, False, False, True]


def test_digest_challenge_then_success_is_answered() -> None:
    texts = [
        invite(),
        response(401, "Unauthorized"),
        invite(cseq=2, branch="z9hG4bK-inv-2", authorization=True),
        response(200, "OK", cseq=2, branch="z9hG4bK-inv-2", contact=True),
    ]
    call = one_call(texts)

    assert call.final_status == 200
    assert call.reason == ""
    assert not any(m.is_failure for m in call.messages)


def test_404_says_the_number_is_not_imported_or_not_bound() -> None:
    call = one_call([invite(), response(404, "Not Found")])

    assert call.final_status == 404
    assert f"sip:+15551230000@{VAPI_HOST}" in call.reason
    assert "not imported" in call.reason and "assistant" in call.reason


def test_480_unavailable_is_told_apart_from_486_and_603_declines() -> None:
    unavailable = one_call([invite(), response(480, "Temporarily Unavailable")])
    busy = one_call([invite(), response(486, "Busy Here")])
    declined = one_call([invite(), response(603, "Decline")])

    assert "unavailable" in unavailable.reason and "declined" not in unavailable.reason
    assert "declined the call as busy" in busy.reason
    assert "declined the call" in declined.reason and "busy" not in declined.reason


def test_488_names_the_offered_codecs() -> None:
    call = one_call([invite(), response(488, "Not Acceptable Here")])

    assert "PCMU, PCMA, telephone-event" in call.reason


def test_503_and_no_answer() -> None:
    overloaded = one_call([invite(), response(503, "Service Unavailable")])
    silent = one_call([invite(), invite()])
    trying = one_call([invite(), response(100, "Trying")])

    assert "overloaded" in overloaded.reason
    assert silent.final_status is None
    assert "never answered" in silent.reason and "timeout" in silent.reason
    assert trying.final_status is None
    assert "answered 100" in trying.reason
