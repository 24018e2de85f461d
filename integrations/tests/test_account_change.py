"""An applied integration may not move to another provider account: API and form (issue 11, item 3).

The engine knows an integration's vendor objects only through the account that made them:
switching the account would plan creates in the new one and orphan the old one's objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from integrations.choices import IntegrationKind
from integrations.models import Integration
from integrations.models.engine import ResourceNode
from integrations.tests.dashboard_forms import integration_post
from integrations.tests.factories import VALID_CONFIG, IntegrationFactory, ProviderAccountFactory
from tenants.choices import Role
from testing.html import field_errors
from testing.world import TenantWorld

KIND = IntegrationKind.TWILIO_SYNTHFLOW


def _applied(world: TenantWorld) -> Integration:
    """A twilio_synthflow integration holding a Synthflow number and a Twilio number's voice URLs."""
    integration = IntegrationFactory(tenant=world.tenant, name="calls", kind=KIND)
    for node, node_type, external_id in (
        ("custom_number", "synthflow.custom_number", "+14155550100"),
        ("number_voice", "twilio.number_voice", "PN" + "0" * 32),
    ):
        ResourceNode.objects.create(
            tenant=world.tenant,
            integration=integration,
            node=node,
            type=node_type,
            status="ready",
            external_id=external_id,
        )
    return integration


def _patch(world: TenantWorld, integration: Integration, **accounts: Any) -> Any:
    body = {"accounts": {**integration.account_ids(), **{k: str(v.pk) for k, v in accounts.items()}}}
    return world.api(Role.OPERATOR).patch(f"/api/v1/integrations/{integration.pk}/", body, format="json")


def test_the_api_refuses_to_move_an_applied_integration_to_another_account(world: TenantWorld) -> None:
    integration = _applied(world)
    old = integration.account("synthflow")
    other = ProviderAccountFactory(tenant=world.tenant, kind="synthflow", name="second workspace")

    response = _patch(world, integration, synthflow=other)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    message = body["errors"]["accounts.synthflow"][0]
    assert f"1 object(s) in the Synthflow account {old.name!r}" in message
    assert "Tear the integration down first" in message
    integration.refresh_from_db()
    assert integration.account_ids()["synthflow"] == str(old.pk)


def test_an_integration_never_applied_may_change_accounts(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls", kind=KIND)
    other = ProviderAccountFactory(tenant=world.tenant, kind="synthflow", name="second workspace")

    response = _patch(world, integration, synthflow=other)

    assert response.status_code == 200, response.json()
    assert response.json()["accounts"]["synthflow"] == str(other.pk)


def test_an_integration_whose_objects_are_all_deleted_may_change_accounts(world: TenantWorld) -> None:
    integration = _applied(world)
    ResourceNode.objects.filter(integration=integration).update(status="deleted")
    other = ProviderAccountFactory(tenant=world.tenant, kind="twilio", name="second twilio")

    assert _patch(world, integration, twilio=other).status_code == 200


@pytest.fixture
def operator(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Client:
    return dashboard_client(world.users[Role.OPERATOR])


def test_the_edit_form_shows_why_the_account_cannot_change(world: TenantWorld, operator: Client) -> None:
    integration = _applied(world)
    other = ProviderAccountFactory(tenant=world.tenant, kind="synthflow", name="second workspace")
    accounts = {"twilio": integration.account("twilio"), "synthflow": other}

    response = operator.post(
        reverse("integrations:integration-edit", args=[integration.pk]),
        integration_post(KIND, accounts, VALID_CONFIG[KIND]),
    )

    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "accounts.synthflow")
    assert any("Tear the integration down first" in error for error in errors)
    integration.refresh_from_db()
    assert integration.account_ids()["synthflow"] != str(other.pk)
