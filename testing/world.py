"""The tenant world most API and dashboard tests start from: a tenant, a member and a token per role.

Moved from tenants/tests/fixtures.py; the `world` and `other_world` fixtures (testing/plugins/tenants.py)
build one each. `member(tenant, role)` is the one-user form tests wrote out again and again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tenants.choices import Role
from tenants.models import ApiToken, Tenant
from tenants.tests.factories import ApiTokenFactory, MembershipFactory, TenantFactory, UserFactory


def member(tenant: Tenant, role: str = Role.VIEWER, **user_fields: Any) -> User:
    """A new user who is a member of `tenant` with `role` (`user_fields` go to UserFactory)."""
    # factory_boy's factories are typed as returning themselves: the objects they make are these.
    user = cast(User, UserFactory(**user_fields))
    MembershipFactory(tenant=tenant, user=user, role=role)
    return user


@dataclass
class TenantWorld:
    """A tenant with a member and an API token for every role, and API clients acting as them."""

    tenant: Tenant
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, ApiToken] = field(default_factory=dict)

    @classmethod
    def build(cls, slug: str) -> TenantWorld:
        """Create the tenant, its members (`<role>@<slug>.example.com`) and tokens."""
        tenant = cast(Tenant, TenantFactory(slug=slug, name=f"{slug.title()} Inc"))
        world = cls(tenant=tenant)
        for role in Role.values:
            user = member(tenant, role, username=f"{role}@{slug}.example.com")
            world.users[role] = user
            world.tokens[role] = cast(
                ApiToken, ApiTokenFactory(tenant=tenant, role=role, created_by=user, name=f"{role} token")
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
