"""Every dashboard page in a real browser: axe-core finds no accessibility violation (labels, contrast,
names, landmarks), nothing is wider than a 420 px phone, no internal reference reaches the reader, and
the call ladder works from the keyboard.

The pages are found by walking the project's URL patterns (tenants/tests/routes.py), so a new page is
checked without anyone listing it. axe-core comes from the pinned `axe-playwright-python` package
(its bundled axe.min.js, injected into the page: nothing is loaded from the internet).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Page, expect

from calls.tests.sip_samples import answered_call
from calls.tests.stored_calls import store
from integrations.choices import IntegrationKind
from integrations.engine.conditions import ConditionStatus, ConditionType, Reason, set_condition
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.tests.routes import NON_TENANT_ROUTES, factory_for, walk_routes
from testing.browser import log_in_by_cookie
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: the WCAG 2.1 A and AA rules of axe-core (labels, names, contrast, structure)
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE_WIDTH = 420
#: what readers must never see: design-document references and kind slugs
INTERNAL = re.compile(
    r"§|\b(?:AWS|DESIGN|PROVIDERS|STYLE)\.md\b|\b(?:" + "|".join(IntegrationKind.values) + r")\b"
)
#: a timestamp not in the one format (`2026-11-23 10:00:05 UTC`): a date and time without seconds and zone
OTHER_TIME_FORMATS = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?!:\d{2} UTC)(?!:\d{2}\.\d{3} UTC)|\b\d{1,2}:\d{2} [ap]\.m\."
)
AXE = Axe()
#: for the failure message: the first elements reaching past the phone's width
WIDEST_ELEMENTS = """
[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 425)
  .slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
  .join(' | ')
"""


def dashboard_pages(world: TenantWorld, client: Client) -> dict[str, str]:
    """Route name → URL of every HTML page a member can GET, with an object of the tenant where needed."""
    pages: dict[str, str] = {}
    for route in walk_routes():
        if route.is_api or route.is_format_variant or not route.name or route.name in NON_TENANT_ROUTES:
            continue
        if route.pattern.startswith(("hooks/", "static/")) or "GET" not in route.methods():
            continue
        obj = None
        if route.object_kwargs:
            model = route.model()
            if model is None:
                continue
            obj = factory_for(model, route)(world.tenant, "page")
        url = route.url(obj)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[route.name] = url
    return pages


def violations(page: Page) -> list[str]:
    """axe-core's WCAG A/AA violations on the page, one line each."""
    found = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
    ]


def test_every_dashboard_page_passes_axe_fits_a_phone_and_speaks_plainly(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    owner = world.users[Role.OWNER]
    # applied and registered: its page shows the conditions table and the registration panel, whose
    # times are kept as ISO 8601 text in JSON and must still read in the one format
    conditions = set_condition([], ConditionType.READY, ConditionStatus.TRUE, Reason.AVAILABLE)
    conditions = set_condition(conditions, ConditionType.REGISTERED, ConditionStatus.TRUE, "Registered")
    integration = IntegrationFactory(
        tenant=world.tenant, kind="connect_vapi", name="support-line", conditions=conditions
    )
    call = store(integration, answered_call("a11y-call@x"))
    client = Client()
    client.force_login(owner)
    pages = dashboard_pages(world, client)
    pages["a call's ladder"] = f"/calls/{call.pk}/"
    pages["an applied integration"] = f"/integrations/{integration.pk}/"
    pages["a searched calls list"] = f"/integrations/{integration.pk}/calls/?number=555&status=answered"
    pages["home"] = "/"  # the browser follows it wherever it leads
    assert {"integrations:integration-list", "calls:integration-calls", "calls:call-detail"} <= set(pages)
    page = browser_page

    problems: dict[str, list[str]] = {}
    page.goto(f"{live_server.url}/accounts/login/")
    problems["login"] = violations(page)
    log_in_by_cookie(page, live_server.url, owner)
    for name, url in sorted(pages.items()):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{url}")
        found = violations(page)
        text = page.inner_text("body")
        found += [f"internal reference: {m.group(0)!r}" for m in INTERNAL.finditer(text)]
        found += [f"timestamp in another format: {m.group(0)!r}" for m in OTHER_TIME_FORMATS.finditer(text)]
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            found.append(f"the page is {width} px wide at {PHONE_WIDTH} px")
            found.append(page.evaluate(WIDEST_ELEMENTS))
        header = page.evaluate("document.querySelector('.app-header').scrollWidth")
        if header > PHONE_WIDTH:
            found.append(f"the header is {header} px wide at {PHONE_WIDTH} px")
        problems[f"{name} {url}"] = found
    page.screenshot(path=str(ARTIFACTS / "a11y-last-page-420.png"), full_page=True)

    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items() if found)
    assert not report, report
    assert len(problems) >= 15  # the walk found the dashboard, not a handful of pages


def test_the_ladder_works_from_the_keyboard_and_its_raw_sip_can_be_copied(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    call = store(integration, answered_call("keys@x", x_headers={"x-customer-id": "42"}))
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in_by_cookie(page, live_server.url, world.users[Role.VIEWER])
    page.goto(f"{live_server.url}/calls/{call.pk}/")

    # Tab from the top of the page until an arrow of the ladder has the focus.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('svg.sip-ladder a.arrow')"):
            break
    focused = page.locator("svg.sip-ladder a.arrow:focus")
    expect(focused).to_have_count(1)
    expect(focused).to_have_accessible_name(
        re.compile(r"^INVITE from Chime Voice Connector · abcd… to Vapi at ")
    )
    page.keyboard.press("Enter")
    raw = page.locator(".sip-raw:target")
    expect(raw).to_be_visible()
    expect(raw.locator("h4")).to_contain_text("Chime Voice Connector · abcd… → Vapi: INVITE")
    expect(
        page.get_by_role("group", name="SIP ladder of call keys@x").locator("text.lane-role")
    ).to_have_text(["Chime Voice Connector · abcd…", "Vapi"])

    raw.get_by_role("button", name="Copy").click()
    expect(raw.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("INVITE sip:+15551230000@") and "x-customer-id: 42" in copied
    with page.expect_download() as download:
        page.get_by_role("link", name="Download SIP (.txt)").click()
    assert download.value.suggested_filename == "sip-keys_x.txt"
    page.screenshot(path=str(ARTIFACTS / "ladder-keyboard-copy.png"))
