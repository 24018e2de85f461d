"""Genesys Cloud's login host: `POST /oauth/token` with client credentials (PROVIDERS.md §4.1)."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from typing import TYPE_CHECKING

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, json_response

if TYPE_CHECKING:
    from sandbox.genesys.stand_in import GenesysStandIn


def post_token(gc: GenesysStandIn, call: HttpCall) -> Response:
    """Basic client_id:client_secret + `grant_type=client_credentials` → a bearer token."""
    client = _client(gc, call.request.headers.get("Authorization", ""))
    if client is None:
        return oauth_error("invalid_client", "client not found or bad client secret", 401)
    if call.request.mimetype != "application/x-www-form-urlencoded":
        return oauth_error("invalid_request", "the body must be application/x-www-form-urlencoded", 400)
    grant = call.form().get("grant_type")
    if not grant:
        return oauth_error("invalid_request", "grant_type is required", 400)
    if grant != "client_credentials":
        return oauth_error(
            "unsupported_grant_type", f"grant type {grant} is not supported for this client", 400
        )
    token = secrets.token_urlsafe(48)
    gc.tokens[token] = {"org_id": client["org_id"], "client_id": client["client_id"],
                        "expires_at": time.time() + gc.token_lifetime_seconds}  # fmt: skip
    return json_response(
        {"access_token": token, "token_type": "bearer", "expires_in": gc.token_lifetime_seconds}
    )


def oauth_error(error: str, description: str, status: int) -> Response:
    """The login host's OAuth error shape `{error, description, error_description}`."""
    return json_response(
        {"error": error, "description": description, "error_description": description}, status
    )


def _client(gc: GenesysStandIn, header: str) -> dict[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client = gc.clients.get(client_id)
    if client is None or not secrets.compare_digest(client["client_secret"], secret):
        return None
    return client
