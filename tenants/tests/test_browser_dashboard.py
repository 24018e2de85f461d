"""An admin's first session in a real browser: log in, add accounts, create an integration, see the audit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from integrations.models import Integration, ProviderAccount
from tenants.choices import Role
from tenants.tests.factories import PASSWORD
from testing.processes import ARTIFACTS
from testing.world import TenantWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TWILIO_SID = "AC" + "5e" * 16


def shot(page: Page, name: str) -> None:
    """Keep a picture of this step for whoever reads the CI artifacts."""
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def nav(page: Page, section: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=section).click()


def add_account(page: Page, vendor_label: str, fields: dict[str, str]) -> None:
    """Provider accounts → New provider account → vendor → fill → create."""
    nav(page, "Provider accounts")
    page.get_by_role("link", name="New provider account").first.click()
    page.get_by_role("link", name=vendor_label).click()
    for name, value in fields.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Create account").click()


def test_admin_adds_accounts_creates_an_integration_and_sees_it_audited(
    live_server: Any, browser_page: Page, world: TenantWorld
) -> None:
    page = browser_page
    email = world.users[Role.ADMIN].email

    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, "01-login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.get_by_text("No integrations yet — add a provider account first")).to_be_visible()
    expect(page.get_by_test_id("tenant-switcher")).to_contain_text("Acme Inc")
    shot(page, "02-empty-integrations")

    add_account(
        page,
        "Twilio",
        {
            "name": "acme twilio",
            "settings.account_sid": TWILIO_SID,
            "secrets.auth_token": "tw-browser-secret",
        },
    )
    expect(page.get_by_text("Provider account acme twilio created.")).to_be_visible()
    expect(page.locator("dd", has_text="set")).to_be_visible()
    add_account(
        page,
        "Synthflow",
        {
            "name": "acme synthflow",
            "settings.region": "eu",
            "settings.workspace_id": "ws-42",
            "secrets.api_key": "sf-browser-secret",
        },
    )
    expect(page.get_by_text("Provider account acme synthflow created.")).to_be_visible()
    shot(page, "03-account")

    nav(page, "Integrations")
    page.get_by_role("link", name="New integration").first.click()
    page.get_by_role("link", name="Twilio → Synthflow").click()
    page.locator('[name="name"]').fill("front-door")
    page.locator('[name="accounts.twilio"]').select_option(label="acme twilio (twilio)")
    page.locator('[name="accounts.synthflow"]').select_option(label="acme synthflow (synthflow)")
    page.locator('[name="config.twilio_number"]').fill("+1 555")
    page.locator('[name="config.synthflow_assistant_id"]').fill("assistant-7")
    page.get_by_role("button", name="Create integration").click()

    number_field = page.locator('[data-field="config.twilio_number"]')
    expect(number_field.locator(".errorlist")).to_have_text(
        "Enter a valid phone number in E.164 form, e.g. +12065550100."
    )
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    shot(page, "04-bad-e164")
    assert not Integration.objects.exists()

    page.locator('[name="config.twilio_number"]').fill("+14155550100")
    page.get_by_role("button", name="Create integration").click()
    expect(page.get_by_text("Integration front-door created.")).to_be_visible()
    expect(page.get_by_role("heading", name="front-door")).to_be_visible()
    shot(page, "05-integration")
    integration = Integration.objects.get(name="front-door")
    assert integration.config["twilio_number"] == "+14155550100"
    assert integration.account("twilio") == ProviderAccount.objects.get(name="acme twilio")

    nav(page, "Audit log")
    created = page.locator("tr", has_text="integration.created")
    expect(created).to_contain_text("front-door")
    expect(created).to_contain_text(email)
    expect(page.locator("tr", has_text="account.created")).to_have_count(2)
    page.get_by_label("Action").select_option("integration.created")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    shot(page, "06-audit")
    assert "tw-browser-secret" not in page.content()
