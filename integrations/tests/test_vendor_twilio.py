"""Patchbay's Twilio client against the sandbox over HTTP: numbers found, read, pointed; errors mapped."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.choices import AccountKind
from integrations.tests.factories import ProviderAccountFactory
from integrations.vendors.clients import clients_for
from integrations.vendors.errors import AuthFailed, InvalidSpec, NotFound
from integrations.vendors.twilio import TwilioClient

WEBHOOK = "https://patchbay.example.com/hooks/twilio/voice/abc123"


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    """A sandbox Twilio account with one number; the client finds the sandbox through TWILIO_BASE_URL."""
    settings.TWILIO_BASE_URL = f"{sandbox_url}/twilio"
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def twilio(account: dict[str, str]) -> TwilioClient:
    return TwilioClient(account["account_sid"], account["auth_token"])


def add_number(sandbox_url: str, account: dict[str, str], number: str) -> str:
    body = {"vendor": "twilio", "account_sid": account["account_sid"], "phone_number": number}
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=10)
    response.raise_for_status()
    return response.json()["phone_number_sid"]


def test_a_number_is_found_by_its_e164_form(
    twilio: TwilioClient, account: dict[str, str], sandbox_url: str
) -> None:
    add_number(sandbox_url, account, "+14155550177")

    found = twilio.find_number(account["phone_number"])

    assert found is not None
    assert found.sid == account["phone_number_sid"]
    assert found.phone_number == account["phone_number"]
    assert found.voice_url == ""
    assert twilio.find_number("+19995550100") is None


def test_every_page_of_numbers_is_read(
    twilio: TwilioClient, account: dict[str, str], sandbox_url: str
) -> None:
    for suffix in range(150, 154):
        add_number(sandbox_url, account, f"+1415555{suffix:04d}")
    twilio.page_size = 2

    numbers = twilio.list_numbers()

    assert len({n.sid for n in numbers}) == 5
    assert [n.phone_number for n in twilio.list_numbers("+14155550152")] == ["+14155550152"]


def test_pointing_the_voice_urls_at_patchbay(twilio: TwilioClient, account: dict[str, str]) -> None:
    updated = twilio.update_voice(
        account["phone_number_sid"],
        voice_url=WEBHOOK,
        voice_method="POST",
        voice_fallback_url=WEBHOOK + "?fallback=1",
        status_callback="https://patchbay.example.com/hooks/twilio/status/abc123",
    )

    fetched = twilio.get_number(account["phone_number_sid"])
    assert updated == fetched
    assert fetched.voice_url == WEBHOOK
    assert fetched.voice_method == "POST"
    assert fetched.voice_fallback_url == WEBHOOK + "?fallback=1"
    assert fetched.status_callback.endswith("/hooks/twilio/status/abc123")


def test_unset_parameters_are_left_alone_and_empty_ones_cleared(
    twilio: TwilioClient, account: dict[str, str]
) -> None:
    sid = account["phone_number_sid"]
    twilio.update_voice(sid, voice_url=WEBHOOK, voice_fallback_url=WEBHOOK)

    twilio.update_voice(sid, voice_fallback_url="")

    number = twilio.get_number(sid)
    assert number.voice_url == WEBHOOK
    assert number.voice_fallback_url == ""


def test_a_bad_voice_url_is_invalid_and_names_the_parameter(
    twilio: TwilioClient, account: dict[str, str]
) -> None:
    with pytest.raises(InvalidSpec) as refused:
        twilio.update_voice(account["phone_number_sid"], voice_url="not a url")

    assert refused.value.field == "VoiceUrl"
    assert "21502" in str(refused.value)


def test_an_unknown_number_is_not_found(twilio: TwilioClient) -> None:
    with pytest.raises(NotFound) as missing:
        twilio.get_number("PN" + "0" * 32)

    assert "20404" in str(missing.value)


def test_a_wrong_auth_token_is_auth_failed_and_not_repeated(account: dict[str, str]) -> None:
    client = TwilioClient(account["account_sid"], "wrong-token-5678")

    with pytest.raises(AuthFailed) as refused:
        client.get_number(account["phone_number_sid"])

    assert "20003" in str(refused.value)
    assert "wrong-token-5678" not in str(refused.value)


def test_without_a_base_url_setting_the_client_talks_to_api_twilio_com(settings: Any) -> None:
    settings.TWILIO_BASE_URL = ""

    assert TwilioClient("AC" + "0" * 32, "token").base_url == "https://api.twilio.com"


def test_an_integrations_clients_include_its_twilio_account(db: Any, account: dict[str, str]) -> None:
    stored = ProviderAccountFactory(
        kind=AccountKind.TWILIO,
        settings={"account_sid": account["account_sid"]},
        secrets={"auth_token": account["auth_token"]},
    )

    client = clients_for({AccountKind.TWILIO: stored}).twilio

    assert client.get_number(account["phone_number_sid"]).phone_number == account["phone_number"]
