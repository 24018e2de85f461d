"""A headless Chromium page and a logged-in dashboard client (moved from the root conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect, sync_playwright

from testing.processes import ARTIFACTS

CHROMIUM = "/usr/bin/chromium"
# Milliseconds Playwright waits for a page or an element (2 shared cores, a cold Chromium).
BROWSER_TIMEOUT_MS = 20_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def dashboard_client() -> Callable[[Any], Client]:
    """`dashboard_client(user)`: a browser-like test client logged in as `user` (form posts, HTML pages)."""

    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A headless Debian Chromium page (Playwright); a screenshot of its last state goes to test-artifacts/.

    Use with `live_server` (pytest-django) and `transactional_db`. Playwright is
    started per test: its sync API keeps an asyncio loop marked as running on this
    thread, so Django's ORM calls in the test need DJANGO_ALLOW_ASYNC_UNSAFE
    while it lives, and no other test should run under it.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        try:
            yield page
        finally:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
            context.close()
            browser.close()
