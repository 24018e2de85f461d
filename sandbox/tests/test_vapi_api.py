"""The Vapi stand-in over real HTTP: credentials, phone numbers, assistants, auth and error bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

GATEWAY_TEXT = "Couldn't validate SIP trunk credential. SIP gateway creation failed."


@pytest.fixture
def account(sandbox_url: str) -> dict[str, Any]:
    """A fresh Vapi org: `{api_key, assistant_id}`."""
    response = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"})
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def vapi(sandbox_url: str, account: dict[str, Any]) -> Iterator[httpx.Client]:
    """A client of the sandbox's Vapi API authenticated as `account`."""
    headers = {"Authorization": f"Bearer {account['api_key']}"}
    with httpx.Client(base_url=f"{sandbox_url}/vapi", headers=headers, timeout=10) as client:
        yield client


def create_credential(vapi: httpx.Client, **overrides: Any) -> dict[str, Any]:
    body = {
        "provider": "byo-sip-trunk",
        "name": "pb-acme-support-credential",
        "gateways": [{"ip": "99.77.253.10"}, {"ip": "99.77.253.11"}],
        "outboundAuthenticationPlan": {"authUsername": "patchbay", "authPassword": "s3cret-digest"},
        **overrides,
    }
    response = vapi.post("/credential", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def assert_nest_error(response: httpx.Response, status: int, error: str) -> Any:
    """The NestJS error body `{message, error, statusCode}`; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "error", "statusCode"}
    assert body["error"] == error
    assert body["statusCode"] == status
    return body["message"]


def test_created_credential_has_gateway_defaults_and_never_shows_the_password(vapi: httpx.Client) -> None:
    credential = create_credential(vapi)

    assert credential["provider"] == "byo-sip-trunk"
    assert credential["name"] == "pb-acme-support-credential"
    assert {"id", "orgId", "createdAt", "updatedAt"} <= set(credential)
    assert credential["gateways"][0] == {
        "ip": "99.77.253.10",
        "port": 5060,
        "netmask": 32,
        "inboundEnabled": True,
        "outboundEnabled": True,
        "outboundProtocol": "udp",
        "optionsPingEnabled": False,
    }
    assert credential["outboundAuthenticationPlan"] == {"authUsername": "patchbay"}
    fetched = vapi.get(f"/credential/{credential['id']}").json()
    assert "authPassword" not in fetched["outboundAuthenticationPlan"]
    assert "s3cret-digest" not in vapi.get("/credential").text


def test_credential_without_gateways_is_refused_with_the_field_named(vapi: httpx.Client) -> None:
    response = vapi.post("/credential", json={"provider": "byo-sip-trunk", "name": "pb-x"})

    messages = assert_nest_error(response, 400, "Bad Request")
    assert messages == ["gateways is required"]
    assert vapi.get("/credential").json() == []


def test_bad_provider_long_name_and_netmask_are_reported_together(vapi: httpx.Client) -> None:
    response = vapi.post(
        "/credential",
        json={
            "provider": "twilio",
            "name": "x" * 41,
            "gateways": [{"ip": "99.77.253.10", "netmask": 16, "outboundProtocol": "sctp"}],
        },
    )

    messages = assert_nest_error(response, 400, "Bad Request")
    assert "provider must be one of the following values: byo-sip-trunk" in messages
    assert "name must be shorter than or equal to 40 characters" in messages
    assert "gateways.0.netmask must not be less than 24" in messages
    assert any(m.startswith("gateways.0.outboundProtocol must be one of") for m in messages)


def test_inbound_gateway_with_a_host_name_fails_with_the_documented_text(vapi: httpx.Client) -> None:
    response = vapi.post(
        "/credential", json={"provider": "byo-sip-trunk", "gateways": [{"ip": "sip.carrier.example"}]}
    )

    assert assert_nest_error(response, 400, "Bad Request") == GATEWAY_TEXT
    outbound_only = create_credential(vapi, gateways=[{"ip": "sip.carrier.example", "inboundEnabled": False}])
    assert outbound_only["gateways"][0]["ip"] == "sip.carrier.example"


def test_undeclared_property_is_refused_unless_strictness_is_switched_off(
    vapi: httpx.Client, sandbox_url: str
) -> None:
    body = {"provider": "byo-sip-trunk", "gateways": [{"ip": "99.77.253.10", "weight": 1}], "color": "red"}

    messages = assert_nest_error(vapi.post("/credential", json=body), 400, "Bad Request")
    assert messages == ["property color should not exist", "property gateways.0.weight should not exist"]

    switched = httpx.post(
        f"{sandbox_url}/_sandbox/options", json={"vapi": {"strict_unknown_properties": False}}
    )
    assert switched.status_code == 200
    created = vapi.post("/credential", json=body)
    assert created.status_code == 201
    # Not refused, but stripped (NestJS whitelist): the answer has the DTO's fields only.
    assert "weight" not in created.json()["gateways"][0] and "color" not in created.json()


def test_missing_or_wrong_key_gets_401(sandbox_url: str, account: dict[str, Any]) -> None:
    no_key = httpx.get(f"{sandbox_url}/vapi/credential")
    wrong_key = httpx.get(f"{sandbox_url}/vapi/credential", headers={"Authorization": "Bearer not-a-key"})
    basic = httpx.get(
        f"{sandbox_url}/vapi/credential", headers={"Authorization": f"Basic {account['api_key']}"}
    )

    for response in (no_key, wrong_key, basic):
        assert assert_nest_error(response, 401, "Unauthorized").startswith("Invalid Key")


def test_patch_replaces_the_whole_gateways_array(vapi: httpx.Client) -> None:
    credential = create_credential(vapi)

    response = vapi.patch(
        f"/credential/{credential['id']}", json={"gateways": [{"ip": "99.77.253.20", "netmask": 30}]}
    )

    assert response.status_code == 200
    gateways = vapi.get(f"/credential/{credential['id']}").json()["gateways"]
    assert [(g["ip"], g["netmask"], g["port"]) for g in gateways] == [("99.77.253.20", 30, 5060)]
    assert response.json()["name"] == "pb-acme-support-credential"


def test_patch_with_an_inbound_host_name_keeps_the_old_gateways(vapi: httpx.Client) -> None:
    credential = create_credential(vapi)

    response = vapi.patch(f"/credential/{credential['id']}", json={"gateways": [{"ip": "edge.example.com"}]})

    assert assert_nest_error(response, 400, "Bad Request") == GATEWAY_TEXT
    ips = [g["ip"] for g in vapi.get(f"/credential/{credential['id']}").json()["gateways"]]
    assert ips == ["99.77.253.10", "99.77.253.11"]


def test_delete_returns_the_credential_and_it_is_gone(vapi: httpx.Client, sandbox_url: str) -> None:
    credential = create_credential(vapi)

    deleted = vapi.delete(f"/credential/{credential['id']}")

    assert deleted.status_code == 200
    assert deleted.json()["id"] == credential["id"]
    assert (
        assert_nest_error(vapi.get(f"/credential/{credential['id']}"), 404, "Not Found")
        == "Credential not found"
    )
    objects = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()["objects"]
    assert not [o for o in objects if o["type"] == "vapi.credential"]


def test_another_org_cannot_see_or_change_the_credential(vapi: httpx.Client, sandbox_url: str) -> None:
    credential = create_credential(vapi)
    other = httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "vapi"}).json()
    headers = {"Authorization": f"Bearer {other['api_key']}"}

    got = httpx.get(f"{sandbox_url}/vapi/credential/{credential['id']}", headers=headers)
    listed = httpx.get(f"{sandbox_url}/vapi/credential", headers=headers)

    assert_nest_error(got, 404, "Not Found")
    assert listed.json() == []


def test_unknown_path_is_404_and_wrong_method_is_405(vapi: httpx.Client) -> None:
    assert assert_nest_error(vapi.get("/squad-of-agents"), 404, "Not Found") == "Cannot GET /squad-of-agents"
    wrong = vapi.put("/credential")
    assert_nest_error(wrong, 405, "Method Not Allowed")
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_phone_number_is_created_active_on_an_existing_credential(
    vapi: httpx.Client, account: dict[str, Any]
) -> None:
    credential = create_credential(vapi)

    response = vapi.post(
        "/phone-number",
        json={
            "provider": "byo-phone-number",
            "credentialId": credential["id"],
            "number": "+14155550100",
            "name": "pb-acme-support-number",
            "assistantId": account["assistant_id"],
        },
    )

    assert response.status_code == 201
    number = response.json()
    assert number["status"] == "active"
    assert number["provider"] == "byo-phone-number"
    assert {"id", "orgId", "createdAt", "updatedAt"} <= set(number)
    assert vapi.get("/phone-number").json() == [number]
    paginated = vapi.get("/v2/phone-number").json()
    assert paginated["results"] == [number]
    assert paginated["metadata"]["totalItems"] == 1


def test_phone_number_needs_an_existing_credential(vapi: httpx.Client) -> None:
    missing = vapi.post("/phone-number", json={"provider": "byo-phone-number", "number": "+14155550100"})
    unknown = vapi.post(
        "/phone-number",
        json={"provider": "byo-phone-number", "credentialId": "8c3f6c0e-0000-4000-8000-000000000000"},
    )

    assert assert_nest_error(missing, 400, "Bad Request") == ["credentialId is required"]
    assert "not found" in assert_nest_error(unknown, 400, "Bad Request")


def test_number_is_e164_checked_unless_the_check_is_off(vapi: httpx.Client) -> None:
    credential = create_credential(vapi)
    base = {"provider": "byo-phone-number", "credentialId": credential["id"]}

    bad = vapi.post("/phone-number", json={**base, "number": "4155550100"})
    short = vapi.post("/phone-number", json={**base, "number": "12", "numberE164CheckEnabled": False})
    relaxed = vapi.post("/phone-number", json={**base, "number": "1234", "numberE164CheckEnabled": False})

    assert any("E.164" in m for m in assert_nest_error(bad, 400, "Bad Request"))
    assert assert_nest_error(short, 400, "Bad Request") == [
        "number must be longer than or equal to 3 characters"
    ]
    assert relaxed.status_code == 201
    assert relaxed.json()["number"] == "1234"


def test_phone_number_refuses_an_unknown_assistant(vapi: httpx.Client) -> None:
    credential = create_credential(vapi)

    response = vapi.post(
        "/phone-number",
        json={
            "provider": "byo-phone-number",
            "credentialId": credential["id"],
            "number": "+14155550100",
            "assistantId": "00000000-0000-4000-8000-000000000000",
        },
    )

    assert "Assistant" in assert_nest_error(response, 400, "Bad Request")


def test_phone_number_patch_and_delete_answer_200_with_the_object(
    vapi: httpx.Client, account: dict[str, Any]
) -> None:
    credential = create_credential(vapi)
    number = vapi.post(
        "/phone-number",
        json={
            "provider": "byo-phone-number",
            "credentialId": credential["id"],
            "number": "+14155550100",
            "assistantId": account["assistant_id"],
        },
    ).json()

    patched = vapi.patch(f"/phone-number/{number['id']}", json={"assistantId": None, "name": "pb-renamed"})
    deleted = vapi.delete(f"/phone-number/{number['id']}")

    assert patched.status_code == 200
    assert patched.json()["assistantId"] is None
    assert patched.json()["name"] == "pb-renamed"
    assert deleted.status_code == 200
    assert deleted.json()["id"] == number["id"]
    assert vapi.get("/phone-number").json() == []


def test_assistant_lifecycle(vapi: httpx.Client, account: dict[str, Any]) -> None:
    created = vapi.post("/assistant", json={"name": "pb-support-agent", "firstMessage": "Hello"})
    assert created.status_code == 201
    assistant = created.json()

    patched = vapi.patch(f"/assistant/{assistant['id']}", json={"firstMessage": "Hi there"})
    names = {a["name"] for a in vapi.get("/assistant").json()}
    too_long = vapi.post("/assistant", json={"name": "a" * 41})
    deleted = vapi.delete(f"/assistant/{assistant['id']}")

    assert patched.json()["firstMessage"] == "Hi there"
    assert names == {"pb-support-agent", "Sandbox assistant"}
    assert assert_nest_error(too_long, 400, "Bad Request") == [
        "name must be shorter than or equal to 40 characters"
    ]
    assert deleted.status_code == 200
    assert_nest_error(vapi.get(f"/assistant/{assistant['id']}"), 404, "Not Found")


def test_ledger_lists_objects_by_the_name_the_client_gave(vapi: httpx.Client, sandbox_url: str) -> None:
    create_credential(vapi)
    create_credential(vapi)

    ledger = httpx.get(f"{sandbox_url}/_sandbox/ledger").json()

    names = [o["name"] for o in ledger["objects"] if o["type"] == "vapi.credential"]
    assert names == ["pb-acme-support-credential", "pb-acme-support-credential"]
    operations = [r["operation"] for r in ledger["requests"] if r["vendor"] == "vapi"]
    assert operations == ["CreateCredential", "CreateCredential"]


def test_lost_response_still_creates_the_credential(vapi: httpx.Client, sandbox_url: str) -> None:
    fault = {"vendor": "vapi", "operation": "CreateCredential", "mode": "lose_response"}
    assert httpx.post(f"{sandbox_url}/_sandbox/faults", json=fault).status_code in (200, 201)

    with pytest.raises(httpx.TransportError):
        vapi.post(
            "/credential",
            json={"provider": "byo-sip-trunk", "name": "pb-lost", "gateways": [{"ip": "1.2.3.4"}]},
        )

    assert [c["name"] for c in vapi.get("/credential").json()] == ["pb-lost"]
