"""The Genesys Cloud stand-in over real HTTP: OAuth, auth errors and BYOC trunk base settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.core.server import SandboxServer
from sandbox.core.sip_hosts import source_allowed
from sandbox.genesys.regions import byoc_domain
from sandbox.tests.genesys_support import (
    TRUNKS,
    assert_error_body,
    create_trunk,
    get_token,
    trunk_body,
)

#: the list filter for the trunks an admin made (every org also has Genesys's managed PSTN trunk)
OURS = {"managed": "false"}
MANAGED_TRUNK = "PureCloud Voice - AWS"


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    """A fresh org: `{client_id, client_secret, region, site_id}`."""
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"})
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def genesys(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client of the sandbox's Genesys API with a fresh bearer token."""
    headers = {"Authorization": f"Bearer {get_token(sandbox_url, account)}"}
    with httpx.Client(base_url=f"{sandbox_url}/genesys", headers=headers, timeout=10) as client:
        yield client


def test_token_is_a_bearer_with_a_day_of_life(sandbox_url: str, account: dict[str, Any]) -> None:
    response = httpx.post(
        f"{sandbox_url}/genesys/oauth/token",
        auth=(account["client_id"], account["client_secret"]),
        data={"grant_type": "client_credentials"},
    )

    assert response.json()["token_type"] == "bearer"
    assert response.json()["expires_in"] == 86400
    assert len(response.json()["access_token"]) > 20


def test_token_refuses_a_wrong_secret_and_other_grants(sandbox_url: str, account: dict[str, Any]) -> None:
    url = f"{sandbox_url}/genesys/oauth/token"
    grant = {"grant_type": "client_credentials"}

    wrong = httpx.post(url, auth=(account["client_id"], "not-the-secret"), data=grant)
    anonymous = httpx.post(url, data=grant)
    password = httpx.post(
        url, auth=(account["client_id"], account["client_secret"]), data={"grant_type": "password"}
    )
    missing = httpx.post(url, auth=(account["client_id"], account["client_secret"]), data={})

    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert account["client_secret"] not in wrong.text
    assert anonymous.json()["error"] == "invalid_client"
    assert (password.status_code, password.json()["error"]) == (400, "unsupported_grant_type")
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


def test_api_without_or_with_a_bad_token_gets_401_error_bodies(sandbox_url: str) -> None:
    none = httpx.get(f"{sandbox_url}/genesys{TRUNKS}")
    bogus = httpx.get(f"{sandbox_url}/genesys{TRUNKS}", headers={"Authorization": "Bearer forged"})

    assert_error_body(none, 401, "authentication.required")
    assert_error_body(bogus, 401, "bad.credentials")


def test_an_expired_token_gets_401(sandbox_url: str, account: dict[str, Any]) -> None:
    httpx.post(
        f"{sandbox_url}/_sandbox/options", json={"genesys": {"token_lifetime_seconds": 0}}
    ).raise_for_status()
    token = get_token(sandbox_url, account)

    response = httpx.get(f"{sandbox_url}/genesys{TRUNKS}", headers={"Authorization": f"Bearer {token}"})

    assert_error_body(response, 401, "bad.credentials")


def test_template_lists_every_property_key_with_its_default(genesys: httpx.Client) -> None:
    template = genesys.get(
        f"{TRUNKS}/template", params={"trunkMetabaseId": "external_sip_pcv_byoc_carrier.json"}
    )
    missing = genesys.get(f"{TRUNKS}/template")

    properties = template.json()["properties"]
    assert template.json()["trunkType"] == "EXTERNAL"
    assert properties["trunk_transport_protocolVariant"]["value"]["default"] == "udp"
    assert properties["trunk_media_codec"]["value"]["instance"] == ["audio/opus", "audio/pcmu", "audio/pcma"]
    for key in (
        "trunk_sip_termination_uri",
        "trunk_access_acl_allowList",
        "trunk_outboundIdentity_callingName",
    ):
        assert key in properties
    assert_error_body(missing, 400, "bad.request", "trunkMetabaseId is required")


