"""Vapi conformance: Vapi's own SDK (`vapi_server_sdk`) is the reference, not ours.

(a) Every request Patchbay's Vapi client sends validates against the SDK's request type for the
operation (CreateByoSipTrunkCredentialDto with its `provider` tag, UpdateByoSipTrunkCredentialDto,
the phone-number request unions by `provider`): unknown fields, wrong types, unknown enum values
and a missing union tag fail. (b) Every answer the sandbox's Vapi gives parses strictly into the
SDK's answer type (ByoSipTrunkCredential, the phone-number answer unions, Assistant): unknown or
missing required fields fail. The exchanges are captured on the wire by an httpx event hook on
Patchbay's pooled client. The same checks run for every other test too: the `sandbox_url`
fixture fails a test whose Vapi exchanges depart from the SDK (sandbox/vapi/conformance.py).
The route table is also held to the SDK's own clients: path and HTTP method.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from integrations.tests.resource_harness import Node
from integrations.vendors.errors import NotFound
from integrations.vendors.http import pooled_client
from integrations.vendors.vapi import Gateway, VapiClient
from sandbox.vapi import sdk_types
from sandbox.vapi.stand_in import ROUTES

#: every operation Patchbay's Vapi client uses (integrations/vendors/vapi.py)
PATCHBAY_OPERATIONS = {
    "CreateCredential",
    "ListCredentials",
    "GetCredential",
    "UpdateCredential",
    "DeleteCredential",
    "CreatePhoneNumber",
    "ListPhoneNumbers",
    "GetPhoneNumber",
    "UpdatePhoneNumber",
    "DeletePhoneNumber",
}


@dataclass
class Exchange:
    """One request Patchbay's client sent and the answer it got, as seen on the wire."""

    operation: str
    body: Any
    status: int
    answer: Any


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    settings.VAPI_BASE_URL = f"{sandbox_url}/vapi"
    settings.VENDOR_RETRY_BASE_SECONDS = 0.01
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"}, timeout=10).json()


@pytest.fixture
def wire(account: dict[str, str]) -> Iterator[list[Exchange]]:
    """Every Vapi exchange of Patchbay's pooled client during the test, named by operation."""
    seen: list[Exchange] = []

    def record(response: httpx.Response) -> None:
        response.read()
        request = response.request
        path = request.url.path.removeprefix("/vapi")
        match = ROUTES.match(request.method, path)
        assert match.route is not None, f"Patchbay called {request.method} {path}, not a Vapi operation"
        seen.append(
            Exchange(
                operation=match.route.operation,
                body=json.loads(request.content) if request.content else None,
                status=response.status_code,
                answer=response.json() if response.content else None,
            )
        )

    hooks = pooled_client("vapi").event_hooks
    hooks["response"].append(record)
    yield seen
    hooks["response"].remove(record)


def _drive_patchbay(client: VapiClient, assistant_id: str) -> None:
    """Patchbay's Vapi resource types through create, drift, update and delete, as the engine runs them."""
    clients = SimpleNamespace(vapi=client)
    gateways = [
        {"ip": "3.80.16.0", "netmask": 24, "port": 5060, "inbound_enabled": True, "outbound_enabled": False},
        {"ip": "3.80.17.0", "netmask": 24, "port": 5060, "inbound_enabled": True, "outbound_enabled": False},
    ]
    credential = Node("vapi.credential", "pb-acme-front-desk-cred", {"gateways": gateways}, clients)
    credential.observe()  # by name: the list
    credential.create()
    credential.spec = {"gateways": gateways[:1]}
    credential.update(credential.observe().diff)
    spec = {"number": "patchbay", "credential_id": credential.external_id, "assistant_id": assistant_id}
    number = Node("vapi.phone_number", "pb-acme-front-desk-number", spec, clients)
    number.observe()
    number.create()
    number.spec = {**spec, "number": "patchbay2"}
    number.update(number.observe().diff)
    number.delete()
    credential.delete()
    with pytest.raises(NotFound):
        client.get_credential("00000000-0000-4000-8000-000000000000")
    client.list_credentials()
    client.create_credential("pb-conformance", [Gateway(ip="99.77.253.0", netmask=24)])


