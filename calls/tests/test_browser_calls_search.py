"""Support staff in a real browser (Playwright, Debian's Chromium): search an integration's calls by
number and outcome; probe a silent SIP target and watch the page show the probe running, then its
result without reloading by hand; see Up in green and Down in red. Screenshots go to
conftest.ARTIFACTS (calls-search-1440.png, calls-search-420.png, probes-*.png)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from calls.choices import TargetState
from calls.tests.factories import SipTargetFactory, integration_with_sip_peer
from calls.tests.stored_calls import three_calls
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.browser import log_in_by_cookie
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREEN, RED = "rgb(22, 121, 74)", "rgb(180, 35, 24)"  # --green and --red of patchbay.css


def test_support_staff_search_calls_by_number_and_outcome(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi", name="support-line")
    three_calls(integration)
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in_by_cookie(page, live_server.url, world.users[Role.VIEWER])
    page.goto(f"{live_server.url}/integrations/{integration.pk}/calls/")
    rows = page.locator("tr.call-row")
    expect(rows).to_have_count(3)

    search = page.get_by_role("search", name="Search calls")
    search.get_by_label("Number").fill("+1510")
    search.get_by_label("Outcome").fill("failed")
    search.get_by_role("button", name="Search").click()

    expect(page.get_by_role("status")).to_have_text("1 call found.")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator(".call-parties")).to_have_text("+15105550177 → +18005550199")
    expect(row.locator(".call-outcome")).to_have_text("Failed (486)")
    expect(row.locator(".call-far-end strong")).to_have_text("Vapi")  # in words, its address below
    expect(row.locator(".call-reason")).to_contain_text("busy")
    expect(search.get_by_label("Number")).to_have_value("+1510")  # the search stays in the form
    page.screenshot(path=str(ARTIFACTS / "calls-search-1440.png"), full_page=True)
    page.set_viewport_size({"width": 420, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.screenshot(path=str(ARTIFACTS / "calls-search-420.png"), full_page=True)

    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(3)


@pytest.mark.worker
def test_probe_now_runs_in_a_worker_and_the_page_shows_it_running_then_its_result(
    live_server: Any, browser_page: Page, world: TenantWorld, celery_worker_process: Any, silent_udp_port: int
) -> None:
    integration = integration_with_sip_peer(world.tenant, silent_udp_port)  # answers nothing: a slow probe
    page = browser_page
    log_in_by_cookie(page, live_server.url, world.users[Role.OPERATOR])
    page.goto(f"{live_server.url}/integrations/{integration.pk}/probes/")

    page.get_by_role("button", name="Probe now").click()

    status = page.get_by_test_id("probe-request")
    expect(status).to_contain_text("Probing the SIP targets")  # the page answered before the probe did
    expect(page.get_by_role("button", name="Probe now")).to_be_disabled()
    page.screenshot(path=str(ARTIFACTS / "probes-running.png"))
    # The page reloads itself until the worker is done: the timeout appears without a manual reload.
    expect(status).to_contain_text("Probed 1 SIP target: 0 answered.", timeout=30_000)
    expect(page.locator("tr.probe-failed").first).to_contain_text("No answer (timeout)")
    expect(page.get_by_role("button", name="Probe now")).to_be_enabled()
    page.screenshot(path=str(ARTIFACTS / "probes-done.png"), full_page=True)


def test_up_is_green_and_down_is_red(live_server: Any, browser_page: Page, world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant)
    SipTargetFactory(
        tenant=world.tenant, integration=integration, host="up.example.com", state=TargetState.UP
    )
    SipTargetFactory(
        tenant=world.tenant, integration=integration, host="down.example.com", state=TargetState.DOWN
    )
    page = browser_page
    log_in_by_cookie(page, live_server.url, world.users[Role.VIEWER])

    page.goto(f"{live_server.url}/integrations/{integration.pk}/probes/")

    up = page.locator("tr", has_text="up.example.com").locator(".badge")
    down = page.locator("tr", has_text="down.example.com").locator(".badge")
    expect(up).to_have_text("Up")
    expect(down).to_have_text("Down")
    expect(up).to_have_css("color", GREEN)
    expect(down).to_have_css("color", RED)
