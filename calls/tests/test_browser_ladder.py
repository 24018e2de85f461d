"""The ladder in a real browser (Playwright, Debian's Chromium): after a simulated call, the integration
page draws it with an arrow per message, and clicking the INVITE shows the raw message with the x-
headers that reached Vapi. An uploaded trace (any vendor's) becomes the same ladder. Screenshots go to
conftest.ARTIFACTS."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from calls.models import SipCall
from calls.tests import capture_files
from calls.tests.e2e_support import fetch, place_call, sip_call_id, wait_for_the_end
from calls.tests.trace_support import answered_packets
from tenants.choices import Role
from tenants.models import Tenant
from tenants.tests.factories import PASSWORD, MembershipFactory
from testing.processes import ARTIFACTS
from testing.world import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base_url: str, tenant: Tenant, role: str = Role.OPERATOR) -> None:
    user = member(tenant, role)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()


@pytest.mark.worker
def test_the_integration_page_draws_the_call_and_the_invite_shows_its_x_headers(
    live_server: Any, browser_page: Page, applied: Any, tmp_path: Any
) -> None:
    sandbox, setup, worker = applied
    answered = place_call(sandbox, setup)
    assert answered["status"] == 200, answered
    wait_for_the_end(answered)
    fetch(setup, worker)
    call = SipCall.objects.get(integration=setup.integration, call_id=sip_call_id(answered["sip"][0]["raw"]))
    # An arrow for the PSTN leg reaching the SIP media application, one per answer of the SMA Lambda,
    # and one per SIP message the connector exchanged with Vapi.
    expected_arrows = 1 + len(answered["lambda"]["sma"]["invocations"]) + len(answered["sip"])
    assert call.messages.count() == expected_arrows
    page = browser_page

    log_in(page, live_server.url, setup.tenant)
    page.goto(f"{live_server.url}/integrations/{setup.integration.pk}/#tab-calls")  # the Calls tab

    panel = page.get_by_test_id("recent-calls")
    ladder = panel.locator("svg.sip-ladder")
    expect(ladder).to_be_visible()
    expect(ladder.locator("a.arrow")).to_have_count(expected_arrows)
    expect(panel.locator("tr.call-row")).to_have_count(1)
    expect(panel.locator("tr.call-row .badge")).to_have_text("200")
    ladder.screenshot(path=str(ARTIFACTS / "ladder-connect-vapi.png"))

    invite = ladder.locator('a.arrow[data-label="INVITE"]')
    expect(invite).to_have_count(1)
    invite.click()
    raw = panel.locator(".sip-raw:target")
    expect(raw).to_be_visible()
    expect(raw.locator("pre")).to_contain_text(f"INVITE {answered['request_uri']} SIP/2.0")
    for name, value in answered["delivered_headers"].items():
        expect(raw.locator("pre mark", has_text=f"{name}: {value}")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "ladder-connect-vapi-invite.png"), full_page=False)

    raw.get_by_role("link", name="Close").click()
    expect(panel.locator(".sip-raw:visible")).to_have_count(0)


def test_an_uploaded_trace_is_drawn_and_its_arrows_open_their_messages(
    live_server: Any, browser_page: Page, tmp_path: Any
) -> None:
    tenant = MembershipFactory().tenant
    trace = tmp_path / "genesys-export.pcap"
    trace.write_bytes(capture_files.pcap(answered_packets("genesys-call@x")))
    page = browser_page
    log_in(page, live_server.url, tenant)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="SIP traces").click()
    page.get_by_label("Trace file").set_input_files(str(trace))
    page.get_by_role("button", name="Upload and draw").click()

    expect(page.get_by_role("heading", name="genesys-export.pcap")).to_be_visible()
    ladder = page.locator("svg.sip-ladder")
    expect(ladder.locator("a.arrow")).to_have_count(7)
    ladder.screenshot(path=str(ARTIFACTS / "ladder-uploaded-trace.png"))
    ladder.locator('a.arrow[data-label="BYE"]').click()
    expect(page.locator(".sip-raw:target pre")).to_contain_text("BYE sip:")
