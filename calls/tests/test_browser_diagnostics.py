"""An admin sees why calls fail, in a real browser: after apply (sandbox + a real Celery worker) the
registration badge is green; after the connector's IPs move and a simulated call fails with 401, the
diagnostics panel shows the missing-gateway finding with its fix; reconciling turns it green again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from integrations.models.engine import RunKind, RunState
from integrations.tests.engine_support import (
    Sandbox,
    events_text,
    make_connect_vapi,
    narrow_vapi_gateways,
    run_to_end,
)
from tenants.tests.factories import PASSWORD
from testing.processes import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

#: milliseconds a reconcile may take in the browser (2 shared cores, a real worker)
RUN_TIMEOUT_MS = 180_000


def test_missing_gateway_is_found_explained_and_healed(
    live_server: Any, browser_page: Page, sandbox: Sandbox, engine_worker: Any
) -> None:
    page = browser_page
    setup = make_connect_vapi(sandbox, slug="diag")
    applied = run_to_end(setup.integration, RunKind.APPLY)
    assert applied.state == RunState.SUCCEEDED, events_text(applied)
    owner = setup.tenant.memberships.get().user
    owner.username = owner.email  # the login form takes the email as the user name
    owner.set_password(PASSWORD)
    owner.save()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The list shows the Registered badge green; the integration page says why, component by component.
    page.goto(f"{live_server.url}/integrations/")
    row = page.locator("tr", has_text="front-desk")
    expect(row.locator(".badge", has_text="Registered")).to_have_class("badge badge-green")
    page.goto(f"{live_server.url}/integrations/{setup.integration.pk}/")
    panel = page.get_by_test_id("status-panel")
    badge = panel.get_by_test_id("registered-badge")
    expect(badge).to_have_attribute("data-status", "True")
    expect(badge).to_have_class("badge badge-green")
    expect(panel.locator("tr[data-component='Vapi phone number']")).to_contain_text(
        "Vapi reports the number active"
    )
    expect(panel.locator("tr[data-component='Resources']")).to_contain_text("All 18 resources are ready")
    diagnostics = page.get_by_test_id("diagnostics-panel")
    expect(diagnostics.get_by_test_id("diagnostics-summary")).to_have_text("No problems")
    panel.screenshot(path=str(ARTIFACTS / "status-panel-registered.png"))

    # Someone narrows the gateways to two addresses; the connector sends from elsewhere in its
    # range (AWS.md §5.2), and Vapi now refuses the calls with 401.
    narrow_vapi_gateways(sandbox, setup, ["3.80.16.150", "3.80.16.151"])
    sandbox.post("options", {"chime": {"connector_source_ip": "3.80.17.150"}})
    call = {"via": "connect", "from": "+15105550101", "to": setup.connect_phone_number}
    assert sandbox.call(**call)["status"] == 401

    page.get_by_role("link", name="Diagnostics").click()  # the integration page's tab
    page.get_by_test_id("run-diagnostics").click()
    expect(page.get_by_text("Diagnostics found 1 problem.")).to_be_visible()
    finding = page.locator("tr[data-check='missing-gateway']")
    expect(finding).to_have_attribute("data-status", "problem")
    expect(finding).to_contain_text("3.80.16.0/24, 3.80.17.0/24")
    expect(finding).to_contain_text("401 Unauthorized")
    expect(finding.locator("td.fix")).to_contain_text("Reconcile or apply the integration")
    expect(page.get_by_test_id("diagnostics-summary")).to_have_text("1 problem")
    page.get_by_test_id("diagnostics-panel").screenshot(
        path=str(ARTIFACTS / "diagnostics-missing-gateway.png")
    )

    # The fix: reconcile from the page; the worker rewrites the gateways and re-runs the checks.
    page.get_by_role("button", name="Reconcile", exact=True).click()
    expect(page.locator("[data-run-state]")).to_have_text(RunState.SUCCEEDED, timeout=RUN_TIMEOUT_MS)
    page.goto(f"{live_server.url}/integrations/{setup.integration.pk}/")
    expect(page.get_by_test_id("diagnostics-summary")).to_have_text("No problems")
    expect(page.locator("tr[data-check='missing-gateway']")).to_have_attribute("data-status", "ok")
    expect(page.get_by_test_id("registered-badge")).to_have_class("badge badge-green")
    page.get_by_test_id("status-panel").screenshot(path=str(ARTIFACTS / "status-panel-after-fix.png"))
    assert sandbox.call(**call)["status"] == 200
