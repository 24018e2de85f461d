"""Genesys sites, outbound routes, SIP traces and the per-token rate limit, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.core.server import SandboxServer
from sandbox.genesys import GenesysStandIn
from sandbox.tests.genesys_support import (
    SITES,
    TRUNKS,
    assert_error_body,
    create_trunk,
    get_token,
    route_body,
)


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    """A fresh org: `{client_id, client_secret, region, site_id}`."""
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"}).json()


@pytest.fixture
def genesys(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client of the sandbox's Genesys API with a fresh bearer token."""
    headers = {"Authorization": f"Bearer {get_token(sandbox_url, account)}"}
    with httpx.Client(base_url=f"{sandbox_url}/genesys", headers=headers, timeout=10) as client:
        yield client


def test_the_org_has_the_managed_site_and_its_own_site_with_a_default_pstn_route(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    listed = genesys.get(SITES, params={"name": "PureCloud*"}).json()
    managed = genesys.get(f"{SITES}/{account['managed_site_id']}").json()
    own = genesys.get(f"{SITES}/{account['site_id']}").json()
    routes = genesys.get(f"{SITES}/{account['site_id']}/outboundroutes").json()["entities"]

    assert [s["id"] for s in listed["entities"]] == [account["managed_site_id"]]
    assert (managed["name"], managed["managed"]) == ("PureCloud Voice - AWS", True)
    assert own["managed"] is False and own["location"]["id"]
    assert [(r["name"], r["classificationTypes"]) for r in routes] == [
        ("Default Outbound Route", ["Emergency", "National", "International", "Network"])
    ]
    assert [t["name"] for t in routes[0]["externalTrunkBases"]] == ["PureCloud Voice - AWS"]
    assert_error_body(genesys.get(f"{SITES}/no-such-site"), 404, "not.found")


def test_a_managed_site_refuses_changes_to_its_routes_and_number_plans(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    site = account["managed_site_id"]
    trunk = create_trunk(genesys, account)
    default = genesys.get(f"{SITES}/{site}/outboundroutes").json()["entities"][0]
    plans = genesys.get(f"{SITES}/{site}/numberplans").json()

    created = genesys.post(f"{SITES}/{site}/outboundroutes", json=route_body([trunk["id"]]))
    changed = genesys.put(
        f"{SITES}/{site}/outboundroutes/{default['id']}", json={**default, "enabled": False}
    )
    deleted = genesys.delete(f"{SITES}/{site}/outboundroutes/{default['id']}")
    replanned = genesys.put(f"{SITES}/{site}/numberplans", json=plans[:1])

    for refused in (created, changed, deleted, replanned):
        assert_error_body(refused, 400, "bad.request", "PureCloud Voice - AWS is managed by Genesys Cloud")
    assert genesys.get(f"{SITES}/{site}/numberplans").json() == plans


def test_a_classification_belongs_to_one_route_of_the_site(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    trunk = create_trunk(genesys, account)
    routes = f"{SITES}/{account['site_id']}/outboundroutes"

    taken = genesys.post(routes, json={**route_body([trunk["id"]]), "classificationTypes": ["National"]})
    free = genesys.post(routes, json=route_body([trunk["id"]]))

    assert_error_body(taken, 400, "bad.request", "National is already assigned to outbound route Default")
    assert free.status_code == 200, free.text


def test_outbound_route_lifecycle_on_the_site(genesys: httpx.Client, account: dict[str, Any]) -> None:
    trunk = create_trunk(genesys, account)
    routes = f"{SITES}/{account['site_id']}/outboundroutes"

    created = genesys.post(routes, json=route_body([trunk["id"]]))
    route = created.json()
    updated = genesys.put(f"{routes}/{route['id']}", json=route_body([trunk["id"]], version=1, enabled=False))
    stale = genesys.put(f"{routes}/{route['id']}", json=route_body([trunk["id"]], version=1))
    listed = genesys.get(routes).json()
    deleted = genesys.delete(f"{routes}/{route['id']}")

    assert created.status_code == 200
    assert (route["version"], route["distribution"]) == (1, "SEQUENTIAL")
    assert route["externalTrunkBases"] == [
        {"id": trunk["id"], "name": "pb-acme-support-trunk", "selfUri": f"{TRUNKS}/{trunk['id']}"}
    ]
    assert (updated.json()["version"], updated.json()["enabled"]) == (2, False)
    assert_error_body(stale, 409, "general.conflict", "version mismatch")
    assert [r["name"] for r in listed["entities"]] == ["Default Outbound Route", "pb-acme-route"]
    assert deleted.status_code == 204
    assert_error_body(genesys.get(f"{routes}/{route['id']}"), 404, "not.found")


def test_route_needs_classification_types_and_existing_external_trunks(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    routes = f"{SITES}/{account['site_id']}/outboundroutes"
    trunk = create_trunk(genesys, account)
    genesys.delete(f"{TRUNKS}/{trunk['id']}")

    missing = genesys.post(routes, json={"name": "pb-r"})
    bad_distribution = genesys.post(routes, json=route_body([], distribution="ROUND_ROBIN"))
    deleted_trunk = genesys.post(routes, json=route_body([trunk["id"]]))
    unknown_site = genesys.post(f"{SITES}/nope/outboundroutes", json=route_body([]))

    assert_error_body(missing, 400, "bad.request", "classificationTypes is required")
    assert_error_body(bad_distribution, 400, "bad.request", "distribution must be one of")
    assert_error_body(deleted_trunk, 400, "bad.request", "does not exist")
    assert_error_body(unknown_site, 404, "not.found")


def test_a_trunk_in_use_by_a_route_cannot_be_deleted(genesys: httpx.Client, account: dict[str, Any]) -> None:
    trunk = create_trunk(genesys, account)
    routes = f"{SITES}/{account['site_id']}/outboundroutes"
    route = genesys.post(routes, json=route_body([trunk["id"]])).json()

    refused = genesys.delete(f"{TRUNKS}/{trunk['id']}")
    genesys.delete(f"{routes}/{route['id']}")
    allowed = genesys.delete(f"{TRUNKS}/{trunk['id']}")

    assert_error_body(refused, 400, "general.resource.in.use", "pb-acme-route")
    assert genesys.get(f"{TRUNKS}/{trunk['id']}").json()["state"] == "deleted"
    assert allowed.status_code == 204


def test_sip_traces_are_empty_until_a_call_adds_them_then_filter_by_call_id(
    genesys: httpx.Client, account: dict[str, Any], sandbox_server: SandboxServer
) -> None:
    window = {"dateStart": "2020-01-01T00:00:00Z", "dateEnd": "2100-01-01T00:00:00.000Z"}
    by_number = {**window, "toUser": "+14155550100"}
    assert genesys.get("/api/v2/telephony/siptraces", params=by_number).json() == {"count": 0, "data": []}
    stand_in = sandbox_server.sandbox.stand_in("genesys")
    assert isinstance(stand_in, GenesysStandIn)
    trunk = create_trunk(genesys, account)
    org_id = stand_in.trunk_for_byoc_host("pb-acme.byoc.usw2.pure.cloud")["orgId"]

    stand_in.append_sip_traces(
        org_id,
        [
            {"callid": "call-1", "method": "INVITE", "toUser": "+14155550100", "msg": "INVITE sip:..."},
            {"callid": "call-1", "method": "200", "msg": "SIP/2.0 200 OK"},
            {"callid": "call-2", "method": "INVITE", "msg": "INVITE sip:..."},
        ],
    )
    found = genesys.get("/api/v2/telephony/siptraces", params={**window, "callId": "call-1"}).json()
    missing = genesys.get("/api/v2/telephony/siptraces", params={"dateEnd": window["dateEnd"]})
    unfiltered = genesys.get("/api/v2/telephony/siptraces", params=window)

    assert trunk["id"]
    assert found["count"] == 2
    assert [m["method"] for m in found["data"]] == ["INVITE", "200"]
    assert_error_body(missing, 400, "bad.request", "dateStart is required")
    assert_error_body(unfiltered, 400, "bad.request", "one of callId, conversationId, toUser or fromUser")


def test_requests_past_the_rate_limit_get_429_with_retry_after(
    genesys: httpx.Client, account: dict[str, Any], sandbox_url: str
) -> None:
    httpx.post(
        f"{sandbox_url}/_sandbox/options", json={"genesys": {"rate_limit_per_minute": 3}}
    ).raise_for_status()

    answers = [genesys.get(SITES) for _ in range(4)]
    fresh = httpx.get(
        f"{sandbox_url}/genesys{SITES}",
        headers={"Authorization": f"Bearer {get_token(sandbox_url, account)}"},
    )

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert_error_body(answers[-1], 429, "too.many.requests", "[3] requests")
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert fresh.status_code == 200


def test_an_injected_throttle_answers_429_with_retry_after(genesys: httpx.Client, sandbox_url: str) -> None:
    fault = {"vendor": "genesys", "operation": "ListSites", "mode": "throttle"}
    httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault).raise_for_status()

    throttled = genesys.get(SITES)
    after = genesys.get(SITES)

    assert_error_body(throttled, 429, "too.many.requests")
    assert throttled.headers["Retry-After"] == "1"
    assert after.status_code == 200
