"""Vapi's REST API: BYO SIP-trunk credentials and BYO phone numbers (PROVIDERS.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from integrations.vendors import shared_reads
from integrations.vendors.http import VendorHttpClient

REAL_BASE_URLS = {"us": "https://api.vapi.ai", "eu": "https://api.eu.vapi.ai"}
#: credential, phone number and SIP host must be in the same region (PROVIDERS.md §2.1)
SIP_DOMAINS = {"us": "sip.vapi.ai", "eu": "sip.eu.vapi.ai"}
#: Vapi's signalling IPs, for a Voice Connector termination allow list (PROVIDERS.md §2.5)
SIGNALLING_CIDRS = {"us": ("44.229.228.186/32", "44.238.177.138/32"), "eu": ("63.182.83.170/32",)}


@dataclass(frozen=True)
class Gateway:
    """One gateway of a BYO SIP-trunk credential; inbound gateways must be numeric IPv4."""

    ip: str
    netmask: int = 32
    port: int = 5060
    inbound_enabled: bool = True
    outbound_enabled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "netmask": self.netmask,
            "port": self.port,
            "inboundEnabled": self.inbound_enabled,
            "outboundEnabled": self.outbound_enabled,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gateway:
        return cls(
            ip=str(data.get("ip", "")),
            netmask=int(data.get("netmask", 32)),
            port=int(data.get("port", 5060)),
            inbound_enabled=bool(data.get("inboundEnabled", True)),
            outbound_enabled=bool(data.get("outboundEnabled", True)),
        )


@dataclass(frozen=True)
class Credential:
    """A BYO SIP-trunk credential."""

    id: str
    name: str
    gateways: tuple[Gateway, ...]


@dataclass(frozen=True)
class PhoneNumber:
    """A BYO phone number on a credential."""

    id: str
    name: str
    number: str
    credential_id: str
    assistant_id: str
    status: str


def _credential(data: dict[str, Any]) -> Credential:
    return Credential(
        id=str(data["id"]),
        name=str(data.get("name") or ""),
        gateways=tuple(Gateway.from_json(g) for g in data.get("gateways") or []),
    )


def _phone_number(data: dict[str, Any]) -> PhoneNumber:
    return PhoneNumber(
        id=str(data["id"]),
        name=str(data.get("name") or ""),
        number=str(data.get("number") or ""),
        credential_id=str(data.get("credentialId") or ""),
        assistant_id=str(data.get("assistantId") or ""),
        status=str(data.get("status") or ""),
    )


class VapiClient(VendorHttpClient):
    """One Vapi account (private API key) in one region."""

    vendor = "vapi"

    def __init__(self, api_key: str, region: str = "us") -> None:
        super().__init__(settings.VAPI_BASE_URL or REAL_BASE_URLS[region])
        self._api_key = api_key
        self.region = region

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def error_message(self, response: httpx.Response) -> tuple[str, str]:
        # NestJS-style {"message": str | [str], "error", "statusCode"} (PROVIDERS.md §2.1, unconfirmed).
        try:
            body = response.json()
        except ValueError:
            return (response.text[:300], "")
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, list):
            message = "; ".join(str(m) for m in message)
        text = str(message or response.reason_phrase)
        field = text.split(" ", 1)[0] if text and text.split(" ", 1)[0].isidentifier() else ""
        return (text, field)

    def sip_host(self, credential_id: str) -> str:
        """The inbound SIP host of a credential: `<id>.sip.vapi.ai` (EU: `.sip.eu.vapi.ai`)."""
        return f"{credential_id}.{SIP_DOMAINS[self.region]}"

    def _identity(self) -> str:
        """The account (and key) a shared listing belongs to; a hash, never the key itself."""
        return shared_reads.account_identity(self.vendor, self.base_url, self._api_key)

    def _credential_items(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/credential", params={"limit": 1000}).json())

    def list_credentials(self) -> list[Credential]:
        return [_credential(c) for c in self._credential_items()]

    def get_credential(self, credential_id: str) -> Credential:
        """`GET /credential/{id}`; in a reconcile, from the account's shared listing when it holds the id.

        The list answers the same objects as the read (the SDK's `credentials.list` and `.get` both
        answer the credential union), so the gateways the resource compares are all there.
        """
        listed = shared_reads.shared_item(
            self._identity(), "credentials", credential_id, self._credential_items
        )
        if listed is not None:
            return _credential(dict(listed))
        return _credential(self.request("GET", f"/credential/{credential_id}").json())

    def create_credential(self, name: str, gateways: list[Gateway]) -> Credential:
        body = {"provider": "byo-sip-trunk", "name": name, "gateways": [g.as_json() for g in gateways]}
        return _credential(self.request("POST", "/credential", json=body).json())

    def update_gateways(self, credential_id: str, gateways: list[Gateway]) -> Credential:
        # PATCH replaces the whole gateways array (PROVIDERS.md §2.2).
        body = {"provider": "byo-sip-trunk", "gateways": [g.as_json() for g in gateways]}
        return _credential(self.request("PATCH", f"/credential/{credential_id}", json=body).json())

    def delete_credential(self, credential_id: str) -> None:
        self.request("DELETE", f"/credential/{credential_id}")

    def _phone_number_items(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "/phone-number", params={"limit": 1000}).json())

    def list_phone_numbers(self) -> list[PhoneNumber]:
        return [_phone_number(p) for p in self._phone_number_items()]

    def get_phone_number(self, phone_number_id: str) -> PhoneNumber:
        """`GET /phone-number/{id}`; in a reconcile, from the account's shared listing when it holds the id.

        The list answers the same phone-number union as the read (the SDK's `phone_numbers.list`
        and `.get`): number, credential and assistant, the fields the resource compares, are there.
        """
        listed = shared_reads.shared_item(
            self._identity(), "phone-numbers", phone_number_id, self._phone_number_items
        )
        if listed is not None:
            return _phone_number(dict(listed))
        return _phone_number(self.request("GET", f"/phone-number/{phone_number_id}").json())

    def create_phone_number(
        self, name: str, number: str, credential_id: str, assistant_id: str
    ) -> PhoneNumber:
        body = {
            "provider": "byo-phone-number",
            "name": name,
            "number": number,
            # The number is the SIP URI user, not a PSTN number (PROVIDERS.md §2.3).
            "numberE164CheckEnabled": False,
            "credentialId": credential_id,
            "assistantId": assistant_id,
        }
        return _phone_number(self.request("POST", "/phone-number", json=body).json())

    def update_phone_number(
        self, phone_number_id: str, *, number: str, credential_id: str, assistant_id: str
    ) -> PhoneNumber:
        body = {
            # The PATCH body is a union of phone-number DTOs told apart by `provider` (the SDK's
            # UpdatePhoneNumbersRequestBody): without it Vapi cannot tell which one this is.
            "provider": "byo-phone-number",
            "number": number,
            "numberE164CheckEnabled": False,
            "credentialId": credential_id,
            "assistantId": assistant_id,
        }
        return _phone_number(self.request("PATCH", f"/phone-number/{phone_number_id}", json=body).json())

    def delete_phone_number(self, phone_number_id: str) -> None:
        self.request("DELETE", f"/phone-number/{phone_number_id}")
