"""The sandbox's Genesys: site number plans, and a simulated call routed by them as Genesys routes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.core.server import SandboxServer
from sandbox.tests.genesys_support import (
    SITES,
    TRUNKS,
    assert_error_body,
    create_trunk,
    get_token,
    route_body,
    trunk_body,
)

NUMBER = "+14155550123"


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"}).json()


@pytest.fixture
def genesys(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {get_token(sandbox_url, account)}"}
    with httpx.Client(base_url=f"{sandbox_url}/genesys", headers=headers, timeout=10) as client:
        yield client


def call(sandbox_url: str, to: str, **extra: Any) -> dict[str, Any]:
    body = {"via": "genesys", "from": "+15105550101", "to": to, **extra}
    response = httpx.post(f"{sandbox_url}/_sandbox/calls", json=body, timeout=30)
    assert response.status_code in (200, 400), response.text
    return response.json()


def synthflow_plan(numbers: list[str], name: str = "pb-acme-route") -> dict[str, Any]:
    return {
        "name": name,
        "classification": name,
        "matchType": "e164NumberList",
        "numbers": [{"start": n, "end": n} for n in numbers],
    }


def route_the_number_to(genesys: httpx.Client, account: dict[str, Any], trunk_id: str) -> None:
    """A plan for NUMBER first in the site's list, and a route for its classification alone."""
    plans = f"{SITES}/{account['site_id']}/numberplans"
    current = genesys.get(plans).json()
    genesys.put(plans, json=[synthflow_plan([NUMBER]), *current]).raise_for_status()
    body = {**route_body([trunk_id]), "classificationTypes": ["pb-acme-route"]}
    genesys.post(f"{SITES}/{account['site_id']}/outboundroutes", json=body).raise_for_status()


def test_a_site_starts_with_the_default_plans_and_a_put_replaces_the_list_in_priority_order(
    genesys: httpx.Client, account: dict[str, Any]
) -> None:
    plans = f"{SITES}/{account['site_id']}/numberplans"
    defaults = genesys.get(plans).json()

    put = genesys.put(plans, json=[synthflow_plan([NUMBER]), *defaults[1:]])
    stale = genesys.put(plans, json=defaults[1:])  # Extension is at version 2 now

    assert [p["name"] for p in defaults] == [
        "Emergency", "Extension", "National", "International", "Network", "Suicide Prevention",
    ]  # fmt: skip
    assert put.status_code == 200, put.text
    assert [(p["name"], p["priority"]) for p in put.json()][:2] == [("pb-acme-route", 1), ("Extension", 2)]
    assert put.json()[1]["version"] == 2 and put.json()[0]["version"] == 1
    assert_error_body(stale, 409, "general.conflict", "version mismatch")


@pytest.mark.parametrize(
    ("plan", "fragment"),
    [
        ({**synthflow_plan(["4155550123"])}, "numbers must be E.164 numbers with a +"),
        ({**synthflow_plan([NUMBER]), "matchType": "phoneList"}, "matchType must be one of"),
        ({**synthflow_plan([NUMBER]), "classification": ""}, "classification is required"),
        ({**synthflow_plan([NUMBER]), "numbers": [{"start": NUMBER, "end": "+1415555012"}]}, "same length"),
        ({**synthflow_plan([NUMBER]), "priorityGroup": 1}, "priorityGroup is not an attribute of NumberPlan"),
    ],
)
def test_number_plan_rules(
    genesys: httpx.Client, account: dict[str, Any], plan: dict[str, Any], fragment: str
) -> None:
    refused = genesys.put(f"{SITES}/{account['site_id']}/numberplans", json=[plan])

    assert_error_body(refused, 400, "bad.request", fragment)


def test_an_empty_calling_address_is_refused(genesys: httpx.Client, account: dict[str, Any]) -> None:
    address = "trunk_outboundIdentity_callingAddress"
    empty = genesys.post(TRUNKS, json=trunk_body(account["site_id"], "pb-empty", **{address: ""}))
    kept = genesys.post(TRUNKS, json=trunk_body(account["site_id"], "pb-full", **{address: NUMBER}))

    assert_error_body(empty, 400, "bad.request", address)
    assert kept.status_code == 200, kept.text


