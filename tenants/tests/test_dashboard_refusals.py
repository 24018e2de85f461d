"""Every dashboard POST is refused (403) to the roles below the one it needs, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from integrations.models import Integration, ProviderAccount
from tenants.choices import Role
from tenants.models import ApiToken, AuditEvent, Membership
from tenants.tests.dashboard_matrix import OPEN_ROUTES, dashboard_routes
from tenants.tests.factories import InvitationFactory
from testing.world import TenantWorld


def mutating_posts(objects: dict[str, Any], world: TenantWorld) -> dict[str, tuple[str, dict[str, str]]]:
    """Every POST of the dashboard with a well-formed body (that an allowed role could send)."""
    membership = Membership.objects.get(user=world.users[Role.VIEWER], tenant=world.tenant)
    integration, account = objects["integration"], objects["account"]
    return {
        "tenants:token-list": (reverse("tenants:token-list"), {"name": "new", "role": "viewer"}),
        "tenants:token-revoke": (reverse("tenants:token-revoke", args=[objects["token"].pk]), {}),
        "tenants:member-list": (
            reverse("tenants:member-list"),
            {"email": "owner@acme.example.com", "role": "viewer"},
        ),
        "tenants:member-role": (reverse("tenants:member-role", args=[membership.pk]), {"role": "admin"}),
        "tenants:member-remove": (reverse("tenants:member-remove", args=[membership.pk]), {}),
        "tenants:invitation-revoke": (
            reverse("tenants:invitation-revoke", args=[InvitationFactory(tenant=world.tenant).pk]),
            {},
        ),
        "integrations:integration-new": (
            reverse("integrations:integration-new") + "?kind=twilio_synthflow",
            {"name": "more-calls", "policy": "heal", "accounts.twilio": str(account.pk)},
        ),
        "integrations:integration-edit": (
            reverse("integrations:integration-edit", args=[integration.pk]),
            {"policy": "report"},
        ),
        "integrations:integration-delete": (
            reverse("integrations:integration-delete", args=[integration.pk]),
            {},
        ),
        "integrations:integration-plan": (
            reverse("integrations:integration-plan", args=[integration.pk]),
            {},
        ),
        "integrations:integration-apply": (
            reverse("integrations:integration-apply", args=[integration.pk]),
            {},
        ),
        "integrations:integration-reconcile": (
            reverse("integrations:integration-reconcile", args=[integration.pk]),
            {},
        ),
        "integrations:account-new": (
            reverse("integrations:account-new") + "?kind=vapi",
            {"name": "vapi", "settings.region": "us", "secrets.api_key": "k"},
        ),
        "integrations:account-edit": (
            reverse("integrations:account-edit", args=[account.pk]),
            {"name": "renamed"},
        ),
        "integrations:account-delete": (reverse("integrations:account-delete", args=[account.pk]), {}),
        "integrations:account-test-connection": (
            reverse("integrations:account-test-connection", args=[account.pk]),
            {},
        ),
    }


def snapshot(world: TenantWorld) -> dict[str, Any]:
    """What a refused request must leave unchanged."""
    model_rows: list[type[models.Model]] = [Integration, ProviderAccount, ApiToken, Membership, AuditEvent]
    return {
        "rows": {m.__name__: m.objects.for_tenant(world.tenant).count() for m in model_rows},  # type: ignore[attr-defined]
        "integrations": list(Integration.objects.for_tenant(world.tenant).values_list("name", "policy")),
        "accounts": list(ProviderAccount.objects.for_tenant(world.tenant).values_list("name", flat=True)),
        "roles": list(
            Membership.objects.for_tenant(world.tenant).values_list("role", flat=True).order_by("role")
        ),
        "revoked": list(ApiToken.objects.for_tenant(world.tenant).values_list("revoked_at", flat=True)),
    }


def test_every_dashboard_post_is_in_the_refusal_table(world: TenantWorld, objects: dict[str, Any]) -> None:
    assert dashboard_routes("post") - OPEN_ROUTES == set(mutating_posts(objects, world))


@pytest.mark.parametrize(
    ("role", "route_prefix"),
    [
        (Role.VIEWER, ""),  # a viewer may change nothing at all
        (Role.OPERATOR, "tenants:"),  # an operator may not manage tokens or members
    ],
)
def test_roles_below_the_needed_one_get_403_on_post_and_nothing_changes(
    world: TenantWorld,
    objects: dict[str, Any],
    dashboard_client: Callable[[Any], Client],
    role: str,
    route_prefix: str,
) -> None:
    client = dashboard_client(world.users[role])
    before = snapshot(world)
    refused = []

    for route, (url, data) in mutating_posts(objects, world).items():
        if not route.startswith(route_prefix):
            continue
        response = client.post(url, data)
        assert response.status_code == 403, f"{role} POST {route}: {response.status_code}"
        refused.append(route)

    assert snapshot(world) == before
    assert len(refused) >= (11 if role == Role.VIEWER else 5)
