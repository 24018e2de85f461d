"""An operator provisions connect_vapi from the dashboard in a real browser, against the sandbox and a
real Celery worker: create through the forms, see the plan, apply with a live progress bar, download the
contact flow, tear it down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from integrations.actions import create_provider_account, update_provider_account
from integrations.engine.names import integration_prefix
from integrations.models import Integration
from integrations.models.engine import ResourceNode, Run, RunKind, RunState
from integrations.tests.engine_support import Sandbox
from tenants.audit import Actor
from tenants.choices import Role
from tenants.tests.factories import PASSWORD
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

#: milliseconds a whole apply or teardown may take in the browser (2 shared cores, a real worker)
RUN_TIMEOUT_MS = 180_000


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"browser-engine-{name}.png"), full_page=True)


def sandbox_accounts(sandbox: Sandbox, world: TenantWorld) -> dict[str, str]:
    """AWS and Vapi provider accounts of the tenant at the sandbox; the ids a user would copy from them."""
    actor = Actor.system()
    aws = create_provider_account(
        world.tenant,
        name="acme aws",
        kind="aws",
        settings={"role_arn": "arn:aws:iam::123456789012:role/pending", "region": "us-east-1"},
        secrets={},
        actor=actor,
    )
    given = sandbox.post(
        "accounts",
        {"vendor": "aws", "external_id": aws.external_id, "permission_policy": aws.permission_policy()},
    )
    update_provider_account(
        aws, actor=actor, settings={"role_arn": given["role_arn"], "region": given["region"]}
    )
    vapi = sandbox.post("accounts", {"vendor": "vapi"})
    create_provider_account(
        world.tenant,
        name="acme vapi",
        kind="vapi",
        settings={"region": "us"},
        secrets={"api_key": vapi["api_key"]},
        actor=actor,
    )
    return {
        "connect_instance_id": given["connect_instance_id"],
        "assistant_id": vapi["assistant_id"],
        "api_key": vapi["api_key"],
    }


def wait_for_run_page(page: Page, state: str) -> None:
    """The run page's bar and badge, updated by its poller, reach the end."""
    expect(page.locator("[data-run-state]")).to_have_text(state, timeout=RUN_TIMEOUT_MS)
    if state == RunState.SUCCEEDED:
        expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")


