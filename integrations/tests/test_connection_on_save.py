"""Test connection through the API and the dashboard: on save and on demand (issue 11, item 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import ProviderAccount
from integrations.tests.engine_support import Sandbox
from tenants.choices import Role
from testing.world import TenantWorld


@pytest.fixture
def checks_on(sandbox: Sandbox, settings: Any) -> Sandbox:
    settings.VENDOR_CHECKS_ON_SAVE = True
    return sandbox


def test_creating_an_account_through_the_api_answers_its_connection_test(
    world: TenantWorld, checks_on: Sandbox
) -> None:
    created = checks_on.post("accounts", {"vendor": "twilio"})
    body = {
        "name": "twilio main",
        "kind": "twilio",
        "settings": {"account_sid": created["account_sid"]},
        "secrets": {"auth_token": "f" * 32},
    }

    response = world.api(Role.OPERATOR).post("/api/v1/accounts/", body, format="json")

    assert response.status_code == 201, response.json()
    connection = response.json()["connection"]
    assert connection["status"] == "refused"
    assert connection["ok"] is False
    assert "Twilio refused the account SID and auth token" in connection["message"]
    assert "f" * 32 not in response.content.decode()
    account_id = response.json()["id"]

    fixed = world.api(Role.OPERATOR).patch(
        f"/api/v1/accounts/{account_id}/", {"secrets": {"auth_token": created["auth_token"]}}, format="json"
    )

    assert fixed.status_code == 200
    assert fixed.json()["connection"]["status"] == "ok"


def test_the_api_tests_an_account_on_demand(world: TenantWorld, sandbox: Sandbox) -> None:
    created = sandbox.post("accounts", {"vendor": "vapi"})
    account = ProviderAccount(tenant=world.tenant, name="vapi", kind="vapi", settings={"region": "us"})
    account.set_secrets({"api_key": created["api_key"]})
    account.save()
    url = f"/api/v1/accounts/{account.pk}/test-connection/"

    answer = world.api(Role.OPERATOR).post(url)
    viewer = world.api(Role.VIEWER).post(url)

    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "ok": True,
        "message": "Vapi accepted the private API key (US region).",
    }
    assert viewer.status_code == 403
    assert set(viewer.json()) >= {"detail", "code"}


def test_the_dashboard_tests_on_save_and_on_demand(
    world: TenantWorld, checks_on: Sandbox, dashboard_client: Callable[[Any], Client]
) -> None:
    created = checks_on.post("accounts", {"vendor": "genesys"})
    operator = dashboard_client(world.users[Role.OPERATOR])
    form = {
        "name": "genesys main",
        "settings.region": created["region"],
        "settings.client_id": created["client_id"],
        "secrets.client_secret": "not-the-secret",
    }

    saved = operator.post(reverse("integrations:account-new") + "?kind=genesys", form, follow=True)

    page = saved.content.decode()
    assert "Provider account genesys main created." in page
    assert "Connection test failed: Genesys Cloud refused the OAuth client" in page
    assert "not-the-secret" not in page
    account = ProviderAccount.objects.get(name="genesys main")
    account.set_secrets({"client_secret": created["client_secret"]})
    account.save()
    assert (
        "Test connection"
        in operator.get(reverse("integrations:account-detail", args=[account.pk])).content.decode()
    )

    tested = operator.post(reverse("integrations:account-test-connection", args=[account.pk]), follow=True)

    assert "Connection test passed: Genesys Cloud (us_west_2) issued a token" in tested.content.decode()
