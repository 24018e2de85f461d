"""What an operator sees in a real browser (Playwright) while setting up accounts and integrations
against the sandbox: AWS onboarding in AWS's order with the role verified on save (items 5, 6),
pickers filled from the chosen accounts and made-up ids refused (item 4), and an applied
integration that may not move to another account (item 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from integrations.models import ProviderAccount
from integrations.models.engine import ResourceNode
from integrations.tests.engine_support import Sandbox
from integrations.tests.factories import IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from tenants.tests.factories import PASSWORD
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checks_on(sandbox: Sandbox, settings: Any) -> Sandbox:
    # The live server runs in this process: it reads the sandbox through these settings.
    settings.VENDOR_CHECKS_ON_SAVE = True
    return sandbox


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"browser-accounts-{name}.png"), full_page=True)


def resolve(value: Any, account: str = "123456789012") -> Any:
    """A template value as CloudFormation resolves it in `account` (only `Fn::Sub` of the account)."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        return value["Fn::Sub"].replace("${AWS::AccountId}", account)
    if isinstance(value, dict):
        return {key: resolve(item, account) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, account) for item in value]
    return value


def log_in(page: Page, live_server: Any, world: TenantWorld) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(world.users[Role.OPERATOR].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _save(
    world: TenantWorld, kind: str, name: str, settings: dict[str, Any], secrets: dict[str, str]
) -> ProviderAccount:
    account = ProviderAccount(tenant=world.tenant, name=name, kind=kind, settings=settings)
    account.set_secrets(secrets)
    account.save()
    return account


def test_aws_onboarding_shows_the_policies_first_then_verifies_the_role(
    live_server: Any, browser_page: Page, world: TenantWorld, checks_on: Sandbox
) -> None:
    page = browser_page
    log_in(page, live_server, world)
    page.goto(f"{live_server.url}/provider-accounts/new/")
    page.get_by_role("link", name="AWS", exact=False).first.click()

    onboarding = page.get_by_test_id("aws-onboarding")
    expect(onboarding).to_contain_text("1. The external id Patchbay will use")
    external_id = page.get_by_test_id("onboarding-external-id").inner_text().strip()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-role-template").click()
    template = json.loads(Path(download_info.value.path()).read_text())
    assert template["Parameters"]["ExternalId"]["Default"] == external_id
    page.get_by_text("Permission policy: exactly the operations").click()
    expect(page.get_by_test_id("onboarding-permission-policy")).to_contain_text("chime:CreateVoiceConnector")
    # The steps are above the form that asks for the role ARN.
    steps_bottom = onboarding.bounding_box()
    arn_top = page.locator('[name="settings.role_arn"]').bounding_box()
    assert steps_bottom and arn_top and steps_bottom["y"] + steps_bottom["height"] <= arn_top["y"]
    shot(page, "01-aws-onboarding")

    # The customer creates the role (the sandbox plays AWS) with the shown external id and policy.
    policy = resolve(template["Resources"]["PatchbayRole"]["Properties"]["Policies"][0]["PolicyDocument"])
    role = checks_on.post(
        "accounts", {"vendor": "aws", "external_id": external_id, "permission_policy": policy}
    )
    page.locator('[name="name"]').fill("prod aws")
    page.locator('[name="settings.role_arn"]').fill(role["role_arn"])
    page.locator('[name="settings.region"]').select_option("us-east-1")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_text("Provider account prod aws created.")).to_be_visible()
    expect(page.get_by_text("Connection test passed: Patchbay assumed")).to_be_visible()
    shot(page, "02-aws-verified")


def test_a_role_that_does_not_trust_the_external_id_is_reported_in_words(
    live_server: Any, browser_page: Page, world: TenantWorld, checks_on: Sandbox
) -> None:
    page = browser_page
    other = ProviderAccount(kind="aws", external_id="pb-someone-else", settings={})
    role = checks_on.post(
        "accounts",
        {"vendor": "aws", "external_id": "pb-someone-else", "permission_policy": other.permission_policy()},
    )
    account = _save(world, "aws", "prod aws", {"role_arn": role["role_arn"], "region": "us-east-1"}, {})
    log_in(page, live_server, world)
    page.goto(f"{live_server.url}/provider-accounts/{account.pk}/")

    page.get_by_role("button", name="Test connection").click()

    message = page.get_by_role("status")
    expect(message).to_contain_text("Connection test failed")
    expect(message).to_contain_text(
        "does not trust Patchbay's AWS account 210987654321 with this external id"
    )
    shot(page, "03-not-trusted")


