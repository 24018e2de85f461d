"""Signing in and out of the dashboard, and the tenant switcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from tenants.models import Membership
from tenants.tests.dashboard_matrix import LOGIN
from tenants.tests.factories import UserFactory
from testing.world import TenantWorld


def test_login_lands_on_the_fleet_overview_and_logout_needs_a_post(
    world: TenantWorld, objects: dict[str, Any]
) -> None:
    client = Client()
    page = client.get(LOGIN)
    assert 'name="password"' in page.content.decode()

    wrong = client.post(LOGIN, {"username": "viewer@acme.example.com", "password": "nope"})
    assert wrong.status_code == 200
    assert "Please enter a correct" in wrong.content.decode()

    response = client.post(
        LOGIN,
        {"username": "viewer@acme.example.com", "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:home")
    assert "1 integration" in response.content.decode()  # the fleet overview (integrations/views/fleet.py)

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get(reverse("integrations:integration-list")).status_code == 302


def test_tenant_switcher_lists_the_users_tenants_and_switches(
    world: TenantWorld, other_world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    user = world.users[Role.ADMIN]
    Membership.objects.create(tenant=other_world.tenant, user=user, role=Role.VIEWER)
    IntegrationFactory(tenant=other_world.tenant, name="globex-line")
    client = dashboard_client(user)

    before = client.get(reverse("integrations:integration-list")).content.decode()
    assert "Globex Inc" in before  # offered in the switcher
    assert "globex-line" not in before

    switched = client.post(
        reverse("tenants:switch-tenant"),
        {"tenant": other_world.tenant.slug, "next": reverse("integrations:integration-list")},
        follow=True,
    )
    html = switched.content.decode()
    assert "globex-line" in html
    assert "Now working in Globex Inc as viewer." in html
    assert "New integration" not in html  # a viewer there


def test_switching_to_a_tenant_the_user_is_not_in_is_a_404(
    world: TenantWorld, other_world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.OWNER])

    response = client.post(reverse("tenants:switch-tenant"), {"tenant": other_world.tenant.slug})

    assert response.status_code == 404
    assert "Acme Inc" in client.get(reverse("integrations:integration-list")).content.decode()


def test_a_user_without_a_tenant_is_told_what_to_do(
    dashboard_client: Callable[[Any], Client], db: Any
) -> None:
    response = dashboard_client(UserFactory(username="lonely@example.com")).get("/", follow=True)

    assert response.status_code == 403
    assert "You are not in any tenant yet" in response.content.decode()
