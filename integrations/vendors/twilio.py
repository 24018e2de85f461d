"""Twilio's 2010 REST API for IncomingPhoneNumbers: find, read, point its voice URLs (PROVIDERS.md §3); the
SIP ingress objects (IP ACLs, SIP Domains) are in twilio_sip.py, mixed into the same client.

Form-encoded requests with HTTP Basic auth (AccountSid:AuthToken), `.json`
paths, and errors shaped `{code, message, more_info, status}`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from integrations.vendors import shared_reads
from integrations.vendors.errors import VendorError
from integrations.vendors.http import VendorHttpClient
from integrations.vendors.twilio_sip import TwilioSipApi

REAL_BASE_URL = "https://api.twilio.com"
API_VERSION = "/2010-04-01"
# Twilio pages lists (PageSize up to 1000); one page answers for any account with few numbers.
PAGE_SIZE = 1000
# Parameters of the number update that a Twilio error message may name ("VoiceUrl is not valid").
_FIELDS = (
    "VoiceUrl",
    "VoiceMethod",
    "VoiceFallbackUrl",
    "VoiceFallbackMethod",
    "StatusCallback",
    "StatusCallbackMethod",
    "PhoneNumber",
    "DomainName",
    "IpAddress",
    "CidrPrefixLength",
    "IpAccessControlListSid",
    "FriendlyName",
)


@dataclass(frozen=True)
class IncomingNumber:
    """A number on the Twilio account and where its calls are sent."""

    sid: str
    phone_number: str
    friendly_name: str
    voice_url: str
    voice_method: str
    voice_fallback_url: str
    voice_fallback_method: str
    status_callback: str
    status_callback_method: str
    #: when set, Twilio sends calls to the application or trunk and ignores the voice URLs (§3)
    voice_application_sid: str
    trunk_sid: str


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _incoming_number(data: Mapping[str, Any]) -> IncomingNumber:
    return IncomingNumber(
        sid=_text(data.get("sid")),
        phone_number=_text(data.get("phone_number")),
        friendly_name=_text(data.get("friendly_name")),
        voice_url=_text(data.get("voice_url")),
        voice_method=_text(data.get("voice_method")),
        voice_fallback_url=_text(data.get("voice_fallback_url")),
        voice_fallback_method=_text(data.get("voice_fallback_method")),
        status_callback=_text(data.get("status_callback")),
        status_callback_method=_text(data.get("status_callback_method")),
        voice_application_sid=_text(data.get("voice_application_sid")),
        trunk_sid=_text(data.get("trunk_sid")),
    )


class TwilioClient(VendorHttpClient, TwilioSipApi):
    """One Twilio account, authenticated with its Account SID and Auth Token."""

    vendor = "twilio"
    #: numbers asked for per page (Twilio's PageSize)
    page_size = PAGE_SIZE

    def __init__(self, account_sid: str, auth_token: str) -> None:
        super().__init__(settings.TWILIO_BASE_URL or REAL_BASE_URL)
        self.account_sid = account_sid
        # The token is in the identity: a wrong token must not read the account's numbers from the cache.
        self._identity = shared_reads.account_identity(self.vendor, self.base_url, account_sid, auth_token)
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
        self._authorization = f"Basic {credentials}"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": self._authorization}

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        body = _error_body(response)
        if body is None:
            return (response.text[:300] or response.reason_phrase, "")
        message = _text(body.get("message")) or response.reason_phrase
        code = body.get("code")
        text = f"{message} (Twilio error {code})" if code else message
        field = next((name for name in _FIELDS if name in message), "")
        return (text, field)

    def to_error(self, response: httpx.Response) -> VendorError:
        error = super().to_error(response)
        if not error.request_id:
            # Twilio names each request in the Twilio-Request-Id header.
            error.request_id = response.headers.get("Twilio-Request-Id", "")
        return error

    def _numbers_path(self, suffix: str = "") -> str:
        return f"{API_VERSION}/Accounts/{self.account_sid}/IncomingPhoneNumbers{suffix}.json"

    def list_numbers(self, phone_number: str = "") -> list[IncomingNumber]:
        """`GET IncomingPhoneNumbers.json`, filtered by `PhoneNumber` (E.164) when given; all pages."""
        params: dict[str, Any] = {"PageSize": self.page_size}
        if phone_number:
            params["PhoneNumber"] = phone_number
        return [number for page in self._pages(self._numbers_path(), params) for number in page]

    def find_number(self, phone_number: str) -> IncomingNumber | None:
        """The account's number `phone_number` (E.164), or None when the account does not have it."""
        exact = [n for n in self.list_numbers(phone_number) if n.phone_number == phone_number]
        return exact[0] if exact else None

    def get_number(self, sid: str) -> IncomingNumber:
        """`GET IncomingPhoneNumbers/{sid}.json`; `NotFound` (Twilio 20404) when it is gone.

        In a reconcile, from the account's shared listing when it holds the sid: the list's
        `incoming_phone_numbers` are whole IncomingPhoneNumber resources (voice URLs and methods
        included), the same representation the read answers (PROVIDERS.md §3).
        """
        listed = shared_reads.shared_item(self._identity, "incoming-numbers", sid, self._number_items, "sid")
        if listed is not None:
            return _incoming_number(listed)
        return _incoming_number(self.request("GET", self._numbers_path(f"/{sid}")).json())

    def _number_items(self) -> list[Mapping[str, Any]]:
        """Every number of the account as Twilio answered it, all pages."""
        items: list[Mapping[str, Any]] = []
        next_path: str | None = self._numbers_path()
        params: dict[str, Any] | None = {"PageSize": self.page_size}
        while next_path and len(items) <= shared_reads.MAX_SHARED_ITEMS:
            answer = self.request("GET", next_path, params=params).json()
            items.extend(answer.get("incoming_phone_numbers") or [])
            next_path, params = answer.get("next_page_uri") or None, None
        return items

    def update_voice(
        self,
        sid: str,
        *,
        voice_url: str | None = None,
        voice_method: str | None = None,
        voice_fallback_url: str | None = None,
        voice_fallback_method: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
    ) -> IncomingNumber:
        """`POST IncomingPhoneNumbers/{sid}.json` with the given voice parameters (None = unchanged,
        "" = cleared); answers the number as Twilio saved it."""
        values = {
            "VoiceUrl": voice_url,
            "VoiceMethod": voice_method,
            "VoiceFallbackUrl": voice_fallback_url,
            "VoiceFallbackMethod": voice_fallback_method,
            "StatusCallback": status_callback,
            "StatusCallbackMethod": status_callback_method,
        }
        form = {name: value for name, value in values.items() if value is not None}
        return _incoming_number(self.request("POST", self._numbers_path(f"/{sid}"), data=form).json())

    def _pages(self, path: str, params: dict[str, Any] | None) -> Iterator[list[IncomingNumber]]:
        """Pages of a list, following `next_page_uri` (a path with its own query string)."""
        next_path: str | None = path
        while next_path:
            answer = self.request("GET", next_path, params=params).json()
            yield [_incoming_number(n) for n in answer.get("incoming_phone_numbers") or []]
            next_path, params = answer.get("next_page_uri") or None, None


def _error_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
