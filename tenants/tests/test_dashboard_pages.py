"""Every dashboard page for every role: who sees it, who may change things, and what they see.

The role matrix is tenants/tests/dashboard_matrix.py; POSTs refused below the needed role are
test_dashboard_refusals.py's; login, logout and the tenant switcher test_dashboard_login.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tenants.choices import Role
from tenants.tests.dashboard_matrix import (
    LOGIN,
    NOT_PAGES,
    OPEN_ROUTES,
    PAGES,
    Page,
    dashboard_routes,
    role_at_least,
)
from testing.world import TenantWorld


def test_every_dashboard_page_is_in_the_role_matrix() -> None:
    covered = {page.route.split("?")[0] for page in PAGES}

    assert dashboard_routes("get") - OPEN_ROUTES - NOT_PAGES <= covered


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.route)
def test_each_page_renders_for_the_roles_allowed_and_is_403_for_the_others(
    world: TenantWorld,
    objects: dict[str, Any],
    dashboard_client: Callable[[Any], Client],
    page: Page,
    role: str,
) -> None:
    response = dashboard_client(world.users[role]).get(page.url(objects))

    if role_at_least(role, page.min_role):
        assert response.status_code == 200
        html = response.content.decode()
        assert page.shows in html
        assert "Acme Inc" in html  # the tenant switcher names the current tenant
        assert f"{role}@acme.example.com" in html  # the user menu
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("role", Role.values)
def test_mutating_buttons_show_only_to_roles_that_may_use_them(
    world: TenantWorld, objects: dict[str, Any], dashboard_client: Callable[[Any], Client], role: str
) -> None:
    client = dashboard_client(world.users[role])
    integrations = client.get(reverse("integrations:integration-list")).content.decode()
    detail = client.get(
        reverse("integrations:integration-detail", args=[objects["integration"].pk])
    ).content.decode()
    accounts = client.get(reverse("integrations:account-list")).content.decode()
    members = client.get(reverse("tenants:member-list")).content.decode()

    operates = role_at_least(role, Role.OPERATOR)
    administers = role_at_least(role, Role.ADMIN)
    assert ("New integration" in integrations) is operates
    assert (">Edit</a>" in detail) is operates
    assert (">Tear down</a>" in detail) is operates
    assert ("New provider account" in accounts) is operates
    assert ("Invite a member" in members) is administers
    assert (">Remove</button>" in members) is administers
    assert (">Tokens</a>" in integrations) is administers


def test_anonymous_visitors_are_sent_to_the_login_page(objects: dict[str, Any]) -> None:
    client = Client()
    for page in PAGES:
        url = page.url(objects)
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next=")