def test_created_trunk_is_active_at_version_1_and_hides_its_digest_password(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    trunk = create_trunk(genesys, account)

    assert (trunk["version"], trunk["state"]) == (1, "active")
    assert trunk["selfUri"] == f"{TRUNKS}/{trunk['id']}"
    assert trunk["inboundSite"]["id"] == account["site_id"]
    properties = trunk["properties"]
    assert properties["trunk_sip_termination_uri"]["value"]["instance"] == "pb-acme"
    assert properties["trunk_transport_protocolVariant"]["value"]["instance"] == "udp"
    fetched = genesys.get(f"{TRUNKS}/{trunk['id']}")
    assert (
        fetched.json()["properties"]["trunk_sip_authentication_credentials_password"]["value"]["instance"]
        is None
    )
    assert "digest-secret" not in fetched.text


def test_missing_name_bad_trunk_type_and_missing_site_are_refused(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    no_name = trunk_body(account["site_id"])
    del no_name["name"]
    phone = {**trunk_body(account["site_id"]), "trunkType": "PSTN"}
    no_site = trunk_body(account["site_id"])
    del no_site["inboundSite"]
    unknown_site = {**trunk_body(account["site_id"]), "inboundSite": {"id": "nope"}}

    body = assert_error_body(genesys.post(TRUNKS, json=no_name), 400, "bad.request", "name is required")
    assert [e["message"] for e in body["errors"]] == ["name is required"]
    assert_error_body(genesys.post(TRUNKS, json=phone), 400, "bad.request", "trunkType must be one of")
    assert_error_body(genesys.post(TRUNKS, json=no_site), 400, "bad.request", "inboundSite is required")
    assert_error_body(genesys.post(TRUNKS, json=unknown_site), 400, "bad.request", "Site nope not found")
    assert genesys.get(TRUNKS, params=OURS).json()["total"] == 0


def test_property_rules_are_enforced(genesys: httpx.Client, account: dict[str, Any]) -> None:
    site = account["site_id"]
    unknown = trunk_body(site, trunk_outbound_fqdn="x.example")
    no_proxies = trunk_body(site, trunk_transport_serverProxyList=[])
    long_name = trunk_body(site, trunk_outboundIdentity_callingName="A" * 41)
    bad_cidr = trunk_body(site, trunk_access_acl_allowList=["34.138.86.8/33"])
    bad_shape = trunk_body(site)
    bad_shape["properties"]["trunk_enabled"] = {"instance": True}

    assert_error_body(
        genesys.post(TRUNKS, json=unknown), 400, "bad.request", "Unknown property trunk_outbound_fqdn"
    )
    assert_error_body(genesys.post(TRUNKS, json=no_proxies), 400, "bad.request", "at least 1 elements")
    assert_error_body(
        genesys.post(TRUNKS, json=long_name), 400, "bad.request", "callingName.value.instance must match"
    )
    assert_error_body(genesys.post(TRUNKS, json=bad_cidr), 400, "bad.request", "CIDR")
    assert_error_body(genesys.post(TRUNKS, json=bad_shape), 400, "bad.request", "trunk_enabled must be")


def test_an_allow_all_acl_is_accepted_but_recorded(
    genesys: httpx.Client, account: dict[str, Any], sandbox_server: SandboxServer
) -> None:
    trunk = create_trunk(genesys, account, trunk_access_acl_allowList=["0.0.0.0/0"])

    recorded = sandbox_server.sandbox.stand_in("genesys").allow_all_acls

    assert recorded == [{"trunk_id": trunk["id"], "name": "pb-acme-support-trunk", "cidr": "0.0.0.0/0"}]


def test_put_with_a_stale_version_is_a_409_and_with_the_current_one_bumps_it(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    trunk = create_trunk(genesys, account)
    body = {**trunk_body(account["site_id"]), "version": 1, "description": "first edit"}

    first = genesys.put(f"{TRUNKS}/{trunk['id']}", json=body)
    stale = genesys.put(f"{TRUNKS}/{trunk['id']}", json={**body, "description": "second edit"})

    assert (first.status_code, first.json()["version"], first.json()["description"]) == (200, 2, "first edit")
    assert_error_body(stale, 409, "general.conflict", "version mismatch")
    assert genesys.get(f"{TRUNKS}/{trunk['id']}").json()["description"] == "first edit"
    no_version = genesys.put(f"{TRUNKS}/{trunk['id']}", json=trunk_body(account["site_id"]))
    assert_error_body(no_version, 400, "bad.request", "version is required")


def test_delete_is_soft_then_the_trunk_is_gone(
    genesys: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    trunk = create_trunk(genesys, account)

    deleted = genesys.delete(f"{TRUNKS}/{trunk['id']}")
    listed = genesys.get(TRUNKS, params=OURS).json()["entities"]
    reads = [genesys.get(f"{TRUNKS}/{trunk['id']}") for _ in range(3)]

    assert deleted.status_code == 204
    assert [(t["id"], t["state"]) for t in listed] == [(trunk["id"], "deleted")]
    assert [r.status_code for r in reads] == [200, 200, 404]
    assert reads[0].json()["state"] == "deleted"
    assert genesys.get(TRUNKS, params=OURS).json()["total"] == 0
    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["objects"]
    assert [o["name"] for o in objects if o["type"] == "genesys.trunkbase"] == [MANAGED_TRUNK]


def test_a_deleted_name_can_be_reused_but_a_live_one_cannot(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    trunk = create_trunk(genesys, account)

    duplicate = genesys.post(TRUNKS, json=trunk_body(account["site_id"]))
    genesys.delete(f"{TRUNKS}/{trunk['id']}")
    reused = genesys.post(TRUNKS, json=trunk_body(account["site_id"]))

    assert_error_body(duplicate, 400, "bad.request", "already exists")
    assert reused.status_code == 200


def test_list_pages_and_filters_by_name_prefix(genesys: httpx.Client, account: dict[str, Any]) -> None:
    for name in ("pb-acme-a", "pb-acme-b", "pb-acme-c", "other-trunk"):
        create_trunk(genesys, account, name=name)

    page = genesys.get(TRUNKS, params={"name": "pb-acme*", "pageSize": 2, "pageNumber": 2}).json()
    exact = genesys.get(TRUNKS, params={"name": "other-trunk"}).json()
    too_big = genesys.get(TRUNKS, params={"pageSize": 1000})

    assert (page["total"], page["pageCount"], page["pageNumber"]) == (3, 2, 2)
    assert [t["name"] for t in page["entities"]] == ["pb-acme-c"]
    assert "nextUri" not in page
    assert [t["name"] for t in exact["entities"]] == ["other-trunk"]
    assert_error_body(too_big, 400, "bad.request", "pageSize must not be greater than 100")


def test_another_org_cannot_see_the_trunk(
    genesys: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    trunk = create_trunk(genesys, account)
    other = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"}).json()
    headers = {"Authorization": f"Bearer {get_token(sandbox_url, other)}"}

    response = httpx.get(f"{sandbox_url}/genesys{TRUNKS}/{trunk['id']}", headers=headers)

    assert_error_body(response, 404, "not.found")


def test_unknown_path_is_404_and_wrong_method_is_405(genesys: httpx.Client) -> None:
    assert_error_body(genesys.get("/api/v2/telephony/providers/edges/phones"), 404, "not.found")
    wrong = genesys.patch(TRUNKS)
    assert_error_body(wrong, 405, "method.not.allowed")
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_the_byoc_fqdn_answers_sip_only_from_the_trunks_acl(
    genesys: httpx.Client, account: dict[str, Any], sandbox_server: SandboxServer
) -> None:
    """Issue 12.8: a BYOC trunk takes SIP only from its access ACL, so a probe from elsewhere is ignored."""
    create_trunk(genesys, account, trunk_access_acl_allowList=["34.138.86.8/32"])
    sandbox = sandbox_server.sandbox
    host = f"pb-acme.{byoc_domain(account['region'])}"

    assert source_allowed(sandbox, "genesys", host, "34.138.86.8")
    assert not source_allowed(sandbox, "genesys", host, "203.0.113.9")
    assert not source_allowed(sandbox, "genesys", f"other.{byoc_domain(account['region'])}", "34.138.86.8")
    assert source_allowed(sandbox, "vapi", "sip.vapi.ai", "203.0.113.9")  # a public edge answers anyone
