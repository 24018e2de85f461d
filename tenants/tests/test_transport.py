"""HTTPS-only transport with DEBUG off, and a Content-Security-Policy no template breaks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client

from tenants.choices import Role
from testing.world import TenantWorld

ROOT = Path(__file__).resolve().parents[2]
HTTPS_ONLY = {"SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}
# Inline script, inline style, event handlers: all refused by the CSP (script-src/style-src 'self').
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_plain_http_is_redirected_to_https_except_health_checks(db: Any, settings: Any) -> None:
    for name, value in HTTPS_ONLY.items():
        setattr(settings, name, value)
    client = Client()

    page = client.get("/accounts/login/")

    assert page.status_code == 301
    assert page["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code == 200  # probed over plain HTTP inside the container


def test_behind_a_tls_proxy_forwarded_https_is_served_with_secure_cookies_and_hsts(
    world: TenantWorld, settings: Any
) -> None:
    for name, value in HTTPS_ONLY.items():
        setattr(settings, name, value)
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    client = Client(HTTP_X_FORWARDED_PROTO="https")

    page = client.get("/accounts/login/")
    client.force_login(world.users[Role.OWNER])
    dashboard = client.get("/members/")

    assert page.status_code == 200
    assert page.cookies["csrftoken"]["secure"]
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert dashboard.status_code == 200
    assert client.cookies["sessionid"]["secure"]


def test_every_page_carries_a_csp_without_inline_script(world: TenantWorld) -> None:
    client = Client()
    client.force_login(world.users[Role.OWNER])

    for path in ("/accounts/login/", "/members/", "/tokens/", "/audit/", "/integrations/", "/api/docs/"):
        response = client.get(path, follow=True)
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", path
        assert directives["style-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), f"{path} has an inline script"
        assert not INLINE_STYLE.search(body), f"{path} has an inline style"


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in templates
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER)
        if pattern.search(path.read_text())
    ]

    assert len(templates) > 20
    assert not offenders, offenders