def test_pickers_offer_what_the_accounts_have_and_made_up_ids_are_refused(
    live_server: Any, browser_page: Page, world: TenantWorld, checks_on: Sandbox
) -> None:
    page = browser_page
    aws = _save(
        world, "aws", "acme aws", {"role_arn": "arn:aws:iam::123456789012:role/x", "region": "us-east-1"}, {}
    )
    given = checks_on.post(
        "accounts",
        {"vendor": "aws", "external_id": aws.external_id, "permission_policy": aws.permission_policy()},
    )
    aws.settings = {"role_arn": given["role_arn"], "region": "us-east-1"}
    aws.save()
    vapi_given = checks_on.post("accounts", {"vendor": "vapi", "assistant_name": "Front desk"})
    _save(world, "vapi", "acme vapi", {"region": "us"}, {"api_key": vapi_given["api_key"]})
    log_in(page, live_server, world)
    page.goto(f"{live_server.url}/integrations/new/?kind=connect_vapi")

    instance_status = page.locator("#picker-status-connect_instance_id")
    expect(instance_status).to_contain_text("Choose the account above")
    page.locator('[name="accounts.aws"]').select_option(label="acme aws (aws)")
    expect(instance_status).to_contain_text(given["connect_instance_id"])
    options = page.locator("#choices-connect_instance_id option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == given["connect_instance_id"]

    numbers_status = page.locator("#picker-status-connect_phone_numbers")
    expect(numbers_status).to_contain_text("Give connect_instance_id first")
    page.locator('[name="config.connect_instance_id"]').fill(given["connect_instance_id"])
    page.locator('[name="config.connect_instance_id"]').dispatch_event("change")
    expect(numbers_status).to_contain_text(given["connect_phone_number"])

    page.locator('[name="accounts.vapi"]').select_option(label="acme vapi (vapi)")
    expect(page.locator("#picker-status-vapi_assistant_id")).to_contain_text(
        f"Front desk · {vapi_given['assistant_id']}"
    )
    shot(page, "04-pickers")

    page.locator('[name="name"]').fill("front-desk")
    page.locator('[name="config.area_code"]').fill("503")
    page.locator('[name="config.vapi_assistant_id"]').fill("asst-made-up")
    page.locator('[name="config.sip_uri_user"]').fill("frontdesk")
    page.get_by_role("button", name="Create integration").click()

    field = page.locator('[data-field="config.vapi_assistant_id"]')
    expect(field.locator(".errorlist")).to_contain_text(
        "No Vapi assistant asst-made-up in the Vapi account 'acme vapi'"
    )
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    shot(page, "05-made-up-id")


def test_a_picker_falls_back_to_free_text_when_the_vendor_does_not_answer(
    live_server: Any, browser_page: Page, world: TenantWorld, sandbox: Sandbox, settings: Any
) -> None:
    page = browser_page
    _save(world, "vapi", "acme vapi", {"region": "us"}, {"api_key": "k"})
    ProviderAccountFactory(tenant=world.tenant, kind="aws", name="acme aws")
    settings.VAPI_BASE_URL = "http://127.0.0.1:9/vapi"  # the discard port: nothing answers
    log_in(page, live_server, world)
    page.goto(f"{live_server.url}/integrations/new/?kind=connect_vapi")

    page.locator('[name="accounts.vapi"]').select_option(label="acme vapi (vapi)")

    status = page.locator("#picker-status-vapi_assistant_id")
    expect(status).to_contain_text("Could not list each Vapi assistant from Vapi")
    expect(status).to_contain_text("You can type the value yourself.")
    expect(page.locator('[name="config.vapi_assistant_id"]')).to_be_editable()
    shot(page, "06-picker-unreachable")


def test_the_edit_form_refuses_to_move_an_applied_integration(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    page = browser_page
    integration = IntegrationFactory(tenant=world.tenant, name="calls", kind="twilio_synthflow")
    ResourceNode.objects.create(
        tenant=world.tenant,
        integration=integration,
        node="custom_number",
        type="synthflow.custom_number",
        status="ready",
        external_id="+14155550100",
    )
    ProviderAccountFactory(tenant=world.tenant, kind="synthflow", name="second workspace")
    log_in(page, live_server, world)
    page.goto(f"{live_server.url}/integrations/{integration.pk}/edit/")

    page.locator('[name="accounts.synthflow"]').select_option(label="second workspace (synthflow)")
    page.get_by_role("button", name="Save changes").click()

    field = page.locator('[data-field="accounts.synthflow"]')
    expect(field.locator(".errorlist")).to_contain_text("Tear the integration down first")
    shot(page, "07-account-change-refused")
