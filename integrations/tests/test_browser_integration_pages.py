"""What an admin sees in a real browser (issue 11 items 7, 8, 9, 11): the fleet overview, the task-first
integration page and its tabs, the run page's live node list, and a teardown confirmed by name that ends
on a page with a way back. Screenshots at 1440 px and 420 px go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from calls.tests.factories import SipCallFactory
from integrations.choices import IntegrationKind
from integrations.diagnostics.models import DiagnosticReport
from integrations.encryption import encrypt_secrets
from integrations.engine.conditions import ConditionStatus, ConditionType, Reason, set_condition
from integrations.models import Integration
from integrations.models.engine import (
    EventOutcome,
    NodeStatus,
    ResourceNode,
    Run,
    RunEvent,
    RunKind,
    RunState,
)
from integrations.tasks import execute_run_task
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.tests.factories import PASSWORD
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VAPI_401 = "the source IP is not on Vapi's allow list"
WIDTHS = (1440, 420)


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def shots(page: Page, name: str) -> None:
    """The page at both widths, full length."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"ui-health-{name}-{width}.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        # what reaches past the page, outside the scrollers (a table or the tabs may scroll inside)
        culprits = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            f"{width} && !(e.parentElement && e.parentElement.closest('.table-wrap, .tabs')))"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert wide <= width, f"{name} is {wide} px wide at {width} px: {culprits}"
    page.set_viewport_size({"width": 1280, "height": 900})


def applied() -> list[dict[str, Any]]:
    conditions = set_condition([], ConditionType.READY, ConditionStatus.TRUE, Reason.AVAILABLE)
    conditions = set_condition(
        conditions, ConditionType.SYNCED, ConditionStatus.TRUE, Reason.RECONCILE_SUCCESS
    )
    return set_condition(
        conditions, ConditionType.REGISTERED, ConditionStatus.TRUE, "Registered", "Calls can get through."
    )


def broken_integration(world: TenantWorld) -> Integration:
    """Registered green, but the last call failed 401 and diagnostics found two problems."""
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI, conditions=applied()
    )
    for name, type_, outputs in [
        (
            "voice_connector",
            "chime.voice_connector",
            {"id": "vc123", "host": "vc123.voiceconnector.chime.aws"},
        ),
        ("vapi_credential", "vapi.credential", {"sip_host": "cred-1.sip.vapi.ai"}),
        (
            "sip_credentials",
            "patchbay.sip_credentials",
            {"username": "pb-u", "sealed": encrypt_secrets({"p": "x"})},
        ),
    ]:
        ResourceNode.objects.create(
            tenant=world.tenant,
            integration=integration,
            node=name,
            type=type_,
            status=NodeStatus.READY,
            external_id=outputs.get("id", name),
            outputs=outputs,
        )
    SipCallFactory(tenant=world.tenant, integration=integration, final_status=401, reason=VAPI_401)
    DiagnosticReport.objects.create(
        tenant=world.tenant,
        integration=integration,
        findings=[
            {
                "check": "missing-gateway",
                "title": "Vapi gateways match the connector",
                "status": "problem",
                "severity": "error",
                "message": "99.77.253.150 is not a gateway of the Vapi credential.",
                "fix": "Reconcile or apply the integration.",
            },
            {
                "check": "sip-logging",
                "title": "Connector SIP message logging is on",
                "status": "problem",
                "severity": "warning",
                "message": "SIP logging is off.",
            },
        ],
    )
    return integration


