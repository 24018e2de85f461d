"""Vapi `/credential`: BYO SIP-trunk credentials (PROVIDERS.md §2.2)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.field_rules import is_ipv4
from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response, new_id
from sandbox.vapi.rules import CREDENTIAL_PROPERTIES, GATEWAY_PROPERTIES

if TYPE_CHECKING:
    from sandbox.vapi.stand_in import VapiStandIn

# The documented text of a refused gateway (docs: advanced/sip/troubleshoot-sip-trunk-credential-errors).
GATEWAY_CREATION_FAILED = "Couldn't validate SIP trunk credential. SIP gateway creation failed."

# SipTrunkGateway defaults, PROVIDERS.md §2.2.
GATEWAY_DEFAULTS: dict[str, Any] = {
    "port": 5060,
    "netmask": 32,
    "inboundEnabled": True,
    "outboundEnabled": True,
    "outboundProtocol": "udp",
    "optionsPingEnabled": False,
}


def create_credential(vapi: VapiStandIn, call: HttpCall) -> Response:
    """POST /credential → 201 with the credential (never its password)."""
    body = call.json()
    vapi.check_body(call, body, CREDENTIAL_PROPERTIES, {"gateways": GATEWAY_PROPERTIES})
    _check_gateways(body["gateways"])
    now = vapi.now()
    credential = {
        "id": new_id(),
        "orgId": call.account,
        "provider": "byo-sip-trunk",
        "gateways": [_with_defaults(g) for g in body["gateways"]],
        "outboundLeadingPlusEnabled": body.get("outboundLeadingPlusEnabled", False),
        "createdAt": now,
        "updatedAt": now,
    }
    for key in ("name", "outboundAuthenticationPlan", "techPrefix", "sipDiversionHeader"):
        if key in body:
            credential[key] = copy.deepcopy(body[key])
    vapi.credentials[credential["id"]] = credential
    return json_response(public_credential(credential), 201)


def list_credentials(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /credential → a bare array, newest first, at most `limit` (default 100)."""
    limit = vapi.limit_param(call)
    mine = [c for c in vapi.credentials.values() if c["orgId"] == call.account]
    mine.sort(key=lambda c: c["createdAt"], reverse=True)
    return json_response([public_credential(c) for c in mine[:limit]])


def get_credential(vapi: VapiStandIn, call: HttpCall) -> Response:
    """GET /credential/{id}."""
    return json_response(public_credential(_owned(vapi, call)))


def update_credential(vapi: VapiStandIn, call: HttpCall) -> Response:
    """PATCH /credential/{id}: sent fields replace stored ones; `gateways` replaces the whole array."""
    credential = _owned(vapi, call)
    body = call.json()
    vapi.check_body(call, body, CREDENTIAL_PROPERTIES, {"gateways": GATEWAY_PROPERTIES})
    if "gateways" in body:
        # Vapi's Twilio guide: "send the complete gateways array" — PATCH does not merge gateways.
        _check_gateways(body["gateways"])
        credential["gateways"] = [_with_defaults(g) for g in body["gateways"]]
    for key in (
        "name",
        "outboundAuthenticationPlan",
        "outboundLeadingPlusEnabled",
        "techPrefix",
        "sipDiversionHeader",
    ):
        if key in body:
            credential[key] = copy.deepcopy(body[key])
    credential["updatedAt"] = vapi.now()
    return json_response(public_credential(credential))


def delete_credential(vapi: VapiStandIn, call: HttpCall) -> Response:
    """DELETE /credential/{id} → 200 with the deleted credential."""
    credential = _owned(vapi, call)
    del vapi.credentials[credential["id"]]
    return json_response(public_credential(credential))


def public_credential(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential as Vapi returns it: `authPassword` is never echoed (PROVIDERS.md §2.2)."""
    shown = copy.deepcopy(credential)
    plan = shown.get("outboundAuthenticationPlan")
    if isinstance(plan, dict):
        plan.pop("authPassword", None)
    return shown


def _owned(vapi: VapiStandIn, call: HttpCall) -> dict[str, Any]:
    credential = vapi.credentials.get(call.params["id"])
    if credential is None or credential["orgId"] != call.account:
        raise VendorHttpError(404, "", "Credential not found")
    return credential


def _check_gateways(gateways: list[dict[str, Any]]) -> None:
    for gateway in gateways:
        # Vapi's SBC accepts only numeric IPv4 for inbound matching; a host name fails at creation.
        if _with_defaults(gateway)["inboundEnabled"] and not is_ipv4(gateway["ip"]):
            raise VendorHttpError(400, "", GATEWAY_CREATION_FAILED)


def _with_defaults(gateway: dict[str, Any]) -> dict[str, Any]:
    # With strictness off an undeclared property is stripped, as NestJS's whitelist does: Vapi's
    # answer has SipTrunkGateway's fields only (vapi_server_sdk; sandbox/vapi/sdk_types.py).
    merged = {k: copy.deepcopy(v) for k, v in gateway.items() if k in GATEWAY_PROPERTIES}
    for key, default in GATEWAY_DEFAULTS.items():
        merged.setdefault(key, default)
    return merged
