"""The Vapi stand-in: `/credential`, `/phone-number`, `/assistant` and the BYO-trunk SIP edge."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.http_routes import Route, RouteTable
from sandbox.core.http_vendor import (
    HttpCall,
    HttpVendorStandIn,
    RuleNote,
    VendorHttpError,
    json_response,
    new_id,
)
from sandbox.core.vendor import LiveObject
from sandbox.vapi import assistants, credentials, phone_numbers, sdk_types
from sandbox.vapi.conformance import ConformanceLog
from sandbox.vapi.rules import S22, S23, assistant_rules, credential_rules, phone_number_rules
from sandbox.vapi.sip import receive_invite

# Vapi answers a bad or missing private key with this text (seen in client reports; UNCONFIRMED).
INVALID_KEY = (
    "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa."
)

_CREATE_CREDENTIAL, _UPDATE_CREDENTIAL = credential_rules(update=False), credential_rules(update=True)
_CREATE_NUMBER, _UPDATE_NUMBER = phone_number_rules(update=False), phone_number_rules(update=True)

ROUTES = RouteTable(
    [
        Route("POST", "/credential", "CreateCredential", credentials.create_credential, _CREATE_CREDENTIAL),
        Route("GET", "/credential", "ListCredentials", credentials.list_credentials),
        Route("GET", "/credential/{id}", "GetCredential", credentials.get_credential),
        Route(
            "PATCH", "/credential/{id}", "UpdateCredential", credentials.update_credential, _UPDATE_CREDENTIAL
        ),
        Route("DELETE", "/credential/{id}", "DeleteCredential", credentials.delete_credential),
        Route(
            "POST", "/phone-number", "CreatePhoneNumber", phone_numbers.create_phone_number, _CREATE_NUMBER
        ),
        Route("GET", "/phone-number", "ListPhoneNumbers", phone_numbers.list_phone_numbers),
        Route(
            "GET", "/v2/phone-number", "ListPhoneNumbersPaginated", phone_numbers.list_phone_numbers_paginated
        ),
        Route("GET", "/phone-number/{id}", "GetPhoneNumber", phone_numbers.get_phone_number),
        Route(
            "PATCH",
            "/phone-number/{id}",
            "UpdatePhoneNumber",
            phone_numbers.update_phone_number,
            _UPDATE_NUMBER,
        ),
        Route("DELETE", "/phone-number/{id}", "DeletePhoneNumber", phone_numbers.delete_phone_number),
        Route("POST", "/assistant", "CreateAssistant", assistants.create_assistant, assistant_rules()),
        Route("GET", "/assistant", "ListAssistants", assistants.list_assistants),
        Route("GET", "/assistant/{id}", "GetAssistant", assistants.get_assistant),
        Route("PATCH", "/assistant/{id}", "UpdateAssistant", assistants.update_assistant, assistant_rules()),
        Route("DELETE", "/assistant/{id}", "DeleteAssistant", assistants.delete_assistant),
    ]
)

SIP = "PROVIDERS.md §2.5"


class VapiStandIn(HttpVendorStandIn):
    """Vapi's REST API for BYO SIP trunks and phone numbers, scoped per org (one org per API key)."""

    vendor = "vapi"
    path_prefix = "/vapi"
    routes = ROUTES
    #: refuse undeclared properties (NestJS forbidNonWhitelisted; UNCONFIRMED for Vapi)
    strict_unknown_properties: bool = True
    option_docs = {
        "strict_unknown_properties": (
            "refuse properties a DTO does not declare with 400 'property x should not exist' "
            "(NestJS forbidNonWhitelisted; UNCONFIRMED for Vapi, so on by default)"
        ),
    }
    rule_notes = (
        RuleNote("CreateCredential", "gateways[].ip", "an inbound-enabled gateway must be numeric IPv4", S22),
        RuleNote("UpdateCredential", "gateways[].ip", "an inbound-enabled gateway must be numeric IPv4", S22),
        RuleNote("UpdateCredential", "gateways", "PATCH replaces the whole gateways array", S22),
        RuleNote("CreatePhoneNumber", "credentialId", "must name a credential of the caller's org", S23),
        RuleNote("CreatePhoneNumber", "assistantId", "must name an assistant of the caller's org", S23),
        RuleNote("CreatePhoneNumber", "assistantId", "at most one of assistantId, squadId, workflowId", S23),
        RuleNote("UpdatePhoneNumber", "credentialId", "must name a credential of the caller's org", S23),
        RuleNote("UpdatePhoneNumber", "assistantId", "must name an assistant of the caller's org", S23),
        RuleNote("*", "Authorization", "Bearer private API key of an account", "PROVIDERS.md §2.1"),
        RuleNote("*", "(body)", "undeclared properties refused (option strict_unknown_properties)", "NestJS"),
        RuleNote(
            "SIP INVITE", "Request-URI host", "<credential-id>.sip.vapi.ai of an existing credential", SIP
        ),
        RuleNote("SIP INVITE", "source IP", "inside an inbound-enabled gateway ip/netmask, else 401", SIP),
        RuleNote("SIP INVITE", "Request-URI user", "a phone number on that credential, else 404", SIP),
    )

    def __init__(self, sandbox: Any) -> None:
        #: findings of every exchange checked against vapi_server_sdk's types; survives resets
        self.conformance = ConformanceLog()
        super().__init__(sandbox)
        threading.Thread(target=sdk_types.preload, name="vapi-sdk-import", daemon=True).start()

    def _run(self, call: HttpCall) -> Response:
        """Run the handler, then hold Patchbay's request and the answer to the SDK's types."""
        with self._lock:
            response = super()._run(call)
            try:
                body = json.loads(call.request.get_data(as_text=True) or "null")
            except ValueError:
                body = "(not JSON)"
            self.conformance.note(call.request, call.route.operation, body, response)
            return response

    def reset_state(self) -> None:
        """Forget every org, credential, phone number, assistant and received call."""
        self.api_keys: dict[str, str] = {}  # private key → org id
        self.credentials: dict[str, dict[str, Any]] = {}
        self.phone_numbers: dict[str, dict[str, Any]] = {}
        self.assistants: dict[str, dict[str, Any]] = {}
        #: every INVITE `sip_invite` answered, oldest first (status, reason, delivered x- headers, ...)
        self.received_calls: list[dict[str, Any]] = []

    # -- accounts, auth and errors --------------------------------------------------------------------

    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new org with a private API key and one assistant: `{api_key, assistant_id}`."""
        with self._lock:
            org_id, api_key = new_id(), str(uuid.uuid4())
            self.api_keys[api_key] = org_id
            assistant = self.add_assistant(
                org_id, {"name": params.get("assistant_name", "Sandbox assistant")}
            )
            return {"api_key": api_key, "assistant_id": assistant["id"]}

    def authenticate(self, request: Request) -> Any:
        """The org of the Bearer private key, or Vapi's 401."""
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        org_id = self.api_keys.get(key.strip()) if scheme.lower() == "bearer" else None
        return org_id if org_id is not None else self.error(401, "", INVALID_KEY)

    def error(self, status: int, code: str, message: str) -> Response:
        """NestJS-style `{message, error, statusCode}` (PROVIDERS.md §2.1, UNCONFIRMED shape)."""
        return self._nest_error(status, message)

    def render_error(self, exc: VendorHttpError) -> Response:
        """Validation errors keep their list of messages, as class-validator sends them."""
        return self._nest_error(exc.status, exc.message)

    def not_found(self, method: str, path: str) -> Response:
        """NestJS's answer to an unknown route."""
        return self.error(404, "", f"Cannot {method} {path}")

    def _nest_error(self, status: int, message: str | list[str]) -> Response:
        body = {"message": message, "error": HTTPStatus(status).phrase, "statusCode": status}
        return json_response(body, status)

    # -- helpers the handlers share -------------------------------------------------------------------

    def check_body(
        self,
        call: HttpCall,
        body: dict[str, Any],
        properties: frozenset[str] | None,
        nested: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """Raise Vapi's 400 with every message when the body breaks the route's rules."""
        messages: list[str] = []
        if self.strict_unknown_properties and properties is not None:
            messages += [f"property {k} should not exist" for k in body if k not in properties]
            for key, allowed in (nested or {}).items():
                items = body[key] if isinstance(body.get(key), list) else []
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        messages += [
                            f"property {key}.{index}.{k} should not exist" for k in item if k not in allowed
                        ]
        messages += [v.message for v in call.body_violations(body)]
        if messages:
            raise VendorHttpError(400, "", messages)

    def limit_param(self, call: HttpCall) -> int:
        """The `limit` query parameter (default 100, Vapi's list default)."""
        raw = call.query().get("limit", "100")
        if not raw.isdigit() or not 0 <= int(raw) <= 1000:
            raise VendorHttpError(400, "", ["limit must not be greater than 1000", "limit must be a number"])
        return int(raw)

    def add_assistant(self, org_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a new assistant of `org_id` and return it."""
        assistant = assistants.new_assistant(org_id, body, self.now())
        self.assistants[assistant["id"]] = assistant
        return assistant

    def now(self) -> str:
        """ISO-8601 UTC with milliseconds, as Vapi's createdAt/updatedAt."""
        return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # -- ledger and SIP -------------------------------------------------------------------------------------

    def live_objects(self) -> list[LiveObject]:
        """Every credential, phone number and assistant, with the name the client gave."""
        with self._lock:
            return [
                *(
                    LiveObject("vapi", "vapi.credential", c["id"], c.get("name") or "")
                    for c in self.credentials.values()
                ),
                *(
                    LiveObject("vapi", "vapi.phone_number", n["id"], n.get("name") or "", n["status"])
                    for n in self.phone_numbers.values()
                ),
                *(
                    LiveObject("vapi", "vapi.assistant", a["id"], a.get("name") or "")
                    for a in self.assistants.values()
                ),
            ]

    def sip_invite(self, request_uri: str, source_ip: str, headers: dict[str, str]) -> tuple[int, str]:
        """Answer an INVITE from `source_ip` (200, or 401/404/480 as Vapi would) and record it."""
        with self._lock:
            return receive_invite(self, request_uri, source_ip, headers)