def test_overview_and_integration_page_put_health_and_actions_first(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    page = browser_page
    integration = broken_integration(world)
    fine = IntegrationFactory(tenant=world.tenant, name="back-office", conditions=applied())
    SipCallFactory(tenant=world.tenant, integration=fine, final_status=200)
    log_in(page, live_server.url, world.users[Role.OPERATOR].email)
    headline = f"Degraded: the last call failed 401 — {VAPI_401}"

    # The fleet overview: counts by health in words, who needs attention, the failed call.
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    counts = page.get_by_test_id("health-counts")
    expect(counts.locator("[data-status=degraded]")).to_have_text("1 Degraded")
    expect(counts.locator("[data-status=healthy]")).to_have_text("1 Healthy")
    attention = page.get_by_test_id("needs-attention")
    expect(attention.locator("tr[data-integration=front-desk]")).to_contain_text(headline)
    expect(attention.locator("tr[data-integration=back-office]")).to_have_count(0)
    expect(page.get_by_test_id("failed-calls")).to_contain_text(VAPI_401)
    shots(page, "fleet-overview")

    # The list says the same.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Integrations").click()
    expect(page.locator("tr", has_text="front-desk").get_by_test_id("health")).to_have_text(headline)

    # The integration page: health, last run, last call and problems, then the actions, above the fold.
    page.get_by_role("link", name="front-desk").click()
    summary = page.get_by_test_id("integration-summary")
    expect(summary.get_by_test_id("health")).to_have_text(headline)
    expect(summary.get_by_test_id("last-call")).to_contain_text("401")
    expect(summary.get_by_test_id("open-problems")).to_contain_text("2 problems")
    apply = page.get_by_role("button", name="Apply", exact=True)
    expect(apply).to_be_in_viewport()
    box = apply.bounding_box()
    assert box is not None and box["y"] < 600
    expect(page.get_by_role("link", name="Tear down")).to_be_in_viewport()

    # Tabs work without any script of ours: Overview first, the others on demand.
    expect(page.get_by_test_id("status-panel")).to_be_visible()
    expect(page.get_by_test_id("diagnostics-panel")).to_be_hidden()
    expect(page.get_by_test_id("config").locator("pre")).to_be_hidden()  # collapsed
    page.get_by_role("link", name="Diagnostics").click()
    expect(page.get_by_test_id("diagnostics-panel")).to_be_visible()
    expect(page.get_by_test_id("status-panel")).to_be_hidden()
    expect(page.locator("tr[data-check=missing-gateway]")).to_contain_text(
        "Reconcile or apply the integration."
    )
    page.get_by_role("link", name="Resources", exact=True).click()
    resources = page.get_by_test_id("resource-table")
    expect(resources).to_be_visible()
    sealed = resources.locator("tr[data-node=sip_credentials]")
    sealed.locator("summary").click()
    expect(sealed.locator(".outputs")).to_contain_text("sealed sealed")
    page.get_by_role("link", name="Probes").click()
    expect(page.get_by_test_id("probes")).to_contain_text("cred-1.sip.vapi.ai:5060")
    expect(page.get_by_test_id("probes")).not_to_contain_text("No SIP target yet")
    page.goto(f"{live_server.url}/integrations/{integration.pk}/")
    shots(page, "integration-page")


def test_the_run_page_shows_each_node_live_and_the_failed_one_with_its_error(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    page = browser_page
    integration = IntegrationFactory(
        tenant=world.tenant, name="front-desk", kind=IntegrationKind.CONNECT_VAPI
    )
    run = Run.objects.create(
        tenant=world.tenant,
        integration=integration,
        integration_name=integration.name,
        kind=RunKind.APPLY,
        state=RunState.RUNNING,
        progress=5,
    )

    def event(node: str, action: str, outcome: str, message: str = "") -> None:
        RunEvent.objects.create(
            tenant=world.tenant, run=run, node=node, action=action, outcome=outcome, message=message
        )

    event("iam_role", "apply", EventOutcome.STARTED)
    event("iam_role", "create", EventOutcome.OK)
    event("voice_connector", "apply", EventOutcome.STARTED)
    log_in(page, live_server.url, world.users[Role.VIEWER].email)
    page.goto(f"{live_server.url}/runs/{run.pk}/")

    nodes = page.get_by_test_id("run-nodes")
    expect(nodes.locator("tbody tr")).to_have_count(18)
    expect(nodes.locator("tr[data-node=iam_role]")).to_have_attribute("data-state", "done")
    expect(nodes.locator("tr[data-node=voice_connector] [data-node-state]")).to_have_text("running")
    expect(nodes.locator("tr[data-node=contact_flow] [data-node-state]")).to_have_text("pending")
    expect(page.get_by_test_id("node-progress")).to_contain_text("1 of 18 resources finished")

    # The worker moves on: the page follows without a reload.
    event("voice_connector", "apply", EventOutcome.FAILED, "BadRequestException: Value 'x' at 'name' failed")
    event("origination", "skip", EventOutcome.SKIPPED, "not started: voice_connector did not finish")
    event("termination", "update", EventOutcome.OK, "cps_limit: 2 → 1")
    Run.objects.filter(pk=run.pk).update(state=RunState.FAILED, message="voice_connector: failed")

    failed = nodes.locator("tr[data-node=voice_connector]")
    expect(failed).to_have_attribute("data-state", "failed")
    expect(failed.locator(".node-error")).to_have_text(
        "Failed: BadRequestException: Value 'x' at 'name' failed"
    )
    expect(nodes.locator("tr[data-node=origination]")).to_contain_text("not started: voice_connector")
    expect(nodes.locator("tr[data-node=termination] .node-change")).to_have_text("cps_limit: 2 → 1")
    expect(page.get_by_test_id("node-progress")).to_contain_text("4 of 18 resources finished, 1 failed")
    expect(page.locator("[data-run-state]")).to_have_text("failed")
    shots(page, "run-page")


def test_teardown_is_confirmed_by_name_and_ends_with_a_way_back(
    live_server: Any, browser_page: Page, world: TenantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test plays the worker below: a real one left running by an earlier test must not take the run.
    # (queue_run publishes with apply_async: patching `delay` left the run to any worker still running.)
    monkeypatch.setattr(execute_run_task, "apply_async", lambda *args, **kwargs: None)
    page = browser_page
    integration = broken_integration(world)
    log_in(page, live_server.url, world.users[Role.OPERATOR].email)
    page.goto(f"{live_server.url}/integrations/{integration.pk}/")

    page.get_by_role("link", name="Tear down").click()
    expect(page.get_by_role("heading", name="Delete front-desk?")).to_be_visible()
    doomed = page.get_by_test_id("doomed-resources")
    expect(doomed.locator("tbody tr")).to_have_count(3)
    expect(doomed).to_contain_text("vc123")
    page.get_by_label("Type front-desk to confirm").fill("front-desk-2")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("“front-desk-2” is not this integration's name")).to_be_visible()
    assert not Run.objects.exists()
    shots(page, "teardown-confirm")

    page.get_by_label("Type front-desk to confirm").fill("front-desk")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Teardown run #", exact=False)).to_be_visible()

    # What the worker does once every resource is gone; the open page notices and offers a way back.
    run = Run.objects.get(kind=RunKind.TEARDOWN)
    Run.objects.filter(pk=run.pk).update(state=RunState.SUCCEEDED, progress=100)
    Integration.objects.filter(pk=integration.pk).delete()
    expect(page.get_by_text("Every resource is gone and the integration was deleted.")).to_be_visible()
    expect(page.locator(f'a[href="/integrations/{integration.pk}/"]')).to_have_count(0)
    page.get_by_role("link", name="Back to the integrations").click()
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="front-desk")).to_have_count(0)
