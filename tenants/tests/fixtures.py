"""Fixtures for API and dashboard tests: a tenant with one member and one token per role.

Loaded for every test through `pytest_plugins` in the root conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from rest_framework.test import APIClient

from tenants.choices import Role
from tenants.models import ApiToken, Tenant
from tenants.tests.factories import ApiTokenFactory, MembershipFactory, TenantFactory, UserFactory


@dataclass
class TenantWorld:
    """A tenant with a member and an API token for every role, and API clients acting as them."""

    tenant: Tenant
    users: dict[str, AbstractBaseUser] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)

    @classmethod
    def build(cls, slug: str) -> TenantWorld:
        """Create the tenant, its members (`<role>@<slug>.example.com`) and tokens."""
        tenant = TenantFactory(slug=slug, name=f"{slug.title()} Inc")
        world = cls(tenant=tenant)
        for role in Role.values:
            user = UserFactory(username=f"{role}@{slug}.example.com")
            MembershipFactory(tenant=tenant, user=user, role=role)
            world.users[role] = user
            world.tokens[role] = ApiTokenFactory(
                tenant=tenant, role=role, created_by=user, name=f"{role} token"
            )
        return world

    def key(self, role: str) -> str:
        """The clear key of the `role` token."""
        return self.tokens[role].key  # type: ignore[attr-defined]

    def api(self, role: str = Role.OWNER, via: str = "token") -> APIClient:
        """An API client acting with `role`, by token (`via="token"`) or by session (`via="session"`)."""
        client = APIClient()
        if via == "token":
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.key(role)}")
        else:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(db: Any) -> TenantWorld:
    """Tenant `acme` with a member and a token per role."""
    return TenantWorld.build("acme")


@pytest.fixture
def other_world(db: Any) -> TenantWorld:
    """A second tenant, `globex`, for isolation tests."""
    return TenantWorld.build("globex")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    """Every test starts with no login failures and a full API budget (the tests' cache is per process)."""
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        cache.clear()