def test_operator_creates_plans_applies_downloads_the_flow_and_tears_down(
    live_server: Any, browser_page: Page, world: TenantWorld, sandbox: Sandbox, engine_worker: Any
) -> None:
    page = browser_page
    ids = sandbox_accounts(sandbox, world)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(world.users[Role.OPERATOR].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Create the integration through the forms.
    page.get_by_role("link", name="New integration").first.click()
    page.get_by_role("link", name="Amazon Connect → Vapi").click()
    page.locator('[name="name"]').fill("front-desk")
    page.locator('[name="accounts.aws"]').select_option(label="acme aws (aws)")
    page.locator('[name="accounts.vapi"]').select_option(label="acme vapi (vapi)")
    page.locator('[name="config.connect_instance_id"]').fill(ids["connect_instance_id"])
    page.locator('[name="config.area_code"]').fill("503")
    page.locator('[name="config.vapi_assistant_id"]').fill(ids["assistant_id"])
    page.locator('[name="config.sip_uri_user"]').fill("frontdesk")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_text("Integration front-desk created.")).to_be_visible()
    integration = Integration.objects.get(name="front-desk")
    prefix = integration_prefix(world.tenant.slug, integration.name)
    shot(page, "01-created")

    # The plan, before anything exists: every node created, outputs of earlier nodes known after apply.
    page.get_by_role("button", name="Plan", exact=True).click()
    expect(page.get_by_role("heading", name="Plan of front-desk")).to_be_visible()
    summary = page.get_by_test_id("plan-summary")
    expect(summary).to_contain_text("to create")
    expect(summary).to_contain_text("0 to update")
    plan_table = page.get_by_test_id("plan-table")
    expect(plan_table.locator("tr[data-node=voice_connector]")).to_contain_text("create")
    expect(plan_table.locator("tr[data-node=vapi_phone_number]")).to_contain_text("(known after apply)")
    assert sandbox.objects_named(prefix) == []  # planning changed nothing
    shot(page, "02-plan")

    # Apply: the run page fills its bar and event list from the JSON endpoint while the worker runs.
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("heading", name="Apply run #", exact=False)).to_be_visible()
    wait_for_run_page(page, RunState.SUCCEEDED)
    # Every node has its row and state (CloudFormation's resources tab), kept current by the poller.
    nodes = page.get_by_test_id("run-nodes")
    expect(nodes.locator("tr[data-node=contact_flow]")).to_have_attribute("data-state", "done")
    expect(nodes.locator("tbody tr:not([data-state=done])")).to_have_count(0)
    page.get_by_text("Events", exact=True).click()  # the event log is collapsed under the nodes
    events = page.get_by_test_id("run-events")
    # These rows were not on the page when it loaded (the run had just been queued): the poller added them.
    expect(events.locator("tr", has_text="contact_flow").first).to_be_visible()
    expect(events.locator("tr", has_text="voice_connector").last).to_contain_text("ok")  # after "started"
    run = Run.objects.filter(integration=integration, kind=RunKind.APPLY).get()
    assert run.state == RunState.SUCCEEDED
    shot(page, "03-applied")

    # Download the contact flow: the transfer block sends the call to the Chime number.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download contact flow").click()
    path = Path(download_info.value.path())
    flow = json.loads(path.read_text())
    (ARTIFACTS / "browser-engine-contact-flow.json").write_text(json.dumps(flow, indent=2))
    chime_number = ResourceNode.objects.get(integration=integration, node="phone_number").outputs["e164"]
    transfer = next(a for a in flow["Actions"] if a["Type"] == "TransferParticipantToThirdParty")
    assert transfer["Parameters"]["ThirdPartyPhoneNumber"] == chime_number
    assert transfer["Parameters"]["ThirdPartyConnectionTimeLimitSeconds"] == "30"

    # The integration page: every resource ready with its outputs, Ready and Synced true.
    page.get_by_role("link", name="Back to front-desk").click()
    page.get_by_role("link", name="Resources", exact=True).click()  # the integration page's tab
    resources = page.get_by_test_id("resource-table")
    expect(resources.locator("tbody tr")).to_have_count(
        ResourceNode.objects.filter(integration=integration).count()
    )
    expect(resources.locator("tbody tr", has_text="pending")).to_have_count(0)
    expect(resources.locator("tr[data-node=phone_number]")).to_contain_text(chime_number)
    shot(page, "04-resources")
    page.get_by_test_id("integration-tabs").get_by_role("link", name="Overview").click()
    expect(page.locator(".badge-green", has_text="Ready").first).to_be_visible()
    expect(page.locator(".badge-green", has_text="Synced").first).to_be_visible()
    assert ids["api_key"] not in page.content()

    # Tear down: confirm, then watch the teardown run; the row goes once every resource is gone.
    page.get_by_role("link", name="Tear down").click()
    expect(page.get_by_role("heading", name="Delete front-desk?")).to_be_visible()
    page.get_by_label("Type front-desk to confirm").fill("front-desk")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Teardown run #", exact=False)).to_be_visible()
    wait_for_run_page(page, RunState.SUCCEEDED)
    expect(page.get_by_text("Every resource is gone and the integration was deleted.")).to_be_visible()
    shot(page, "05-torn-down")
    assert not Integration.objects.filter(name="front-desk").exists()
    left = sandbox.objects_named(prefix)
    # AWS keeps a released number for a while in DeleteInProgress (AWS.md §1.3): not an orphan.
    assert [o for o in left if o["state"] != "DeleteInProgress"] == []

    page.get_by_role("link", name="Back to the integrations").click()
    expect(page.get_by_role("link", name="front-desk")).to_have_count(0)
