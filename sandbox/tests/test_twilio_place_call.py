"""`TwilioStandIn.place_call`: a signed voice webhook to a real local HTTP server, and its TwiML read back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Request, Response

from sandbox.core.server import SandboxServer
from sandbox.tests.twilio_support import WebhookServer
from sandbox.twilio import TwilioStandIn


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}).json()


@pytest.fixture
def twilio(sandbox_server: SandboxServer) -> TwilioStandIn:
    stand_in = sandbox_server.sandbox.stand_in("twilio")
    assert isinstance(stand_in, TwilioStandIn)
    return stand_in


def point_voice_url(sandbox_url: str, account: dict[str, Any], **form: str) -> None:
    sids = account["account_sid"], account["phone_number_sid"]
    path = "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json".format(*sids)
    response = httpx.post(
        f"{sandbox_url}/twilio{path}", auth=(account["account_sid"], account["auth_token"]), data=form
    )
    response.raise_for_status()


def test_the_webhook_gets_signed_voice_parameters_and_the_dial_sip_is_read_back(
    twilio: TwilioStandIn, account: dict[str, Any], webhook: WebhookServer, sandbox_url: str
) -> None:
    point_voice_url(sandbox_url, account, VoiceUrl=f"{webhook.url}/hooks/twilio/voice/abc")

    call = twilio.place_call(account["phone_number"], "+12065551234")

    received = webhook.requests[0]
    assert received["method"] == "POST"
    assert received["form"]["To"] == account["phone_number"]
    assert received["form"]["From"] == received["form"]["Caller"] == "+12065551234"
    assert received["form"]["Direction"] == "inbound"
    assert received["form"]["CallSid"] == call["call_sid"]
    validator = RequestValidator(account["auth_token"])
    assert validator.validate(received["url"], received["form"], received["signature"])
    assert call["sip_uri"] == "sip:+14155550100@sip.synthflow.ai:32681"
    assert call["sip_headers"] == {"X-EI": "S.abc123;", "X-Account": "A-1"}
    assert sorted(w["code"] for w in call["warnings"]) == [32111, 32111]
    assert call["error_code"] is None
    assert twilio.placed_calls[-1]["call_sid"] == call["call_sid"]


def test_a_get_webhook_carries_the_parameters_in_the_signed_url(
    twilio: TwilioStandIn, account: dict[str, Any], webhook: WebhookServer, sandbox_url: str
) -> None:
    point_voice_url(sandbox_url, account, VoiceUrl=f"{webhook.url}/voice?tenant=acme", VoiceMethod="GET")

    twilio.place_call(account["phone_number"], "+12065551234")

    received = webhook.requests[0]
    assert received["method"] == "GET"
    assert received["args"]["tenant"] == "acme"
    assert received["args"]["From"] == "+12065551234"
    assert RequestValidator(account["auth_token"]).validate(received["url"], {}, received["signature"])


def test_a_failing_voice_url_falls_back_with_the_error_code(
    twilio: TwilioStandIn, account: dict[str, Any], webhook: WebhookServer, sandbox_url: str
) -> None:
    def reply(request: Request) -> Response:
        if request.path == "/broken":
            return Response("oops", status=500)
        return Response(
            "<Response><Say>Please hold</Say><Dial>+12065550000</Dial></Response>", mimetype="text/xml"
        )

    webhook.reply = reply
    point_voice_url(
        sandbox_url, account, VoiceUrl=f"{webhook.url}/broken", VoiceFallbackUrl=f"{webhook.url}/fb"
    )

    call = twilio.place_call(account["phone_number"], "+12065551234")

    assert [a["status"] for a in call["attempts"]] == [500, 200]
    assert webhook.requests[1]["form"]["ErrorCode"] == "11200"
    assert call["say"] == ["Please hold"]
    assert call["dial_number"] == "+12065550000"
    assert call["sip_uri"] is None
    assert call["error_code"] is None


def test_unreachable_webhook_and_bad_twiml_are_reported_with_twilio_codes(
    twilio: TwilioStandIn, account: dict[str, Any], webhook: WebhookServer, sandbox_url: str
) -> None:
    webhook.reply = lambda request: Response("not xml", mimetype="text/plain")
    point_voice_url(sandbox_url, account, VoiceUrl=f"{webhook.url}/voice")
    assert twilio.place_call(account["phone_number"], "+12065551234")["error_code"] == 12100

    webhook.close()
    unreachable = twilio.place_call(account["phone_number"], "+12065551234")
    assert unreachable["error_code"] == 11205


def test_a_number_no_account_owns_cannot_be_called(twilio: TwilioStandIn, account: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a number"):
        twilio.place_call("+19995550100", "+12065551234")
