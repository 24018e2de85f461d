"""The integration page tells the admin what to finish by hand, with exact values to paste."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld


def page(client: Client, integration: Any) -> str:
    return client.get(reverse("integrations:integration-detail", args=[integration.pk])).content.decode()


def test_genesys_page_shows_the_byoc_fqdn_and_the_architect_hint(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="genesys_synthflow", name="cc")

    html = page(dashboard_client(world.users[Role.VIEWER]), integration)

    assert "acme-synthflow.byoc.usw2.pure.cloud" in html
    assert "In Architect, add a Transfer to Number action" in html
    assert "sip:+12065550123@sip.synthflow.ai:32681" in html


@override_settings(PUBLIC_BASE_URL="https://patchbay.example.com/")
def test_twilio_page_shows_the_exact_webhook_url(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="twilio_synthflow", name="phones")

    html = page(dashboard_client(world.users[Role.VIEWER]), integration)

    assert f"https://patchbay.example.com/hooks/twilio/voice/{integration.public_id}" in html
