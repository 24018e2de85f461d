"""What the Genesys stand-in's tests share: a token, trunk and route bodies, Genesys's error body
(moved out of test_genesys_trunks.py and test_genesys_routes.py, which other tests imported)."""

from __future__ import annotations

from typing import Any

import httpx

TRUNKS = "/api/v2/telephony/providers/edges/trunkbasesettings"
ERROR_BODY_KEYS = {
    "message",
    "code",
    "status",
    "messageWithParams",
    "messageParams",
    "contextId",
    "details",
    "errors",
}


def get_token(sandbox_url: str, account: dict[str, Any]) -> str:
    response = httpx.post(
        f"{sandbox_url}/genesys/oauth/token",
        auth=(account["client_id"], account["client_secret"]),
        data={"grant_type": "client_credentials"},
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def trunk_body(site_id: str, name: str = "pb-acme-support-trunk", **properties: Any) -> dict[str, Any]:
    instances = {
        "trunk_sip_termination_uri": "pb-acme",
        "trunk_transport_serverProxyList": ["sip.synthflow.ai:32681"],
        "trunk_access_acl_allowList": ["34.138.86.8/32", "34.75.151.191/32"],
        "trunk_sip_authentication_credentials_username": "patchbay",
        "trunk_sip_authentication_credentials_password": "digest-secret",
        "trunk_outboundIdentity_callingName": "Acme Support",
        **properties,
    }
    return {
        "name": name,
        "state": "active",
        "trunkMetabase": {"id": "external_sip_pcv_byoc_carrier.json"},
        "trunkType": "EXTERNAL",
        "inboundSite": {"id": site_id},
        "properties": {key: {"value": {"instance": value}} for key, value in instances.items()},
    }


def create_trunk(genesys: httpx.Client, account: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = genesys.post(TRUNKS, json=trunk_body(account["site_id"], **kwargs))
    assert response.status_code == 200, response.text
    return response.json()


def assert_error_body(response: httpx.Response, status: int, code: str, fragment: str = "") -> dict[str, Any]:
    """Genesys's ErrorBody with the given status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ERROR_BODY_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert fragment in body["message"]
    return body


SITES = "/api/v2/telephony/providers/edges/sites"


def route_body(trunk_ids: list[str], name: str = "pb-acme-route", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "classificationTypes": ["Synthflow"],
        "enabled": True,
        "externalTrunkBases": [{"id": trunk_id} for trunk_id in trunk_ids],
        **extra,
    }
