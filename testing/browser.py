"""Browser tests' helpers: a Playwright page signed in without the login form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page


def log_in_by_cookie(page: Page, base_url: str, user: Any) -> None:
    """The browser carries the session of a test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
