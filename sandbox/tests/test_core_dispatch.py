"""The dispatcher and control API: prefixes, SigV4 routing, absent stand-ins, options, faults on stand-ins."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from sandbox.app import SandboxApp
from sandbox.core.registry import Sandbox
from sandbox.core.server import SandboxServer
from sandbox.core.vendor import LiveObject, Routed, VendorStandIn


class EchoStandIn(VendorStandIn):
    """A one-operation HTTP vendor: POST /things creates a thing named in the body."""

    vendor = "vapi"
    strict_names = True

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.things: dict[str, str] = {}

    def route(self, request: Request, path: str) -> Routed | Response:
        if request.method == "POST" and path == "/things":
            return Routed("CreateThing", lambda: self._create(request))
        return self.error(404, "NotFound", f"Cannot {request.method} {path}")

    def _create(self, request: Request) -> Response:
        name = request.get_json()["name"]
        if self.strict_names and not name.startswith("pb-"):
            return self.error(400, "BadRequest", "name must start with pb-")
        self.things[f"thing-{len(self.things) + 1}"] = name
        return Response(
            json.dumps({"id": f"thing-{len(self.things)}", "name": name}), 201, mimetype="application/json"
        )

    def error(self, status: int, code: str, message: str) -> Response:
        body = {"message": message, "error": code, "statusCode": status}
        return Response(json.dumps(body), status, mimetype="application/json")

    def reset(self) -> None:
        self.things.clear()

    def live_objects(self) -> list[LiveObject]:
        return [LiveObject("vapi", "echo.thing", key, name) for key, name in self.things.items()]

    def operations(self) -> list[str]:
        return ["CreateThing"]


@pytest.fixture
def echo() -> Client:
    sandbox = Sandbox(
        {
            "vapi": "sandbox.tests.test_core_dispatch.EchoStandIn",
            "twilio": "sandbox.not_written_yet.TwilioStandIn",
        }
    )
    return Client(SandboxApp(sandbox))


def test_http_vendor_gets_its_path_without_the_prefix_and_the_ledger_records_it(echo: Client) -> None:
    created = echo.post("/vapi/things", json={"name": "pb-acme-int1-cred"})
    missing = echo.get("/vapi/nothing")

    assert created.status_code == 201
    assert missing.json == {"message": "Cannot GET /nothing", "error": "NotFound", "statusCode": 404}
    # (moto's backends are process-wide: AWS objects of an earlier test in this process may remain.)
    ledger = echo.get("/_sandbox/ledger?vendor=vapi").json
    assert [(r["vendor"], r["operation"], r["path"], r["status"]) for r in ledger["requests"]] == [
        ("vapi", "CreateThing", "/vapi/things", 201),
        ("vapi", "", "/vapi/nothing", 404),
    ]
    assert ledger["objects"] == [
        {"vendor": "vapi", "type": "echo.thing", "id": "thing-1", "name": "pb-acme-int1-cred", "state": ""}
    ]


def test_error_fault_on_a_stand_in_answers_in_the_vendors_error_shape(echo: Client) -> None:
    fault = {"vendor": "vapi", "operation": "CreateThing", "mode": "error", "status": 503, "code": "Down"}
    assert echo.post("/_sandbox/faults", json={**fault, "message": "try later"}).status_code == 201

    answer = echo.post("/vapi/things", json={"name": "pb-x"})

    assert answer.status_code == 503
    assert answer.json == {"message": "try later", "error": "Down", "statusCode": 503}
    assert echo.get("/_sandbox/ledger?vendor=vapi").json["objects"] == []


def test_throttle_fault_carries_retry_after(echo: Client) -> None:
    spec = {"vendor": "vapi", "operation": "CreateThing", "mode": "throttle", "retry_after": 7}
    echo.post("/_sandbox/faults", json=spec)

    answer = echo.post("/vapi/things", json={"name": "pb-x"})

    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    assert echo.get("/_sandbox/ledger").json["requests"][-1]["fault"] == "throttle"


def test_fault_on_an_operation_the_stand_in_does_not_have_is_refused(echo: Client) -> None:
    answer = echo.post(
        "/_sandbox/faults", json={"vendor": "vapi", "operation": "CreateThings", "mode": "drop"}
    )

    assert answer.status_code == 400
    assert answer.json["detail"] == "vapi has no operation 'CreateThings'"


def test_absent_stand_in_is_reported_not_served(echo: Client) -> None:
    answer = echo.get("/twilio/2010-04-01/Accounts/AC1/IncomingPhoneNumbers.json")
    index = echo.get("/_sandbox/").json

    assert answer.status_code == 501
    assert "the twilio stand-in is not served" in answer.json["detail"]
    assert "sandbox.not_written_yet" in index["absent"]["twilio"]
    assert "twilio" not in index["serving"]
    assert echo.post("/_sandbox/accounts", json={"vendor": "twilio"}).status_code == 501


def test_options_are_listed_set_checked_and_restored_by_reset(echo: Client) -> None:
    assert echo.get("/_sandbox/options").json["options"]["vapi"] == {"strict_names": True}
    assert echo.post("/vapi/things", json={"name": "free-name"}).status_code == 400

    changed = echo.post("/_sandbox/options", json={"vapi": {"strict_names": False}})

    assert changed.json["options"]["vapi"] == {"strict_names": False}
    assert echo.post("/vapi/things", json={"name": "free-name"}).status_code == 201
    echo.post("/_sandbox/reset")
    assert echo.get("/_sandbox/options").json["options"]["vapi"] == {"strict_names": True}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"vapi": {"strict_nmes": False}}, "vapi has no option 'strict_nmes'; known: strict_names"),
        ({"vapi": {"strict_names": "no"}}, "vapi.strict_names must be a bool"),
        ({"nobody": {"strict_names": False}}, "unknown stand-in 'nobody'"),
        ({}, 'body must be {"<stand-in name>": {"<option>": value}}'),
        ([], "the body must be a JSON object"),
    ],
)
def test_bad_option_changes_are_refused(echo: Client, body: Any, message: str) -> None:
    answer = echo.post("/_sandbox/options", json=body)

    assert answer.status_code == 400
    assert message in answer.json["detail"]


def test_index_gives_each_setting_its_base_url(sandbox_server: Any, sandbox_url: str) -> None:
    index = httpx.get(f"{sandbox_url}/_sandbox/").json()

    assert index["endpoints"] == {
        "aws": sandbox_url,
        "vapi": f"{sandbox_url}/vapi",
        "synthflow": f"{sandbox_url}/synthflow",
        "genesys": f"{sandbox_url}/genesys",
        "genesys_login": f"{sandbox_url}/genesys",
        "twilio": f"{sandbox_url}/twilio",
        "dns": f"127.0.0.1:{sandbox_server.dns_port}",
        "sip": f"127.0.0.1:{sandbox_server.sip_port}",
    }
    assert index["settings"]["VAPI_BASE_URL"] == f"{sandbox_url}/vapi"
    assert index["settings"]["CHIME_DNS_SERVER"] == f"127.0.0.1:{sandbox_server.dns_port}"
    assert {"moto:iam", "moto:sts", "moto:dynamodb", "moto:lambda", "moto:logs"} <= set(index["serving"])


def test_unsigned_request_outside_every_prefix_says_what_is_served(sandbox_url: str) -> None:
    answer = httpx.get(f"{sandbox_url}/credential")

    assert answer.status_code == 404
    assert "SigV4" in answer.json()["detail"]
    assert answer.json()["endpoints"]["vapi"] == f"{sandbox_url}/vapi"


def test_control_api_answers_unknown_paths_and_methods_in_json(sandbox_url: str) -> None:
    assert httpx.get(f"{sandbox_url}/_sandbox/nothing").json() == {
        "detail": "no control endpoint /_sandbox/nothing"
    }
    wrong = httpx.get(f"{sandbox_url}/_sandbox/reset")
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "use POST on /_sandbox/reset"})
    assert httpx.post(f"{sandbox_url}/_sandbox/accounts", json={"vendor": "acme"}).status_code == 400
    assert httpx.post(f"{sandbox_url}/_sandbox/faults", content=b"not json").status_code == 400


def test_lost_response_on_a_stand_in_is_a_connection_error_for_httpx() -> None:
    server = SandboxServer(
        port=0, dns_port=0, sandbox=Sandbox({"vapi": "sandbox.tests.test_core_dispatch.EchoStandIn"})
    )
    server.start()
    try:
        spec = {"vendor": "vapi", "operation": "CreateThing", "mode": "lose_response"}
        httpx.post(f"{server.url}/_sandbox/faults", json=spec)

        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"{server.url}/vapi/things", json={"name": "pb-acme-int1-cred"})

        objects = httpx.get(f"{server.url}/_sandbox/ledger").json()["objects"]
        assert [o["name"] for o in objects] == ["pb-acme-int1-cred"]
    finally:
        server.close()
