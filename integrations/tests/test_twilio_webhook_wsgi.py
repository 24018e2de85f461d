"""The real WSGI application (controlplane/wsgi.py): `/hooks/` through the webhooks' lean handler, which
still checks Twilio's signature and answers TwiML, and everything else through the full middleware."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from controlplane.wsgi import application, full_application, hooks_application
from integrations.tests.twilio_webhook_world import PUBLIC_BASE_URL, WebhookWorld, dialed_sip

MakeWorld = Callable[..., WebhookWorld]


def wsgi(method: str, path: str, body: bytes = b"", **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request through controlplane.wsgi.application: (status, headers, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    answered: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answered.append((status, response_headers))

    # As Django's test client does: the handler's request signals must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            result.close()  # type: ignore[attr-defined]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, response_headers = answered[0]
    collected: dict[str, str] = {}
    for name, value in response_headers:
        collected[name.lower()] = (
            f"{collected[name.lower()]}, {value}" if name.lower() in collected else value
        )
    return int(status.split()[0]), collected, content


def test_unsigned_or_wrongly_signed_calls_are_refused_through_the_wsgi_application(
    webhook_world: MakeWorld,
) -> None:
    world = webhook_world()
    body = urlencode(world.call_params()).encode()

    unsigned = wsgi("POST", world.path, body)
    forged = wsgi("POST", world.path, body, x_twilio_signature="c2lnbmVkIGJ5IG5vIG9uZQ==")

    assert unsigned[0] == 403 and forged[0] == 403
    assert b"<Response" not in unsigned[2] + forged[2]


def test_signed_call_through_the_wsgi_application_gets_twiml_with_the_webhook_middleware(
    webhook_world: MakeWorld,
) -> None:
    world = webhook_world()
    params = world.call_params()
    signature = world.sign(f"{PUBLIC_BASE_URL}{world.path}", params)

    status, headers, content = wsgi(
        "POST", world.path, urlencode(params).encode(), x_twilio_signature=signature, x_request_id="abc-123"
    )

    assert status == 200
    assert dialed_sip(content).headers["X-EI"] == f"E.{params['CallSid']};"
    # The request id and the security headers are kept; no session, no CSRF cookie.
    assert headers["x-request-id"] == "abc-123"
    assert headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in headers
    assert "cookie" not in headers.get("vary", "").lower()


def test_the_webhooks_handler_serves_no_other_url() -> None:
    # A path under /hooks/ that is not a webhook is a 404, never a dashboard view without its middleware.
    status, _, _ = wsgi("GET", "/hooks/../accounts/login/")
    assert status == 404
    assert hooks_application._middleware_chain is not None
    assert settings.HOOKS_MIDDLEWARE != settings.MIDDLEWARE


def test_dashboard_keeps_its_full_middleware_through_the_wsgi_application(db: Any) -> None:
    status, headers, _ = wsgi("GET", "/accounts/login/")

    assert status == 200
    assert "csrftoken=" in headers["set-cookie"]
    assert headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in headers
    # No CSRF token: refused by CsrfViewMiddleware, as before the webhooks had their own handler.
    refused, _, _ = wsgi("POST", "/accounts/login/", b"username=a%40b.c&password=x")
    assert refused == 403
    assert full_application._middleware_chain is not None
