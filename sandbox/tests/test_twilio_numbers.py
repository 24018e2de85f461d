"""The Twilio stand-in over real HTTP: IncomingPhoneNumbers list/fetch/update, auth and error bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.tests.twilio_support import assert_twilio_error


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    """A fresh account with one number: `{account_sid, auth_token, phone_number, phone_number_sid}`."""
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"})
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def twilio(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client of the account's 2010-04-01 API (Basic auth)."""
    base = f"{sandbox_url}/twilio/2010-04-01/Accounts/{account['account_sid']}"
    with httpx.Client(
        base_url=base, auth=(account["account_sid"], account["auth_token"]), timeout=10
    ) as client:
        yield client


def test_account_and_number_ids_have_twilio_shapes(account: dict[str, Any]) -> None:
    assert account["account_sid"].startswith("AC") and len(account["account_sid"]) == 34
    assert account["phone_number_sid"].startswith("PN") and len(account["phone_number_sid"]) == 34
    assert len(account["auth_token"]) == 32
    assert account["phone_number"].startswith("+1415555")


def test_list_is_twilio_paging_envelope_with_a_phone_number_filter(
    twilio: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    more = httpx.post(
        f"{sandbox_url}/_sandbox/accounts",
        json={"vendor": "twilio", "account_sid": account["account_sid"], "phone_number": "+12065551234"},
    ).json()

    everything = twilio.get("/IncomingPhoneNumbers.json").json()
    filtered = twilio.get("/IncomingPhoneNumbers.json", params={"PhoneNumber": "+12065551234"}).json()
    first_page = twilio.get("/IncomingPhoneNumbers.json", params={"PageSize": 1}).json()

    assert [n["sid"] for n in everything["incoming_phone_numbers"]] == [
        account["phone_number_sid"],
        more["phone_number_sid"],
    ]
    assert [n["phone_number"] for n in filtered["incoming_phone_numbers"]] == ["+12065551234"]
    assert (first_page["page"], first_page["page_size"], first_page["start"], first_page["end"]) == (
        0,
        1,
        0,
        0,
    )
    assert first_page["next_page_uri"].endswith("PageSize=1&Page=1")
    assert first_page["previous_page_uri"] is None
    assert first_page["uri"].startswith(
        f"/2010-04-01/Accounts/{account['account_sid']}/IncomingPhoneNumbers.json"
    )


def test_fetch_shows_the_resource_in_snake_case(twilio: httpx.Client, account: dict[str, Any]) -> None:
    number = twilio.get(f"/IncomingPhoneNumbers/{account['phone_number_sid']}.json").json()

    assert number["sid"] == account["phone_number_sid"]
    assert number["account_sid"] == account["account_sid"]
    assert number["phone_number"] == account["phone_number"]
    assert number["friendly_name"].startswith("(415) 555-")
    assert (number["voice_url"], number["voice_method"]) == ("", "POST")
    assert number["date_updated"].endswith("+0000")
    assert number["capabilities"]["voice"] is True


def test_update_round_trip_sets_the_voice_webhook(twilio: httpx.Client, account: dict[str, Any]) -> None:
    path = f"/IncomingPhoneNumbers/{account['phone_number_sid']}.json"
    form = {
        "VoiceUrl": "https://patchbay.example/hooks/twilio/voice/abc123",
        "VoiceMethod": "POST",
        "VoiceFallbackUrl": "https://patchbay.example/hooks/twilio/fallback",
        "VoiceFallbackMethod": "GET",
        "FriendlyName": "pb-acme-support",
    }

    updated = twilio.post(path, data=form)
    fetched = twilio.get(path).json()

    assert updated.status_code == 200
    assert fetched["voice_url"] == "https://patchbay.example/hooks/twilio/voice/abc123"
    assert fetched["voice_fallback_method"] == "GET"
    assert fetched["friendly_name"] == "pb-acme-support"
    cleared = twilio.post(path, data={"VoiceFallbackUrl": ""}).json()
    assert cleared["voice_fallback_url"] == ""
    assert cleared["voice_url"] == "https://patchbay.example/hooks/twilio/voice/abc123"


def test_bad_url_method_and_friendly_name_get_twilio_codes(
    twilio: httpx.Client, account: dict[str, Any]
) -> None:
    path = f"/IncomingPhoneNumbers/{account['phone_number_sid']}.json"

    bad_url = twilio.post(path, data={"VoiceUrl": "patchbay.example/hook"})
    bad_method = twilio.post(path, data={"VoiceMethod": "PUT"})
    long_name = twilio.post(path, data={"FriendlyName": "x" * 65})
    json_body = twilio.post(path, json={"VoiceUrl": "https://patchbay.example/x"})

    assert "VoiceUrl" in assert_twilio_error(bad_url, 400, 21502)
    assert "VoiceMethod" in assert_twilio_error(bad_method, 400, 21403)
    assert_twilio_error(long_name, 400, 20002)
    assert_twilio_error(json_body, 400, 400)
    assert twilio.get(path).json()["voice_url"] == ""


def test_wrong_credentials_get_401_20003(sandbox_url: str, account: dict[str, Any]) -> None:
    url = f"{sandbox_url}/twilio/2010-04-01/Accounts/{account['account_sid']}/IncomingPhoneNumbers.json"

    wrong = httpx.get(url, auth=(account["account_sid"], "0" * 32))
    anonymous = httpx.get(url)

    assert assert_twilio_error(wrong, 401, 20003) == "Authenticate"
    assert_twilio_error(anonymous, 401, 20003)
    assert account["auth_token"] not in wrong.text


def test_another_accounts_path_or_number_is_404(
    twilio: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    other = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}).json()
    auth = (account["account_sid"], account["auth_token"])
    their_path = f"{sandbox_url}/twilio/2010-04-01/Accounts/{other['account_sid']}/IncomingPhoneNumbers.json"

    theirs = httpx.get(their_path, auth=auth)
    their_number = twilio.get(f"/IncomingPhoneNumbers/{other['phone_number_sid']}.json")
    unknown = twilio.get("/IncomingPhoneNumbers/PN00000000000000000000000000000000.json")

    assert "was not found" in assert_twilio_error(theirs, 404, 20404)
    assert_twilio_error(their_number, 404, 20404)
    assert "PN00000000000000000000000000000000" in assert_twilio_error(unknown, 404, 20404)


def test_unknown_path_is_404_and_wrong_method_is_405(twilio: httpx.Client, account: dict[str, Any]) -> None:
    assert_twilio_error(twilio.get("/Calls.json"), 404, 20404)
    wrong = twilio.put(f"/IncomingPhoneNumbers/{account['phone_number_sid']}.json")
    assert_twilio_error(wrong, 405, 20004)
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_ledger_lists_numbers_by_friendly_name(
    twilio: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    twilio.post(f"/IncomingPhoneNumbers/{account['phone_number_sid']}.json", data={"FriendlyName": "pb-acme"})

    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["objects"]

    assert [(o["type"], o["name"]) for o in objects if o["vendor"] == "twilio"] == [
        ("twilio.incoming_phone_number", "pb-acme")
    ]
