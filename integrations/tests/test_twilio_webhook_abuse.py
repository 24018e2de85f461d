"""The voice webhook against what an attacker sends (issue 13, item 3): bodies Django cannot parse, vendor
values that would forge or flood the log, and replays of a request Twilio really signed."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from controlplane.log_values import loggable
from integrations.models import TwilioCallEvent, TwilioEventKind
from integrations.tests.twilio_webhook_world import WebhookWorld, dialed_sip, ledger_operations

MakeWorld = Callable[..., WebhookWorld]
FALLBACK_NUMBER = "+14155550199"
#: a body of more than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
TOO_BIG = 2_700_000


@pytest.fixture
def records_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's half of the call log runs inline, on the test's database connection."""
    from controlplane.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def rows(world: WebhookWorld) -> list[TwilioCallEvent]:
    return list(TwilioCallEvent.objects.filter(integration=world.integration))


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({f"Field{i}": "x" for i in range(1001)}, id="1001-fields"),
        pytest.param({"Padding": "x" * TOO_BIG}, id="2.7-MB"),
    ],
)
def test_a_body_too_big_to_check_is_refused_and_writes_nothing(
    webhook_world: MakeWorld, records_inline: None, extra: dict[str, str]
) -> None:
    world = webhook_world(config={"fallback": {"dial": FALLBACK_NUMBER}})
    params = {**world.call_params(), **extra}

    # Correctly signed, even: Patchbay cannot read the parameters, so it cannot check the signature.
    response = world.post(params)

    assert response.status_code == 403
    assert FALLBACK_NUMBER.encode() not in response.content
    assert rows(world) == []


def test_a_query_string_with_too_many_fields_is_refused(
    webhook_world: MakeWorld, records_inline: None
) -> None:
    world = webhook_world()
    params = {**world.call_params(), **{f"Field{i}": "x" for i in range(1001)}}

    response = world.get(params)

    assert response.status_code == 403
    assert rows(world) == []


def test_vendor_values_reach_the_log_as_one_short_escaped_line(
    webhook_world: MakeWorld, records_inline: None, caplog: pytest.LogCaptureFixture
) -> None:
    world = webhook_world(config={"prepare_inbound": True})
    forged = "CA1\nWARNING forged line: admin logged in"
    huge = "CA" + "9" * 2_400_000
    caplog.set_level(logging.DEBUG)

    unsigned = world.client.post(world.path, world.call_params(CallSid=forged))
    flooded = world.client.post(world.path, world.call_params(CallSid=huge))
    # Signed, from a caller without an E.164 number: the webhook logs the call id as it goes on.
    signed = world.post(world.call_params(CallSid=forged, From="anonymous"))

    assert (unsigned.status_code, flooded.status_code, signed.status_code) == (403, 403, 200)
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("integrations")]
    assert any(loggable(forged) in line for line in lines), lines
    assert all("\n" not in line for line in lines)
    assert max(len(line) for line in lines) < 1000


def test_a_replayed_signed_request_gets_the_same_answer_and_no_second_record(
    webhook_world: MakeWorld, records_inline: None
) -> None:
    world = webhook_world(config={"prepare_inbound": True})
    params = world.call_params()

    first = world.post(params)
    again = world.post(params)

    assert first.status_code == again.status_code == 200
    assert dialed_sip(first.content).headers["X-EI"].startswith("S.")
    assert again.content == first.content
    assert ledger_operations(world.sandbox_url, "synthflow").count("PrepareInbound") == 1
    [record] = rows(world)
    assert record.kind == TwilioEventKind.VOICE_WEBHOOK and record.call_sid == params["CallSid"]
    # Another call is answered on its own.
    other = world.post(world.call_params())
    assert dialed_sip(other.content).headers["X-EI"] != dialed_sip(first.content).headers["X-EI"]
    assert len(rows(world)) == 2


def test_log_values_are_escaped_and_cut() -> None:
    assert loggable("CA1\r\nX") == "CA1\\x0d\\x0aX"
    assert loggable("\x1b[31mred") == "\\x1b[31mred"
    cut = loggable("9" * 5000)
    assert cut.startswith("9" * 80) and cut.endswith("…(+4920 chars)")
    assert loggable("back\\slash") == "back\\\\slash"
