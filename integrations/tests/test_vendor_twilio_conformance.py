"""Twilio conformance: Twilio's own Python library (`twilio`) is the reference, not ours.

(a) Every request Patchbay's Twilio client sends validates against the library's resource for that
operation: only parameters the library's `page`/`create`/`fetch`/`update`/`delete` take, spelled as it
spells them, with the ones it requires (sandbox/twilio/library_reference.py). Here the
`twilio.number_voice`, `twilio.ip_access_control_list` and `twilio.sip_domain` resource types and the
client run their whole lifecycle against the sandbox and every request is checked.
(b) Every answer the sandbox's Twilio gives parses strictly into the library's types: the
IncomingPhoneNumberInstance, IpAccessControlListInstance, IpAddressInstance, DomainInstance and
AuthCallsIpAccessControlListMappingInstance (no key it does not read, none it reads missing, dates it
parses, booleans and integers typed), the Page envelope, and TwilioRestException for errors.
(c) Every TwiML document the webhooks answer is one the library's VoiceResponse builder writes.
The operation → library method table is checked against the library itself: path and HTTP method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from integrations.tests.resource_harness import Node
from integrations.tests.twilio_webhook_world import TWILIO_NUMBER, WebhookWorld, add_fault
from integrations.vendors.errors import NotFound
from integrations.vendors.twilio import TwilioClient
from sandbox.twilio import library_reference
from sandbox.twilio.stand_in import ROUTES


class Exchanges:
    """Every request Patchbay's Twilio client sent and the answer it got, as seen on the wire."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def record(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        path = request.url.path.removeprefix("/twilio")
        matched = ROUTES.match(request.method, path).route
        params = (
            dict(parse_qsl(request.content.decode(), keep_blank_values=True))
            if request.method == "POST"
            else dict(request.url.params)
        )
        self.seen.append(
            {
                "operation": matched.operation if matched else f"(no route) {request.method} {path}",
                "params": params,
                "status": response.status_code,
                "text": response.text,
                "answer": response.json() if response.content else None,
            }
        )


@pytest.fixture
def account(sandbox_url: str, settings: Any) -> dict[str, str]:
    settings.TWILIO_BASE_URL = f"{sandbox_url}/twilio"
    body = {"vendor": "twilio", "phone_number": TWILIO_NUMBER}
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json=body, timeout=10).json()


def _drive_patchbay(client: TwilioClient) -> None:
    """Patchbay's Twilio resource type through create, drift, update and delete, as the engine runs it."""
    clients = SimpleNamespace(twilio=client)
    spec = {
        "phone_number": TWILIO_NUMBER,
        "voice_url": "https://patchbay.example.com/hooks/twilio/voice/abc",
        "voice_method": "POST",
        "voice_fallback_url": "https://patchbay.example.com/hooks/twilio/voice/abc",
        "voice_fallback_method": "POST",
    }
    node = Node("twilio.number_voice", "pb-conformance-voice", spec, clients)
    node.observe()
    node.create()
    node.spec = {**node.spec, "voice_method": "GET"}
    node.update(node.observe().diff)
    node.delete()
    client.list_numbers()
    client.get_number(node.external_id)
    with pytest.raises(NotFound):
        client.get_number("PN" + "f" * 32)
    _drive_sip(clients)


def _drive_sip(clients: SimpleNamespace) -> None:
    """The warm-transfer ingress: an IP ACL and a SIP Domain mapping it, through drift and teardown."""
    acl = Node("twilio.ip_access_control_list", "pb-conformance-acl", {"cidrs": ["34.138.86.8/32"]}, clients)
    acl.observe()
    acl.create()
    acl.spec = {"cidrs": ["34.138.86.8/32", "34.75.151.191/32"]}
    acl.update(acl.observe().diff)
    url = "https://patchbay.example.com/hooks/twilio/warm-transfer/abc"
    spec = {
        "domain_name": "pb-conformance.sip.twilio.com",
        "voice_url": url,
        "voice_method": "POST",
        "voice_fallback_url": url,
        "voice_fallback_method": "POST",
        "acl_sids": [acl.external_id],
    }
    domain = Node("twilio.sip_domain", "pb-conformance-domain", spec, clients)
    domain.observe()
    domain.create()
    domain.spec = {**spec, "voice_url": url + "?v=2", "acl_sids": []}
    domain.update(domain.observe().diff)  # an update and an unmapping
    acl.spec = {"cidrs": ["34.75.151.191/32"]}
    acl.update(acl.observe().diff)  # an entry removed
    domain.delete()
    acl.delete()


def test_every_sandbox_route_is_the_library_operation_it_names() -> None:
    for route in ROUTES.routes:
        library = library_reference.operation_request(route.operation)
        assert (route.method, _shape(route.template)) == (library.method, _shape(library.path)), (
            route.operation
        )