def test_the_managed_pstn_trunk_cannot_be_changed(genesys: httpx.Client) -> None:
    [pstn] = genesys.get(TRUNKS, params={"managed": "true"}).json()["entities"]

    changed = genesys.put(f"{TRUNKS}/{pstn['id']}", json={**pstn, "description": "mine"})
    deleted = genesys.delete(f"{TRUNKS}/{pstn['id']}")

    for refused in (changed, deleted):
        assert_error_body(refused, 400, "bad.request", "managed by Genesys Cloud")


def test_a_call_follows_the_number_plans_and_routes_not_a_trunk_hint(
    sandbox_url: str, genesys: httpx.Client, account: dict[str, Any]
) -> None:
    ordinary = call(sandbox_url, NUMBER)
    trunk = create_trunk(genesys, account, trunk_transport_serverProxyList=["sip.example.net:5060"])
    route_the_number_to(genesys, account, trunk["id"])
    routed = call(sandbox_url, NUMBER)
    other = call(sandbox_url, "+14155550199")
    hinted = call(sandbox_url, NUMBER, trunk=trunk["name"])

    assert (ordinary["classification"], ordinary["route"]["name"]) == ("National", "Default Outbound Route")
    assert (ordinary["trunk"]["name"], ordinary["far_end"], ordinary["status"]) == (
        "PureCloud Voice - AWS", "pstn", 480,
    )  # fmt: skip
    assert (routed["classification"], routed["trunk"]["id"]) == ("pb-acme-route", trunk["id"])
    assert (routed["far_end"], routed["status"]) == ("sip.example.net", 408)
    assert other["far_end"] == "pstn"
    assert "unknown field(s) trunk" in hinted["detail"]


def test_the_request_uri_host_is_the_outbound_termination_fqdn_else_the_servers_address(
    sandbox_url: str, genesys: httpx.Client, account: dict[str, Any]
) -> None:
    trunk = create_trunk(genesys, account)  # Synthflow's edge, no outbound termination FQDN
    route_the_number_to(genesys, account, trunk["id"])
    without = call(sandbox_url, NUMBER)
    current = genesys.get(f"{TRUNKS}/{trunk['id']}").json()
    instances = {
        k: v["value"]["instance"] for k, v in current["properties"].items() if v["value"]["instance"]
    }
    instances["trunk_sip_termination_outbound_fqdn"] = "sip.synthflow.ai"
    body = {**{k: current[k] for k in ("name", "trunkMetabase", "trunkType", "version", "inboundSite")}}
    body["properties"] = {k: {"value": {"instance": v}} for k, v in instances.items()}
    genesys.put(f"{TRUNKS}/{trunk['id']}", json=body).raise_for_status()
    with_fqdn = call(sandbox_url, NUMBER)

    assert without["request_uri"] == f"sip:{NUMBER}@198.51.100.32:32681"
    assert (without["far_end"], without["status"]) == ("synthflow", 404)  # Synthflow wants its host name
    assert with_fqdn["request_uri"] == f"sip:{NUMBER}@sip.synthflow.ai:32681"


def test_every_answer_names_its_far_end_even_when_no_sip_left(
    sandbox_url: str, account: dict[str, Any]
) -> None:
    unclassified = call(sandbox_url, "+1234")

    assert unclassified["status"] == 404 and "classifies +1234" in unclassified["detail"]
    assert unclassified["far_end"] == ""


def test_a_dynamic_cloud_voice_trunk_answers_at_its_platforms_byoc_fqdn(
    sandbox_url: str, sandbox_server: SandboxServer
) -> None:
    dynamic = httpx.post(
        f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys", "platform": "dynamic_cloud_voice"}
    ).json()
    headers = {"Authorization": f"Bearer {get_token(sandbox_url, dynamic)}"}
    with httpx.Client(base_url=f"{sandbox_url}/genesys", headers=headers, timeout=10) as genesys:
        trunk = create_trunk(genesys, dynamic)
        template = genesys.get(f"{TRUNKS}/template", params={"trunkMetabaseId": trunk["trunkMetabase"]["id"]})
    stand_in: Any = sandbox_server.sandbox.stand_in("genesys")

    assert (
        template.json()["properties"]["trunk_routing_outbound_higher_capacity"]["value"]["instance"] is True
    )
    assert stand_in.trunk_for_byoc_host("pb-acme.byoc.usw2.genesys.cloud")["id"] == trunk["id"]
    assert stand_in.trunk_for_byoc_host("pb-acme.byoc.usw2.pure.cloud") is None
