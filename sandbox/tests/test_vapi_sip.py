"""Vapi's SIP edge (`VapiStandIn.sip_invite`): who may INVITE a BYO-trunk credential's host."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.core.server import SandboxServer
from sandbox.vapi import VapiStandIn


@pytest.fixture
def trunk(sandbox_url: str) -> dict[str, Any]:
    """A credential with gateways 99.77.253.10/32 and 99.77.253.0/30, and +14155550100 on it."""
    account = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"}).json()
    headers = {"Authorization": f"Bearer {account['api_key']}"}
    credential = httpx.post(
        f"{sandbox_url}/vapi/credential",
        headers=headers,
        json={
            "provider": "byo-sip-trunk",
            "name": "pb-acme-support-credential",
            "gateways": [
                {"ip": "99.77.253.10"},
                {"ip": "99.77.253.100", "netmask": 30},
                {"ip": "203.0.113.7", "inboundEnabled": False},
            ],
        },
    ).json()
    number = httpx.post(
        f"{sandbox_url}/vapi/phone-number",
        headers=headers,
        json={
            "provider": "byo-phone-number",
            "credentialId": credential["id"],
            "number": "+14155550100",
            "assistantId": account["assistant_id"],
        },
    ).json()
    return {"credential": credential, "number": number, "assistant_id": account["assistant_id"]}


@pytest.fixture
def vapi(sandbox_server: SandboxServer) -> VapiStandIn:
    stand_in = sandbox_server.sandbox.stand_in("vapi")
    assert isinstance(stand_in, VapiStandIn)
    return stand_in


def test_invite_from_a_gateway_ip_reaches_the_assistant_with_its_x_headers(
    vapi: VapiStandIn, trunk: dict[str, Any]
) -> None:
    uri = f"sip:+14155550100@{trunk['credential']['id']}.sip.vapi.ai"

    headers = {"X-Customer-Tier": "gold", "x-first_name": "John", "From": "<sip:+1206@x>"}
    answer = vapi.sip_invite(uri, "99.77.253.10", headers)

    assert answer == (200, "OK")
    call = vapi.received_calls[-1]
    assert call["assistant_id"] == trunk["assistant_id"]
    assert call["phone_number_id"] == trunk["number"]["id"]
    assert call["headers"] == {"X-Customer-Tier": "gold", "x-first_name": "John"}
    # x-first_name fills {{first_name}}; a hyphen is kept as sent (the stricter reading).
    assert call["variables"] == {"customer-tier": "gold", "first_name": "John"}


def test_a_source_inside_a_gateway_netmask_is_accepted(vapi: VapiStandIn, trunk: dict[str, Any]) -> None:
    uri = f"sip:14155550100@{trunk['credential']['id']}.sip.vapi.ai:5060;transport=udp"

    assert vapi.sip_invite(uri, "99.77.253.102", {})[0] == 200


def test_a_source_outside_every_inbound_gateway_gets_401(vapi: VapiStandIn, trunk: dict[str, Any]) -> None:
    uri = f"sip:+14155550100@{trunk['credential']['id']}.sip.vapi.ai"

    # 203.0.113.7 is a gateway, but outbound-only: it never authorises inbound calls.
    assert vapi.sip_invite(uri, "99.77.253.11", {}) == (401, "Unauthorized")
    assert vapi.sip_invite(uri, "203.0.113.7", {}) == (401, "Unauthorized")
    assert [c["status"] for c in vapi.received_calls] == [401, 401]
    assert vapi.received_calls[-1]["headers"] == {}


def test_a_host_that_is_not_a_known_credential_gets_404(vapi: VapiStandIn, trunk: dict[str, Any]) -> None:
    unknown = "sip:+14155550100@5d3f2a1e-0000-4000-8000-000000000000.sip.vapi.ai"
    plain = "sip:+14155550100@sip.vapi.ai"

    assert vapi.sip_invite(unknown, "99.77.253.10", {}) == (404, "Not Found")
    assert vapi.sip_invite(plain, "99.77.253.10", {}) == (404, "Not Found")


def test_a_number_not_on_the_credential_gets_404(vapi: VapiStandIn, trunk: dict[str, Any]) -> None:
    uri = f"sip:+14155550199@{trunk['credential']['id']}.sip.vapi.ai"

    assert vapi.sip_invite(uri, "99.77.253.10", {}) == (404, "Not Found")


def test_after_the_gateways_change_the_old_source_gets_401(
    vapi: VapiStandIn, trunk: dict[str, Any], sandbox_url: str
) -> None:
    credential = trunk["credential"]
    uri = f"sip:+14155550100@{credential['id']}.sip.vapi.ai"
    assert vapi.sip_invite(uri, "99.77.253.10", {})[0] == 200
    org_key = next(k for k, org in vapi.api_keys.items() if org == credential["orgId"])

    httpx.patch(
        f"{sandbox_url}/vapi/credential/{credential['id']}",
        headers={"Authorization": f"Bearer {org_key}"},
        json={"gateways": [{"ip": "99.77.254.10"}]},
    ).raise_for_status()

    assert vapi.sip_invite(uri, "99.77.253.10", {})[0] == 401
    assert vapi.sip_invite(uri, "99.77.254.10", {})[0] == 200
