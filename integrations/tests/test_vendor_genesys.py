"""Patchbay's Genesys Cloud client against the sandbox over real HTTP: tokens, 401, 429, paging, versions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.vendors import genesys as genesys_module
from integrations.vendors.errors import AuthFailed, InvalidSpec
from integrations.vendors.genesys import BYOC_CARRIER_METABASE, GenesysClient, byoc_fqdn
from testing import resets


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    settings.GENESYS_BASE_URL = f"{sandbox_url}/genesys"
    settings.GENESYS_LOGIN_URL = f"{sandbox_url}/genesys"
    settings.VENDOR_RETRY_BASE_SECONDS = 0.01
    settings.VENDOR_RETRY_MAX_SECONDS = 5.0
    resets.forget_tokens()
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def client(account: dict[str, str]) -> GenesysClient:
    return GenesysClient(account["client_id"], account["client_secret"], account["region"])


def _ledger(sandbox_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": "genesys"}, timeout=10)
    return response.json()["requests"]


def _trunk_body(client: GenesysClient, site_id: str, name: str) -> dict[str, Any]:
    template = client.trunk_template()
    properties = template["properties"]
    properties["trunk_transport_serverProxyList"]["value"]["instance"] = ["sip.synthflow.ai:32681"]
    return {
        "name": name,
        "state": "active",
        "trunkMetabase": {"id": BYOC_CARRIER_METABASE},
        "trunkType": "EXTERNAL",
        "inboundSite": {"id": site_id},
        "properties": {k: {"value": {"instance": v["value"]["instance"]}} for k, v in properties.items()
                       if v["value"]["instance"] is not None},
    }  # fmt: skip


def test_one_token_serves_many_calls(
    sandbox_url: str, client: GenesysClient, account: dict[str, str]
) -> None:
    for _ in range(5):
        assert client.get_site(account["site_id"])["name"] == "Main Site"
    # A second client object for the same OAuth client (a later run) reuses the cached token too.
    again = GenesysClient(account["client_id"], account["client_secret"], account["region"])
    again.get_site(account["site_id"])

    operations = [r["operation"] for r in _ledger(sandbox_url)]
    assert operations.count("PostToken") == 1
    assert operations.count("GetSite") == 6


def test_a_revoked_token_is_replaced_once_and_the_call_succeeds(
    sandbox_url: str, client: GenesysClient, account: dict[str, str]
) -> None:
    client.get_site(account["site_id"])
    # The org revoked our token: the cache still holds it, the API now answers 401 bad.credentials.
    key = client._token_key
    genesys_module._tokens[key] = ("revoked-token", genesys_module._tokens[key][1])

    assert client.get_site(account["site_id"])["id"] == account["site_id"]

    requests = _ledger(sandbox_url)
    assert [r["operation"] for r in requests].count("PostToken") == 2
    assert [r["status"] for r in requests if r["operation"] == "GetSite"] == [200, 200]
    assert genesys_module._tokens[key][0] != "revoked-token"


def test_a_wrong_client_secret_is_an_auth_failure_naming_the_secret(account: dict[str, str]) -> None:
    client = GenesysClient(account["client_id"], "not-the-secret", account["region"])
    with pytest.raises(AuthFailed) as failure:
        client.get_site(account["site_id"])
    assert "not-the-secret" not in str(failure.value)
    assert failure.value.field == "client_secret"


def test_429_waits_at_least_retry_after(
    sandbox_url: str, client: GenesysClient, account: dict[str, str]
) -> None:
    client.get_site(account["site_id"])  # token first
    httpx.post(
        f"{sandbox_url}/_sandbox/faults",
        json={"vendor": "genesys", "operation": "GetSite", "mode": "throttle", "times": 2},
        timeout=10,
    ).raise_for_status()
    slept: list[float] = []

    response = client.request("GET", f"/api/v2/telephony/providers/edges/sites/{account['site_id']}",
                              sleep=slept.append)  # fmt: skip

    assert response.status_code == 200
    assert len(slept) == 2 and all(s >= 1.0 for s in slept), slept  # the sandbox sends Retry-After: 1
    statuses = [r["status"] for r in _ledger(sandbox_url) if r["operation"] == "GetSite"]
    assert statuses == [200, 429, 429, 200]


def test_rate_limit_of_the_org_answers_retry_after_in_seconds(
    sandbox_url: str, client: GenesysClient, account: dict[str, str]
) -> None:
    httpx.post(f"{sandbox_url}/_sandbox/options", json={"genesys": {"rate_limit_per_minute": 2}}, timeout=10)
    slept: list[float] = []
    path = f"/api/v2/telephony/providers/edges/sites/{account['site_id']}"
    client.request("GET", path)
    client.request("GET", path)
    with pytest.raises(Exception) as throttled:
        client.request("GET", path, sleep=slept.append, attempts=2)
    assert getattr(throttled.value, "retry_after", None) and throttled.value.retry_after > 1
    assert slept and slept[0] >= min(throttled.value.retry_after, 5.0) - 0.01


def test_a_version_conflict_is_re_read_and_retried(
    sandbox_url: str, client: GenesysClient, account: dict[str, str]
) -> None:
    trunk = client.create_trunk_base(_trunk_body(client, account["site_id"], "pb-acme-conflict"))
    calls = 0

    def change(current: dict[str, Any]) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            # Someone else saves the trunk between our read and our write.
            other = _trunk_body(client, account["site_id"], "pb-acme-conflict")
            other["description"] = "edited in the Genesys admin UI"
            other["version"] = current["version"]
            client.request("PUT", f"{genesys_module.TRUNK_BASES}/{trunk['id']}", json=other)
        body = _trunk_body(client, account["site_id"], "pb-acme-conflict")
        body["description"] = "Patchbay"
        return body

    updated = client.update_trunk_base(trunk["id"], change)

    assert calls == 2
    assert updated["description"] == "Patchbay" and updated["version"] == 3
    statuses = [r["status"] for r in _ledger(sandbox_url) if r["operation"] == "UpdateTrunkBaseSettings"]
    assert statuses == [200, 409, 200]


def test_lists_are_read_page_by_page(
    client: GenesysClient, account: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(5):
        client.create_trunk_base(_trunk_body(client, account["site_id"], f"pb-acme-t{n}"))
    monkeypatch.setattr(genesys_module, "PAGE_SIZE", 2)

    names = [t["name"] for t in client.list_trunk_bases("pb-acme-*")]

    assert names == [f"pb-acme-t{n}" for n in range(5)]


def test_a_bad_trunk_is_refused_with_genesys_words(client: GenesysClient, account: dict[str, str]) -> None:
    body = _trunk_body(client, account["site_id"], "pb-acme-bad")
    body["properties"]["trunk_access_acl_allowList"] = {"value": {"instance": ["not-a-cidr"]}}
    with pytest.raises(InvalidSpec) as refused:
        client.create_trunk_base(body)
    assert "trunk_access_acl_allowList" in str(refused.value)


def test_region_hosts_and_byoc_fqdn(settings: Any) -> None:
    settings.GENESYS_BASE_URL = ""
    settings.GENESYS_LOGIN_URL = ""
    client = GenesysClient("id", "secret", "eu_central_1")
    assert client.base_url == "https://api.mypurecloud.de"
    assert client._login.base_url == "https://login.mypurecloud.de"
    assert byoc_fqdn("pb-acme", "us_west_2") == "pb-acme.byoc.usw2.pure.cloud"
    assert byoc_fqdn("pb-acme", "us_east_1") == "pb-acme.byoc.mypurecloud.com"
    with pytest.raises(ValueError):
        GenesysClient("id", "secret", "mars_north_1")