def test_patchbay_requests_and_sandbox_answers_are_the_librarys(account: dict[str, str]) -> None:
    exchanges = Exchanges()
    client = TwilioClient(account["account_sid"], account["auth_token"])
    client.http = httpx.Client(event_hooks={"response": [exchanges.record]}, timeout=10)

    _drive_patchbay(client)

    operations = {e["operation"] for e in exchanges.seen}
    assert operations == set(library_reference.OPERATIONS), operations
    found: list[str] = []
    for exchange in exchanges.seen:
        operation = exchange["operation"]
        found += [
            f"request {operation}: {p}"
            for p in library_reference.request_problems(operation, exchange["params"])
        ]
        resource = library_reference.RESOURCES[operation]
        if exchange["status"] >= 400:
            problems = library_reference.error_problems(exchange["status"], exchange["text"])
        elif operation.startswith("List"):
            problems = library_reference.page_problems(exchange["answer"], resource)
        elif operation.startswith("Delete"):
            # Twilio answers a delete 204 with no body (twilio-python's delete reads only the status).
            problems = [] if exchange["status"] == 204 and exchange["answer"] is None else ["not 204 empty"]
        else:
            problems = library_reference.instance_problems(exchange["answer"], "", resource)
        found += [f"answer {operation}: {p}" for p in problems]
    assert found == [], "\n".join(found)
    assert [e["status"] for e in exchanges.seen if e["status"] >= 400] == [404]


def test_every_twiml_answer_is_what_the_librarys_builder_writes(
    webhook_world: Callable[..., WebhookWorld],
) -> None:
    agent = "+14155550123"
    sip = webhook_world(config={"sip_headers": {"X-Caller": "From"}, "transfer_targets": [agent]})
    answers = [sip.post(sip.call_params()).content]
    refer_path = f"/hooks/twilio/refer/{sip.public_id}"
    answers.append(
        sip.post({**sip.call_params(), "ReferTransferTarget": f"<tel:{agent}>"}, path=refer_path).content
    )
    sip.reconfigure(prepare_inbound=True, fallback={"dial": "+14155550199"})
    answers.append(sip.post(sip.call_params()).content)  # prepared: X-EI S.<id>
    add_fault(
        sip.sandbox_url, vendor="synthflow", operation="PrepareInbound", mode="error", status=500, times=0
    )
    answers.append(sip.post(sip.call_params()).content)  # the fallback number
    sip.reconfigure(fallback={"say": "Sorry & goodbye <now>"})
    answers.append(sip.post(sip.call_params()).content)  # the fallback message
    assert [b"<Sip" in a for a in answers] == [True, False, True, False, False]

    assert [library_reference.twiml_problems(answer) for answer in answers] == [[]] * len(answers)


def test_the_strict_reading_finds_unknown_and_missing_fields() -> None:
    """The checker itself: what the library does not read is unknown, what it reads is required."""
    number = {"sid": "PN1", "account_sid": "AC1", "phone_number": TWILIO_NUMBER, "voice_uri": "x"}

    problems = library_reference.instance_problems(number)

    assert "voice_uri is not a field of IncomingPhoneNumberInstance" in problems
    assert "voice_url is missing (IncomingPhoneNumberInstance reads it)" in problems
    assert library_reference.page_problems({"numbers": [], "page": 0}) == [
        "the page's non-paging keys are ['numbers'], twilio-python needs exactly ['incoming_phone_numbers']"
    ]
    assert library_reference.request_problems("UpdateIncomingPhoneNumber", {"VoiceURL": "x"}) == [
        "VoiceURL is not a parameter of UpdateIncomingPhoneNumber in twilio-python"
    ]
    assert library_reference.twiml_problems("<Response><Dial referUri='x'>+1</Dial></Response>") == [
        "Response/Dial: referUri is not an attribute the builder knows"
    ]
    assert library_reference.error_problems(404, '{"detail": "gone"}') != []
    assert library_reference.request_problems("CreateSipIpAddress", {"IpAddress": "10.0.0.1"}) == [
        "CreateSipIpAddress needs friendly_name (twilio-python requires it)"
    ]
    domain = {"sid": "SD1", "domain_name": "x.sip.twilio.com", "secure": "false", "auth_type": "IP_ACL"}
    problems = library_reference.instance_problems(domain, "", library_reference.DOMAIN)
    assert "secure must be a boolean" in problems
    assert "voice_url is missing (DomainInstance reads it)" in problems
    address = {"sid": "IP1", "ip_address": "10.0.0.1", "cidr_prefix_length": "wide"}
    assert "cidr_prefix_length must be an integer" in library_reference.instance_problems(
        address, "", library_reference.ADDRESS
    )
    assert library_reference.page_problems(
        {"ip_access_control_lists": [], "page": 0}, library_reference.DOMAIN
    )


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}|(?:AC|PN|AL|IP|SD)0{32}", "{}", path)