def test_patchbay_requests_and_sandbox_answers_are_the_sdks_types(
    account: dict[str, str], wire: list[Exchange]
) -> None:
    _drive_patchbay(VapiClient(account["api_key"], "us"), account["assistant_id"])

    assert {e.operation for e in wire} == PATCHBAY_OPERATIONS, PATCHBAY_OPERATIONS ^ {
        e.operation for e in wire
    }
    found = []
    for exchange in wire:
        if exchange.body is not None or sdk_types.SDK_OPERATIONS[exchange.operation][0] is not None:
            found += [
                f"request {exchange.operation}: {p}"
                for p in sdk_types.request_problems(exchange.operation, exchange.body)
            ]
        if exchange.status < 400:
            found += [
                f"answer {exchange.operation}: {p}"
                for p in sdk_types.answer_problems(exchange.operation, exchange.answer)
            ]
    assert found == []
    assert [e.status for e in wire if e.status >= 400] == [404]


def test_every_sandbox_answer_of_every_operation_parses_into_the_sdk(
    sandbox_server: Any, sandbox_url: str, account: dict[str, str]
) -> None:
    """Routes Patchbay does not use (the v2 list, an E.164-checked number) answer in the SDK's types."""
    base, auth = f"{sandbox_url}/vapi", {"Authorization": f"Bearer {account['api_key']}"}
    credential = httpx.post(
        f"{base}/credential",
        headers=auth,
        json={"provider": "byo-sip-trunk", "gateways": [{"ip": "99.77.253.0", "netmask": 24}]},
    ).json()
    body = {"provider": "byo-phone-number", "credentialId": credential["id"], "number": "+14155550100"}
    httpx.post(f"{base}/phone-number", headers=auth, json=body).raise_for_status()
    httpx.get(f"{base}/v2/phone-number", headers=auth, params={"limit": 10}).raise_for_status()
    # The sandbox_url fixture fails the test on any answer that departs from the SDK's types.
    checked = sandbox_server.sandbox.stand_in("vapi").conformance.checked
    assert {"CreateCredential", "CreatePhoneNumber", "ListPhoneNumbersPaginated"} <= set(checked)


def test_every_route_is_the_sdk_clients_path_and_method() -> None:
    """For the SDK's phone-number client: each sandbox route is the call the SDK makes (the SDK has no
    credential client; its assistant client is left out, see sandbox/vapi/sdk_types.py)."""
    from vapi import Vapi

    sent: list[tuple[str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append((request.method, request.url.path))
        return httpx.Response(200, json={} if "phone-number" not in request.url.path else [])

    http = httpx.Client(transport=httpx.MockTransport(answer))
    sdk = Vapi(token="t", base_url="http://sdk.test", httpx_client=http)
    calls = {
        "ListPhoneNumbers": lambda: sdk.phone_numbers.list(),
        "GetPhoneNumber": lambda: sdk.phone_numbers.get("ID"),
        "DeletePhoneNumber": lambda: sdk.phone_numbers.delete("ID"),
        "ListPhoneNumbersPaginated": lambda: sdk.phone_numbers.phone_number_controller_find_all_paginated(),
    }
    templates = {r.operation: (r.method, r.template) for r in ROUTES.routes}
    for operation, call in calls.items():
        sent.clear()
        with contextlib.suppress(Exception):  # the SDK may dislike the empty answer; the request counts
            call()
        method, path = sent[-1]
        assert (method, re.sub(r"/ID$", "/{id}", path)) == templates[operation], operation


def test_the_strict_reading_finds_unknown_and_missing_fields_and_unknown_values() -> None:
    """The checker itself: what the SDK's types do not have is a problem, what they need is required."""
    body = {"provider": "byo-sip-trunk", "gateways": [{"port": "5060", "netmask": 24}], "sbc": {}}
    assert sdk_types.request_problems("CreateCredential", body) == [
        "sbc is not a field of CreateByoSipTrunkCredentialDto",
        "gateways[0].ip is required in SipTrunkGateway",
        "gateways[0].port must be float, got str",
    ]
    # A phone-number PATCH is a union by provider: without it the SDK cannot tell which.
    assert sdk_types.request_problems("UpdatePhoneNumber", {"number": "x"}) == [
        "provider is required to tell which of "
        "['byo-phone-number', 'telnyx', 'twilio', 'vapi', 'vonage'] this is"
    ]
    number = {"id": "i", "orgId": "o", "provider": "byo-phone-number", "credentialId": "c"}
    stamps = {"createdAt": "2024-01-02T03:04:05.678Z", "updatedAt": "2024-01-02T03:04:05.678Z"}
    assert sdk_types.answer_problems("GetPhoneNumber", {**number, **stamps, "status": "ringing"}) == [
        "status 'ringing' is not one of ['active', 'activating', 'blocked']"
    ]
    assert sdk_types.answer_problems("GetCredential", {"id": "i", "gateways": []}) == [
        "orgId is required in ByoSipTrunkCredential",
        "createdAt is required in ByoSipTrunkCredential",
        "updatedAt is required in ByoSipTrunkCredential",
    ]
