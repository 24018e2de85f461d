"""Genesys conformance: Genesys's own SDK (`PureCloudPlatformClientV2`) is the reference, not ours.

(a) Every request Patchbay's Genesys client sends validates against the SDK's model for that
operation (unknown attributes, wrong types and unknown enum values fail). Here the trunk and
outbound route resource types and the client run their whole lifecycle against the sandbox and
every body they send is checked; everywhere else in the suite the sandbox's Genesys refuses a
body the SDK's model does not accept, so a non-conforming request fails whatever test sends it.
(b) Every answer the sandbox's Genesys gives parses strictly into the SDK's answer model for the
operation (unknown or missing required fields fail); its errors parse as the SDK's ErrorBody.
The operation → SDK method table is checked against the SDK itself: path and HTTP method.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from integrations.tests.resource_harness import Node
from integrations.vendors.errors import NotFound
from integrations.vendors.genesys import GenesysClient
from sandbox.genesys import sdk_models
from sandbox.genesys.sdk_models import SDK_OPERATIONS
from sandbox.genesys.stand_in import ROUTES
from testing import resets

NUMBER = "+14155550123"
SITES = "/api/v2/telephony/providers/edges/sites"


class Exchanges:
    """Every request a client sent and the answer it got, as seen on the wire."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def record(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        path = request.url.path.removeprefix("/genesys")
        if path == "/oauth/token":
            return  # the login host's OAuth answer is not an SDK model
        matched = ROUTES.match(request.method, path).route
        self.seen.append(
            {
                "operation": matched.operation if matched else f"(no route) {request.method} {path}",
                "body": json.loads(request.content) if request.content else None,
                "status": response.status_code,
                "answer": response.json() if response.content else None,
            }
        )


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    settings.GENESYS_BASE_URL = f"{sandbox_url}/genesys"
    settings.GENESYS_LOGIN_URL = f"{sandbox_url}/genesys"
    settings.VENDOR_RETRY_BASE_SECONDS = 0.01
    resets.forget_tokens()
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "genesys"}, timeout=10).json()


def _recording_client(account: dict[str, str], exchanges: Exchanges) -> GenesysClient:
    client = GenesysClient(account["client_id"], account["client_secret"], account["region"])
    client.http = httpx.Client(event_hooks={"response": [exchanges.record]}, timeout=10)
    return client


def _trunk_spec(site_id: str) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "identifier": "pb-conformance",
        "outbound_fqdn": "sip.synthflow.ai",
        "servers": ["sip.synthflow.ai:32681"],
        "transport": "udp",
        "allow_list": ["34.138.86.8/32"],
        "credentials": {"realm": "sip.synthflow.ai", "username": "pb-user", "password": "pb-secret"},
        "caller_id_name": "Acme",
        "caller_id_address": NUMBER,
    }


def _drive_patchbay(client: GenesysClient, site_id: str) -> None:
    """Patchbay's Genesys resource types through create, drift, update and delete, as the engine runs them."""
    clients = SimpleNamespace(genesys=client)
    trunk = Node("genesys.trunk", "pb-conformance-trunk", _trunk_spec(site_id), clients)
    trunk.observe()
    trunk.create()
    trunk.spec = {**trunk.spec, "caller_id_name": "Acme Care"}
    trunk.update(trunk.observe().diff)
    route_spec = {"site_id": site_id, "trunk_id": trunk.external_id, "route_id": "", "numbers": [NUMBER]}
    route = Node("genesys.outbound_route", "pb-conformance-route", route_spec, clients)
    route.observe()
    route.create()
    route.spec = {**route.spec, "numbers": [NUMBER, "+14155550124"]}
    route.update(route.observe().diff)
    admins = client.create_outbound_route(
        site_id, {"name": "Admin AI route", "classificationTypes": ["AI agents"], "enabled": True}
    )
    joined = Node(
        "genesys.outbound_route", "pb-conformance-join", {**route_spec, "route_id": admins["id"]}, clients
    )
    joined.create()
    joined.delete()
    route.delete()
    trunk.delete()
    client.search_sip_traces(
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC), toUser=NUMBER
    )
    client.list_outbound_routes(site_id)
    client.delete_outbound_route(site_id, admins["id"])
    client.get(SITES)  # ListSites: not one Patchbay needs, but the sandbox serves it
    with pytest.raises(NotFound):
        client.get_trunk_base("no-such-trunk")


def test_every_sandbox_route_is_the_sdk_operation_it_names() -> None:
    """The path and method each Genesys route answers on are the SDK's for the method named."""
    for route in ROUTES.routes:
        if route.operation == "PostToken":
            continue
        api_class, method = SDK_OPERATIONS[route.operation]
        sdk = sdk_models.sdk_operation(api_class, method)
        assert (route.method, _shape(route.template)) == (sdk.method, _shape(sdk.path)), route.operation


def test_patchbay_requests_and_sandbox_answers_are_the_sdks_models(account: dict[str, str]) -> None:
    exchanges = Exchanges()
    client = _recording_client(account, exchanges)

    _drive_patchbay(client, account["site_id"])

    operations = {e["operation"] for e in exchanges.seen}
    assert operations == set(SDK_OPERATIONS), set(SDK_OPERATIONS) ^ operations
    found = []
    for exchange in exchanges.seen:
        api_class, method = SDK_OPERATIONS[exchange["operation"]]
        sdk = sdk_models.sdk_operation(api_class, method)
        if exchange["body"] is not None:
            found += [
                f"request {exchange['operation']}: {p}"
                for p in sdk_models.problems(exchange["body"], sdk.body)
            ]
        if exchange["status"] >= 400:
            found += [
                f"error {exchange['operation']}: {p}"
                for p in sdk_models.problems(exchange["answer"], "ErrorBody")
            ]
        elif exchange["answer"] is not None:
            found += [
                f"answer {exchange['operation']}: {p}"
                for p in sdk_models.problems(exchange["answer"], sdk.answer)
            ]
    assert found == []
    assert [e["status"] for e in exchanges.seen if e["status"] >= 400] == [404]


def test_the_strict_reading_finds_unknown_and_missing_fields_and_unknown_enum_values() -> None:
    """The checker itself: what the SDK's models do not have is a problem, what they need is required."""
    route = {"name": "r", "classificationTypes": ["X"], "site": {"id": "s"}, "distribution": "ROUND_ROBIN"}

    assert sdk_models.problems(route, "OutboundRouteBase") == [
        "site is not an attribute of OutboundRouteBase",
        "distribution 'ROUND_ROBIN' is not one of OutboundRouteBase's values",
    ]
    assert sdk_models.problems({"name": "Main Site"}, "Site") == ["location is required in Site"]
    assert sdk_models.problems([{"name": "p", "numbers": [{"start": 1}]}], "list[NumberPlan]") == [
        "[0].numbers[0].start must be str, got int"
    ]


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)
