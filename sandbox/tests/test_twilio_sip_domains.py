"""The Twilio stand-in's SIP ingress over real HTTP: IP ACLs and their addresses, SIP Domains, the calls
auth mapping, Twilio's errors, the ledger, and Synthflow's warm transfer INVITE reaching a domain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response

from sandbox.tests.twilio_support import WebhookServer, assert_twilio_error

TARGET = "+14155550123"
DOMAIN = "pb-test.sip.twilio.com"


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    return httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}).json()


@pytest.fixture
def twilio(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    base = f"{sandbox_url}/twilio/2010-04-01/Accounts/{account['account_sid']}/SIP"
    auth = (account["account_sid"], account["auth_token"])
    with httpx.Client(base_url=base, auth=auth, timeout=10) as client:
        yield client


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    yield server
    server.close()


def make_acl(twilio: httpx.Client, cidrs: list[str]) -> str:
    acl = twilio.post("/IpAccessControlLists.json", data={"FriendlyName": "pb-acme-support-acl"})
    assert acl.status_code == 201, acl.text
    sid = acl.json()["sid"]
    for cidr in cidrs:
        ip, _, prefix = cidr.partition("/")
        form = {"FriendlyName": ip, "IpAddress": ip, "CidrPrefixLength": prefix or "32"}
        assert twilio.post(f"/IpAccessControlLists/{sid}/IpAddresses.json", data=form).status_code == 201
    return sid


def make_domain(twilio: httpx.Client, voice_url: str, acl_sid: str | None) -> str:
    form = {
        "DomainName": DOMAIN,
        "FriendlyName": "pb-acme-support",
        "VoiceUrl": voice_url,
        "VoiceMethod": "POST",
    }
    created = twilio.post("/Domains.json", data=form)
    assert created.status_code == 201, created.text
    sid = created.json()["sid"]
    if acl_sid:
        mapped = twilio.post(
            f"/Domains/{sid}/Auth/Calls/IpAccessControlListMappings.json",
            data={"IpAccessControlListSid": acl_sid},
        )
        assert mapped.status_code == 201, mapped.text
    return sid


def test_acls_addresses_domains_and_mappings_have_twilios_shapes(twilio: httpx.Client, account: dict) -> None:
    acl_sid = make_acl(twilio, ["34.138.86.8/32", "10.1.0.0/16"])
    domain_sid = make_domain(twilio, "https://patchbay.example.com/hooks/twilio/domain/x", acl_sid)

    acls = twilio.get("/IpAccessControlLists.json").json()
    addresses = twilio.get(f"/IpAccessControlLists/{acl_sid}/IpAddresses.json").json()["ip_addresses"]
    domain = twilio.get(f"/Domains/{domain_sid}.json").json()
    mappings = twilio.get(f"/Domains/{domain_sid}/Auth/Calls/IpAccessControlListMappings.json").json()

    assert acl_sid.startswith("AL") and domain_sid.startswith("SD") and len(domain_sid) == 34
    assert [a["friendly_name"] for a in acls["ip_access_control_lists"]] == ["pb-acme-support-acl"]
    assert [(a["ip_address"], a["cidr_prefix_length"]) for a in addresses] == [
        ("34.138.86.8", 32),
        ("10.1.0.0", 16),
    ]
    assert all(a["sid"].startswith("IP") and a["ip_access_control_list_sid"] == acl_sid for a in addresses)
    assert (domain["domain_name"], domain["auth_type"], domain["voice_method"]) == (DOMAIN, "IP_ACL", "POST")
    assert [m["sid"] for m in mappings["contents"]] == [acl_sid]
    assert domain["account_sid"] == account["account_sid"]


def test_twilios_errors_for_bad_or_missing_parameters(twilio: httpx.Client) -> None:
    acl_sid = make_acl(twilio, [])
    assert_twilio_error(twilio.post("/IpAccessControlLists.json", data={}), 400, 20002)
    bad_ip = {"FriendlyName": "x", "IpAddress": "not-an-ip"}
    assert_twilio_error(
        twilio.post(f"/IpAccessControlLists/{acl_sid}/IpAddresses.json", data=bad_ip), 400, 400
    )
    wide = {"FriendlyName": "x", "IpAddress": "10.0.0.0", "CidrPrefixLength": "4"}
    assert_twilio_error(twilio.post(f"/IpAccessControlLists/{acl_sid}/IpAddresses.json", data=wide), 400, 400)
    for name in ("acme.example.com", "bad_name.sip.twilio.com", ""):
        assert_twilio_error(twilio.post("/Domains.json", data={"DomainName": name}), 400, 400)
    bad_url = {"DomainName": DOMAIN, "VoiceUrl": "ftp://x"}
    assert_twilio_error(twilio.post("/Domains.json", data=bad_url), 400, 21502)
    domain_sid = make_domain(twilio, "https://patchbay.example.com/x", acl_sid)
    message = assert_twilio_error(twilio.post("/Domains.json", data={"DomainName": DOMAIN.upper()}), 400, 400)
    assert "already in use" in message
    # A list a domain still maps cannot go; the mapping first, then the list.
    assert_twilio_error(twilio.delete(f"/IpAccessControlLists/{acl_sid}.json"), 400, 400)
    mapping = f"/Domains/{domain_sid}/Auth/Calls/IpAccessControlListMappings/{acl_sid}.json"
    assert twilio.delete(mapping).status_code == 204
    assert twilio.delete(f"/IpAccessControlLists/{acl_sid}.json").status_code == 204
    assert_twilio_error(twilio.get(f"/IpAccessControlLists/{acl_sid}.json"), 404, 20404)
    assert twilio.delete(f"/Domains/{domain_sid}.json").status_code == 204
    assert_twilio_error(twilio.get(f"/Domains/{domain_sid}.json"), 404, 20404)


def test_another_accounts_objects_are_not_found(twilio: httpx.Client, sandbox_url: str) -> None:
    acl_sid = make_acl(twilio, [])
    other = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "twilio"}).json()
    base = f"{sandbox_url}/twilio/2010-04-01/Accounts/{other['account_sid']}/SIP"
    auth = (other["account_sid"], other["auth_token"])

    assert_twilio_error(httpx.get(f"{base}/IpAccessControlLists/{acl_sid}.json", auth=auth), 404, 20404)


def test_the_ledger_lists_every_sip_object(twilio: httpx.Client, sandbox_url: str) -> None:
    acl_sid = make_acl(twilio, ["34.138.86.8/32"])
    domain_sid = make_domain(twilio, "https://patchbay.example.com/x", acl_sid)

    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger", params={"vendor": "twilio"}).json()["objects"]

    types = sorted(o["type"] for o in objects if o["type"] != "twilio.incoming_phone_number")
    assert types == [
        "twilio.ip_access_control_list",
        "twilio.ip_address",
        "twilio.sip_domain",
        "twilio.sip_domain_calls_acl_mapping",
    ]
    assert {"id": f"{domain_sid}/{acl_sid}"}.items() <= next(
        o for o in objects if o["type"] == "twilio.sip_domain_calls_acl_mapping"
    ).items()


def _synthflow_number(sandbox_url: str, termination_uri: str, region: str = "global") -> str:
    """A Synthflow workspace with a Twilio number imported, its termination URI as given."""
    account = httpx.post(
        f"{sandbox_url}/_sandbox/accounts", json={"vendor": "synthflow", "region": region}
    ).json()
    body = {
        "workspace_id": account["workspace_id"],
        "phone_number": "+14155550177",
        "provider_name": "twilio",
        "termination_uri": termination_uri,
    }
    headers = {"Authorization": f"Bearer {account['api_key']}"}
    created = httpx.post(f"{sandbox_url}/synthflow/v2/custom-numbers", json=body, headers=headers)
    assert created.status_code == 200, created.text
    return body["phone_number"]


def _warm(sandbox_url: str, number: str, target: str = TARGET, **extra: str) -> dict[str, Any]:
    body = {"phone_number": number, "target": target, **extra}
    return httpx.post(f"{sandbox_url}/_sandbox/calls/warm-transfer", json=body, timeout=30).json()


def test_a_warm_transfer_to_the_placeholder_host_routes_nowhere(sandbox_url: str) -> None:
    number = _synthflow_number(sandbox_url, "sip.twilio.com")

    answer = _warm(sandbox_url, number)

    assert answer["status"] == 404 and "domain" not in answer


def test_a_warm_transfer_reaches_the_domains_voice_url_signed(
    twilio: httpx.Client, account: dict, sandbox_url: str, webhook: WebhookServer
) -> None:
    webhook.reply = lambda request: Response(
        f"<Response><Dial><Number>{TARGET}</Number></Dial></Response>", mimetype="text/xml"
    )
    acl_sid = make_acl(twilio, ["34.138.86.8/32", "34.75.151.191/32"])
    domain_sid = make_domain(twilio, f"{webhook.url}/domain", acl_sid)
    number = _synthflow_number(sandbox_url, DOMAIN)

    answer = _warm(sandbox_url, number)

    assert (answer["status"], answer["dialled"], answer["domain_sid"]) == (200, TARGET, domain_sid)
    [request] = webhook.requests
    form = request["form"]
    assert (form["To"], form["SipDomain"], form["SipDomainSid"]) == (
        f"sip:{TARGET}@{DOMAIN}",
        DOMAIN,
        domain_sid,
    )
    assert form["From"] == f"sip:{number}@sip.synthflow.ai" and form["SipSourceIp"] == "34.138.86.8"
    assert RequestValidator(account["auth_token"]).validate(request["url"], form, request["signature"])


def test_a_source_outside_the_mapped_acl_or_an_unmapped_domain_is_refused(
    twilio: httpx.Client, sandbox_url: str, webhook: WebhookServer
) -> None:
    acl_sid = make_acl(twilio, ["34.138.86.8/32"])
    domain_sid = make_domain(twilio, f"{webhook.url}/domain", acl_sid)
    number = _synthflow_number(sandbox_url, DOMAIN, region="eu")  # EU signalling addresses: not in the list

    assert _warm(sandbox_url, number)["status"] == 403
    assert _warm(sandbox_url, number, source_ip="34.138.86.8")["status"] != 403
    twilio.delete(f"/Domains/{domain_sid}/Auth/Calls/IpAccessControlListMappings/{acl_sid}.json")
    refused = _warm(sandbox_url, number, source_ip="34.138.86.8")
    assert refused["status"] == 403 and "no IpAccessControlList" in refused["reason"]
    assert len(webhook.requests) == 1


def test_reject_twiml_declines_the_invite(
    twilio: httpx.Client, sandbox_url: str, webhook: WebhookServer
) -> None:
    webhook.reply = lambda request: Response("<Response><Reject/></Response>", mimetype="text/xml")
    make_domain(twilio, f"{webhook.url}/domain", make_acl(twilio, ["34.138.86.8/32"]))
    number = _synthflow_number(sandbox_url, DOMAIN)

    answer = _warm(sandbox_url, number, target="+19005550100")

    assert (answer["status"], answer["rejected"], answer["dialled"]) == (603, True, None)


def test_the_control_api_refuses_bad_warm_transfer_requests(sandbox_url: str) -> None:
    url = f"{sandbox_url}/_sandbox/calls/warm-transfer"
    assert httpx.post(url, json={"phone_number": 1}).status_code == 400
    assert httpx.post(url, json={"phone_number": "+14155550999", "target": TARGET}).status_code == 404
